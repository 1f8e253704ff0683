// The extension's own recordings, newest first, with what their headers say: the Headroom view
// offers them (before, nothing did). Reads only each file's first line, and caches it by mtime.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { programName } from '../../engine/session/adoption';

/** How many recordings the view lists. */
export const RECENT_RECORDINGS = 20;
/** A header line is small; a longer first line is not one of ours. */
const HEADER_BYTES = 64 * 1024;

export interface RecordingEntry {
  readonly path: string;
  /** The session's name from the header, else the script from its command, else the file name. */
  readonly name: string;
  /** When the run started (header), else the file's mtime; ms. */
  readonly created: number;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** The name a recording shows, from its header line (undefined: not a recording header). */
export function entryName(headerLine: string, fileName: string): { name: string; created?: number } | undefined {
  let h: unknown;
  try {
    h = JSON.parse(headerLine);
  } catch {
    return undefined;
  }
  if (typeof h !== 'object' || h === null || (h as { type?: unknown }).type !== 'recording') return undefined;
  const { name, command, rootPid, created } = h as { name?: unknown; command?: unknown; rootPid?: unknown; created?: unknown };
  const argv = Array.isArray(command) ? command.filter((a): a is string => typeof a === 'string') : undefined;
  // A command's first word is the interpreter: the script after it names the run.
  const script = argv && argv.length > 1 ? argv.slice(1).find((a) => /\.pyw?$/i.test(a)) : undefined;
  const fallback = script ? programName([script], 0) : argv?.length ? programName(argv, typeof rootPid === 'number' ? rootPid : 0) : fileName;
  return { name: typeof name === 'string' && name ? name : fallback, created: typeof created === 'number' ? created : undefined };
}

/** Reads recordings' headers, caching them by path and mtime. */
export class RecordingCatalog {
  private readonly cache = new Map<string, { mtimeMs: number; entry: RecordingEntry | undefined }>();

  constructor(private readonly dir: string) {}

  /** The newest recordings in the folder (rotated parts `.ndjson.N` left out: the newest part stands for the run). */
  async list(limit = RECENT_RECORDINGS): Promise<RecordingEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.ndjson'));
    } catch {
      return []; // no recordings yet: the folder is made with the first
    }
    const stats = await Promise.all(
      names.map(async (n) => {
        const path = join(this.dir, n);
        try {
          const s = await stat(path);
          return { path, name: n, mtimeMs: s.mtimeMs, bytes: s.size };
        } catch {
          return undefined; // deleted meanwhile
        }
      }),
    );
    const newest = stats.filter((s) => s !== undefined).sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, limit);
    const entries = await Promise.all(newest.map((s) => this.entry(s.path, s.name, s.mtimeMs, s.bytes)));
    return entries.filter((e): e is RecordingEntry => e !== undefined);
  }

  private async entry(path: string, fileName: string, mtimeMs: number, bytes: number): Promise<RecordingEntry | undefined> {
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.entry && { ...cached.entry, bytes };
    let entry: RecordingEntry | undefined;
    try {
      const line = await firstLine(path);
      const e = entryName(line, fileName);
      if (e) entry = { path, name: e.name, created: e.created ?? mtimeMs, bytes, mtimeMs };
    } catch {
      entry = undefined; // unreadable: not offered
    }
    this.cache.set(path, { mtimeMs, entry });
    return entry;
  }
}

async function firstLine(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEADER_BYTES, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl >= 0 ? text.slice(0, nl) : text;
  } finally {
    await fh.close();
  }
}
