import { SeriesName, type MemoryStore } from '../store/memoryStore';

/** One row per raw sample of the tree: time, RSS, PSS, VMS, system used (bytes; ms since the epoch). */
export function storeToCsv(store: MemoryStore, columns: readonly string[] = [SeriesName.treeRss, SeriesName.treePss, SeriesName.treeVms, SeriesName.sysUsed, SeriesName.sysAvailable]): string {
  const base = store.get(columns[0]);
  if (!base) return `t_ms,${columns.join(',')}\n`;
  const { t } = base.raw(-Infinity, Infinity);
  const values = columns.map((c) => {
    const s = store.get(c);
    if (!s) return new Map<number, number>();
    const r = s.raw(-Infinity, Infinity);
    const m = new Map<number, number>();
    for (let i = 0; i < r.t.length; i++) m.set(r.t[i], r.v[i]);
    return m;
  });
  const out = [`t_ms,${columns.join(',')}`];
  for (const time of t) out.push(`${time},${values.map((m) => m.get(time) ?? '').join(',')}`);
  return out.join('\n') + '\n';
}
