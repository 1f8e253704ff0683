import { formatBytes, plainLabel, type Units } from '../../shared/format';
import type { AllocationSite, AllocationsRecord, TensorGroup } from '../../shared/protocol';

/** One line's readout from a process's newest snapshot: what the editor puts on the line. */
export interface SiteReadout {
  readonly pid: number;
  readonly file: string;
  readonly line: number;
  /** Bytes and blocks alive from this line at the snapshot. */
  readonly size: number;
  readonly count: number;
  /** Bytes more than at `since`; undefined on a process's first snapshot. */
  readonly grew?: number;
  /** The label of the snapshot `grew` is measured against (untrusted text). */
  readonly since?: string;
  /** The package that allocated for this line (numpy), or that the line is in. */
  readonly package?: string;
  readonly via?: string;
  readonly traceback?: AllocationSite['traceback'];
  /** The snapshot's time, ms, and its label. */
  readonly t: number;
  readonly label?: string;
  /** tracemalloc or cuda. */
  readonly source: string;
}

/**
 * The newest allocation snapshots of a session, per process and source (`allocations` records,
 * docs/protocol.md): what the inline readouts, the sites tree and the CLI report read. Keeps only
 * the newest of each (a few hundred sites at most), so memory stays bounded however often a
 * program takes snapshots. Pure: RecordIngest feeds it.
 */
export class AllocationSites {
  /** `${pid}:${source}` -> newest record. */
  private readonly newest = new Map<string, AllocationsRecord>();
  private readonly listeners = new Set<(r: AllocationsRecord) => void>();
  /** Bumped on every record: a view redraws when it changed. */
  version = 0;

  add(r: AllocationsRecord): void {
    this.newest.set(`${r.pid}:${r.source}`, r);
    this.version++;
    for (const l of this.listeners) l(r);
  }

  /** Calls `listener` with every record taken in (views refresh, a request waits for its answers). */
  onDidAdd(listener: (r: AllocationsRecord) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Forgets a process (it said bye and its snapshots are kept; call only to drop a session's data). */
  clear(): void {
    this.newest.clear();
    this.version++;
  }

  /** The newest snapshot of `source`, of process `pid` or of any process. */
  latest(source: 'tracemalloc' | 'cuda' | 'tensors' = 'tracemalloc', pid?: number): AllocationsRecord | undefined {
    if (pid !== undefined) return this.newest.get(`${pid}:${source}`);
    let best: AllocationsRecord | undefined;
    for (const r of this.newest.values()) if (r.source === source && (!best || r.t > best.t)) best = r;
    return best;
  }

  /** Every site of every process's newest tracemalloc and CUDA snapshot, largest first. */
  sites(): SiteReadout[] {
    const out: SiteReadout[] = [];
    for (const r of this.newest.values()) {
      if (r.source === 'tensors') continue;
      for (const s of r.sites ?? []) out.push(readout(r, s));
    }
    return out.sort((a, b) => b.size - a.size);
  }

  /**
   * The readouts of the lines of `file` (an editor's document), one per line and process.
   * Sites carry the paths the program saw: pass the session's `canonical` (symlinks, case) to
   * match them as its checkpoints are.
   */
  forFile(file: string, canonical: (path: string) => string = (p) => p): SiteReadout[] {
    return this.sites().filter((s) => canonical(s.file) === file);
  }

  /** The newest live tensors of a process or of any, largest group first. */
  tensors(pid?: number): readonly TensorGroup[] {
    return this.latest('tensors', pid)?.tensors ?? [];
  }
}

function readout(r: AllocationsRecord, s: AllocationSite): SiteReadout {
  return {
    pid: r.pid,
    file: s.file,
    line: s.line,
    size: s.size,
    count: s.count,
    grew: s.grew,
    since: r.since?.label,
    package: s.package,
    via: s.via,
    traceback: s.traceback,
    t: r.t * 1000,
    label: r.label,
    source: r.source,
  };
}

/** `holds 812 MB in 3 blocks · +400 MB since 'epoch 1'`: the inline readout of a line. */
export function siteText(s: Pick<SiteReadout, 'size' | 'count' | 'grew' | 'since' | 'via'>, units: Units = 'GB'): string {
  const blocks = s.count === 1 ? '1 block' : `${s.count} blocks`;
  let text = `holds ${formatBytes(s.size, units)} in ${blocks}`;
  if (s.via) text += ` (${plainLabel(s.via, 30)})`;
  if (s.grew !== undefined && s.grew !== 0) text += ` · ${formatBytes(s.grew, units, true)} since ${s.since ? `'${plainLabel(s.since, 40)}'` : 'the last snapshot'}`;
  return text;
}

/** `Net.fc1.weight parameter float32 [512, 256] cpu ×2: 1.05 MB`: one tensor group, as text
 * (`... mlx gpu ×1: ...` for MLX arrays, whose device alone would read as torch's). */
export function tensorGroupText(g: TensorGroup, units: Units = 'GB'): string {
  const names = g.names?.length ? `${g.names.map((n) => plainLabel(n, 40)).join(', ')} ` : '';
  const device = g.framework ? `${plainLabel(g.framework, 20)} ${plainLabel(g.device, 20)}` : plainLabel(g.device, 20);
  return `${names}${plainLabel(g.role, 20)} ${plainLabel(g.dtype, 20)} [${g.shape.join(', ')}] ${device} ×${g.count}: ${formatBytes(g.size, units)}`;
}
