// Which files make up a run: its parts (`rec.ndjson`, `rec.ndjson.1`, ...: newest first by
// name) and their indexes (`rec.ndjson.p0.idx`: by part number), told apart from other runs
// that used the same name by the header's `created`.

import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecordingHeader } from './format';
import { basePath, indexDir, indexPartOf, type IndexHeader } from './recordingIndex';

export interface PartFiles {
  readonly part: number;
  /** The part's samples; absent once rotation removed them. */
  readonly path?: string;
  readonly size: number;
  readonly header?: RecordingHeader;
  /** Its index, where one was written. */
  readonly index?: string;
  readonly indexHeader?: IndexHeader;
}

export interface RunFiles {
  readonly base: string;
  readonly created?: number;
  /** Ascending part numbers. */
  readonly parts: PartFiles[];
}

/** The first line of a file parsed as JSON; undefined when it is not one. */
export function firstRecord<T>(path: string): T | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    const o = JSON.parse(buf.toString('utf8', 0, nl < 0 ? n : nl)) as unknown;
    return o && typeof o === 'object' ? (o as T) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The run `path` belongs to (any of its parts may be named). Files that only share the name
 * (an earlier run written to the same path) are left out by their `created`.
 */
export function findRunFiles(path: string): RunFiles {
  const base = basePath(path);
  const dir = indexDir(base);
  const name = basename(base);
  const opened = firstRecord<RecordingHeader>(path);
  const created = opened?.type === 'recording' ? opened.created : undefined;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    entries = [basename(path)];
  }
  const byPart = new Map<number, { path?: string; size: number; header?: RecordingHeader; index?: string; indexHeader?: IndexHeader }>();
  const at = (part: number) => byPart.get(part) ?? (byPart.set(part, { size: 0 }), byPart.get(part)!);
  for (const e of entries) {
    const full = join(dir, e);
    if (e === name || (e.startsWith(name + '.') && /^\d+$/.test(e.slice(name.length + 1)))) {
      const h = firstRecord<RecordingHeader>(full);
      if (!h || h.type !== 'recording') {
        if (full === path) at(0).path ??= full; // a file without a header still opens (read in full)
        continue;
      }
      if (created !== undefined && h.created !== created) continue;
      const p = Number.isInteger(h.part) && h.part >= 0 ? h.part : 0;
      const slot = at(p);
      if (slot.path) continue; // two files claim one part: keep the first found
      slot.path = full;
      slot.header = h;
      slot.size = sizeOf(full);
      continue;
    }
    const part = indexPartOf(base, e);
    if (part === undefined) continue;
    const ih = firstRecord<IndexHeader>(full);
    if (!ih || ih.type !== 'index' || (created !== undefined && ih.created !== created)) continue;
    if (ih.part !== part) continue;
    at(part).index = full;
    at(part).indexHeader = ih;
  }
  if (byPart.size === 0) byPart.set(0, { path, size: sizeOf(path) });
  const parts = [...byPart.entries()].sort((a, b) => a[0] - b[0]).map(([part, f]) => ({ part, ...f }));
  return { base, created, parts };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What the user should know about the run's files: parts removed by rotation, parts missing. */
export function partNotes(run: RunFiles): string[] {
  const notes: string[] = [];
  const have = new Set(run.parts.map((p) => p.part));
  const last = Math.max(...have);
  const missing: number[] = [];
  for (let p = 0; p <= last; p++) if (!have.has(p)) missing.push(p);
  if (missing.length) notes.push(`${missing.length === 1 ? 'part' : 'parts'} ${ranges(missing)} of this run ${missing.length === 1 ? 'is' : 'are'} missing (removed, and no index kept): the timeline has a gap there${missing[0] === 0 ? ', and the run\u2019s beginning is not shown' : ''}`);
  const summaryOnly = run.parts.filter((p) => !p.path && p.index).map((p) => p.part);
  if (summaryOnly.length) notes.push(`the samples of ${summaryOnly.length === 1 ? 'part' : 'parts'} ${ranges(summaryOnly)} were removed by rotation (headroom.recordings.maxMB); their overview and the program's records come from the index`);
  return notes;
}

function ranges(ns: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    out.push(i === j ? `${ns[i]}` : `${ns[i]}\u2013${ns[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
