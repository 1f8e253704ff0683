import type { GpuDevice, GpuProcess } from './types';

/** The per-device fields we ask nvidia-smi for, in order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.used',
  'memory.total',
  'utilization.gpu',
  'utilization.memory',
  'temperature.gpu',
  'power.draw',
] as const;

export const APPS_QUERY_FIELDS = ['pid', 'gpu_uuid', 'used_memory'] as const;

const MiB = 1024 * 1024;

/** A csv,nounits cell as a number; undefined for [N/A], [Not Supported], [Unknown Error], etc. */
export function smiNumber(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const s = cell.trim();
  if (s === '' || s.startsWith('[') || s === 'N/A') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Splits one csv line of nvidia-smi. Names never hold commas in practice, but the format
 * quotes nothing, so the name field takes whatever extra cells a line has.
 */
function cells(line: string, expected: number, nameIndex: number): string[] | undefined {
  const parts = line.split(',').map((s) => s.trim());
  if (parts.length < expected) return undefined;
  if (parts.length > expected) {
    const extra = parts.length - expected;
    parts.splice(nameIndex, extra + 1, parts.slice(nameIndex, nameIndex + extra + 1).join(', '));
  }
  return parts;
}

/** Parses `--query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits` output. */
export function parseGpuCsv(text: string): GpuDevice[] {
  const out: GpuDevice[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const c = cells(line, GPU_QUERY_FIELDS.length, 2);
    if (!c) continue;
    const index = smiNumber(c[0]);
    if (index === undefined || !c[1]) continue;
    const used = smiNumber(c[3]);
    const total = smiNumber(c[4]);
    out.push({
      index,
      uuid: c[1],
      name: c[2],
      vendor: 'nvidia',
      memUsed: used === undefined ? undefined : used * MiB,
      memTotal: total === undefined ? undefined : total * MiB,
      utilGpu: smiNumber(c[5]),
      utilMem: smiNumber(c[6]),
      temperature: smiNumber(c[7]),
      powerW: smiNumber(c[8]),
    });
  }
  return out;
}

/** Parses `--query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits`. */
export function parseComputeAppsCsv(text: string): GpuProcess[] {
  const out: GpuProcess[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('No running')) continue;
    const c = line.split(',').map((s) => s.trim());
    if (c.length < 3) continue;
    const pid = smiNumber(c[0]);
    if (pid === undefined || !c[1]) continue;
    const mem = smiNumber(c[2]);
    out.push({ pid, gpuUuid: c[1], usedMemory: mem === undefined ? undefined : mem * MiB });
  }
  return out;
}

/** Parses `rocm-smi --showmeminfo vram --showuse --json` (AMD). */
export function parseRocmSmiJson(text: string): GpuDevice[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object') return [];
  const out: GpuDevice[] = [];
  for (const [card, v] of Object.entries(doc as Record<string, unknown>)) {
    const m = /^card(\d+)$/.exec(card);
    if (!m || !v || typeof v !== 'object') continue;
    const f = v as Record<string, string>;
    const total = smiNumber(f['VRAM Total Memory (B)']);
    const used = smiNumber(f['VRAM Total Used Memory (B)']);
    out.push({
      index: Number(m[1]),
      uuid: f['Unique ID'] ?? card,
      name: f['Card series'] ?? f['Card SKU'] ?? `AMD GPU ${m[1]}`,
      vendor: 'amd',
      memUsed: used,
      memTotal: total,
      utilGpu: smiNumber(f['GPU use (%)']),
    });
  }
  return out.sort((a, b) => a.index - b.index);
}
