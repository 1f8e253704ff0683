// The tables of a Parquet export and how each recording record becomes their rows: pure, so
// the export's layout is tested without files. docs/recording.md, "Exporting", is the spec.

import type { AnyRecord } from './format';
import type { Cell, ColumnSpec } from './parquetTable';

export type TableName = 'samples' | 'processes' | 'events' | 'gpu';

const ts = (name: string, required = false): ColumnSpec => ({ name, kind: 'timestamp', required });
const i64 = (name: string): ColumnSpec => ({ name, kind: 'int64' });
const i32 = (name: string): ColumnSpec => ({ name, kind: 'int32' });
const f64 = (name: string): ColumnSpec => ({ name, kind: 'double' });
const str = (name: string): ColumnSpec => ({ name, kind: 'string' });

/** Every table's columns, in file order. Bytes, UTC millisecond timestamps, percent, seconds. */
export const TABLES: Readonly<Record<TableName, readonly ColumnSpec[]>> = {
  samples: [ts('t', true), i64('rss'), i64('pss'), i64('uss'), i64('vms'), i32('processes'), i64('sys_used'), i64('sys_available'), i64('sys_total'), i64('cgroup_limit'), i64('cgroup_usage'), f64('psi_some'), f64('psi_full'), f64('cgroup_psi_some'), f64('cgroup_psi_full')],
  processes: [ts('t', true), i32('pid'), i32('ppid'), i64('rss'), i64('pss'), str('name')],
  events: [ts('t', true), str('kind'), str('label'), i32('pid'), i32('rank'), str('file'), i32('line'), str('func'), i64('rss'), i64('delta'), i64('peak_rss'), f64('duration'), i64('cuda_allocated'), i64('cuda_reserved'), i64('cuda_max_allocated'), i64('epoch'), i64('step'), i64('batch'), f64('loss'), str('detail')],
  gpu: [ts('t', true), i32('device'), str('name'), i64('used'), i64('total'), f64('util'), i64('tree_used'), str('tree_source')],
};

/** A table and one of its rows. */
export interface TableRow {
  readonly table: TableName;
  readonly row: readonly Cell[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** Protocol records whose time is seconds (the program's clock); the sampler's own are milliseconds. */
const EVENT_KINDS = new Set(['checkpoint', 'region_start', 'region_end', 'call', 'epoch_start', 'epoch_end', 'batch_end', 'oom', 'cleanup_result']);
/** Open regions remembered for their end's delta: a program that never ends its regions cannot grow this past it. */
const MAX_OPEN_REGIONS = 10_000;

/** Sums a field over the CUDA devices of a memory snapshot; undefined where it has none. */
function cudaSum(mem: Record<string, unknown> | undefined, field: string): number | undefined {
  let sum: number | undefined;
  for (const d of arr(mem?.devices)) {
    const dev = obj(d);
    const v = num(dev?.[field]);
    if (dev?.kind === 'cuda' && v !== undefined) sum = (sum ?? 0) + v;
  }
  return sum;
}

/**
 * Turns records into rows, in order. Holds what a row needs from earlier records: each pid's
 * rank (from its hello), its previous checkpoint's RSS, the RSS at each open region's start.
 */
export class RecordingRows {
  /** Records skipped for want of a time (counted, reported once by the caller). */
  skipped = 0;
  private readonly ranks = new Map<number, number>();
  private readonly lastCheckpointRss = new Map<number, number>();
  private readonly regionStartRss = new Map<string, number>();

  /** The rows one record adds, in table order. */
  rows(r: AnyRecord): TableRow[] {
    switch (r.type) {
      case 'sample':
        return this.sample(r);
      case 'gpu':
        return this.gpu(r);
      case 'hello': {
        const pid = num(r.pid);
        const rank = num(r.rank);
        if (pid !== undefined && rank !== undefined) this.ranks.set(pid, rank);
        return [];
      }
      case 'exit':
      case 'end':
      case 'guard':
        return this.samplerEvent(r);
      default:
        return EVENT_KINDS.has(r.type) ? this.programEvent(r) : [];
    }
  }

  private time(v: unknown, scale: number): number | undefined {
    const t = num(v);
    if (t === undefined || Math.abs(t * scale) > 8.64e15) {
      this.skipped++;
      return undefined;
    }
    return Math.round(t * scale);
  }

  private sample(r: AnyRecord): TableRow[] {
    const t = this.time(r.t, 1);
    if (t === undefined) return [];
    const sys = obj(r.sys);
    const cg = obj(r.cg);
    const psi = arr(r.psi);
    const cgpsi = arr(r.cgpsi);
    const procs = arr(r.procs);
    const out: TableRow[] = [{ table: 'samples', row: [t, num(r.rss), num(r.pss), num(r.uss), num(r.vms), procs.length, num(sys?.used), num(sys?.available), num(sys?.total), num(cg?.limit), num(cg?.usage), num(psi[0]), num(psi[1]), num(cgpsi[0]), num(cgpsi[1])] }];
    for (const p of procs) {
      const [pid, ppid, rss, pss, name] = arr(p);
      out.push({ table: 'processes', row: [t, num(pid), num(ppid), num(rss), num(pss), text(name)] });
    }
    return out;
  }

  private gpu(r: AnyRecord): TableRow[] {
    const t = this.time(r.t, 1);
    if (t === undefined) return [];
    const tree = obj(r.tree);
    return arr(r.devices).map((d) => {
      const [index, used, total, util, name] = arr(d);
      return { table: 'gpu', row: [t, num(index), text(name), num(used), num(total), num(util), num(tree?.used), text(tree?.src)] };
    });
  }

  private samplerEvent(r: AnyRecord): TableRow[] {
    let label: string | undefined;
    let pid: number | undefined;
    let t: unknown = r.t;
    let detail: string | undefined;
    if (r.type === 'exit') {
      pid = num(r.pid);
      label = text(r.signal) ?? (num(r.code) !== undefined ? `code ${num(r.code)}` : undefined);
    } else if (r.type === 'end') {
      const e = obj(r.explanation);
      label = text(e?.text);
      detail = text(e?.kind);
      t = num(e?.t) ?? r.t;
    } else {
      label = text(r.text);
      pid = num(arr(r.pids)[0]);
      detail = text(r.how);
    }
    const time = this.time(t, 1);
    if (time === undefined) return [];
    return [{ table: 'events', row: this.eventRow(time, r.type, label, pid, {}, { detail }) }];
  }

  private programEvent(r: AnyRecord): TableRow[] {
    const t = this.time(r.t, 1000);
    if (t === undefined) return [];
    const pid = num(r.pid);
    const mem = obj(r.mem);
    const rss = num(mem?.rss);
    let delta: number | undefined;
    let label = text(r.label);
    let duration = num(r.duration);
    // Regions pair by process and id; an id that is neither number nor string pairs with nothing.
    const id = num(r.id) ?? text(r.id);
    const regionKey = id === undefined ? undefined : `${pid}:${id}`;
    switch (r.type) {
      case 'checkpoint':
        if (pid !== undefined && rss !== undefined) {
          const prev = this.lastCheckpointRss.get(pid);
          delta = prev === undefined ? undefined : rss - prev;
          this.lastCheckpointRss.set(pid, rss);
        }
        break;
      case 'region_start':
        if (rss !== undefined && regionKey !== undefined) {
          if (this.regionStartRss.size >= MAX_OPEN_REGIONS) this.regionStartRss.clear();
          this.regionStartRss.set(regionKey, rss);
        }
        break;
      case 'region_end': {
        const start = regionKey === undefined ? undefined : this.regionStartRss.get(regionKey);
        if (regionKey !== undefined) this.regionStartRss.delete(regionKey);
        if (start !== undefined && rss !== undefined) delta = rss - start;
        break;
      }
      case 'call': {
        const rss0 = num(obj(r.mem0)?.rss);
        if (rss0 !== undefined && rss !== undefined) delta = rss - rss0;
        const t0 = num(r.t0);
        const t1 = num(r.t);
        if (t0 !== undefined && t1 !== undefined) duration = t1 - t0;
        break;
      }
      case 'cleanup_result': {
        const figures = obj(r.rss);
        label = text(r.reason);
        const after = num(figures?.after);
        const before = num(figures?.before);
        delta = after !== undefined && before !== undefined ? after - before : undefined;
        return [{ table: 'events', row: this.eventRow(t, r.type, label, pid, r, { rss: after, delta, duration }) }];
      }
      case 'oom':
        label ??= text(r.region) ?? text(obj(r.checkpoint)?.label);
        break;
    }
    return [{ table: 'events', row: this.eventRow(t, r.type, label, pid, r, { rss, delta, duration, mem }) }];
  }

  private eventRow(t: number, kind: string, label: string | undefined, pid: number | undefined, r: Record<string, unknown>, f: { rss?: number; delta?: number; duration?: number; mem?: Record<string, unknown>; detail?: string }): Cell[] {
    const rank = pid === undefined ? undefined : this.ranks.get(pid);
    return [t, kind, label, pid, rank, text(r.file), num(r.line), text(r.func), f.rss, f.delta, num(obj(r.peak)?.rss), f.duration, cudaSum(f.mem, 'allocated'), cudaSum(f.mem, 'reserved'), cudaSum(f.mem, 'max_allocated'), num(r.epoch), num(r.step), num(r.batch), num(r.loss), f.detail ?? text(r.error)];
  }
}
