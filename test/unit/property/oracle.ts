// The reference the property tests hold the fast paths to: a line decoded whole, the general
// way (JSON.parse of its UTF-8 text, then validation), in the form a RecordBatch gives back.
import { MAX_LINE_BYTES, type ProtocolRecord } from '../../../src/shared/protocol';
import { decodeRecord, DecodeFailure, type DecodeErrorCode } from '../../../src/shared/protocolDecode';

/** What a line (without its newline) must become: a record, a refusal code, or undefined for a blank line. */
export function oracle(line: Buffer): ProtocolRecord | DecodeErrorCode | undefined {
  if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) return undefined;
  if (line.length > MAX_LINE_BYTES) return 'too-long';
  const r = decodeRecord(line.toString('utf8'), line.length);
  if (r instanceof DecodeFailure) return r.code;
  if (r.type !== 'checkpoint' || r.mem.devices !== undefined) return r;
  // Columns keep a checkpoint's known fields, and the major version only.
  const { t, pid, seq, file, line: ln, func, label, mem } = r;
  return {
    v: 1,
    type: 'checkpoint',
    t,
    pid,
    seq,
    ...(file === undefined ? {} : { file }),
    ...(ln === undefined ? {} : { line: ln }),
    ...(func === undefined ? {} : { func }),
    ...(label === undefined ? {} : { label }),
    mem: typeof mem.vms === 'number' ? { rss: mem.rss, vms: mem.vms } : { rss: mem.rss },
  };
}

/** Per code, how many of `lines` the oracle refuses; and the records it keeps, in order. */
export function expectedOf(lines: readonly Buffer[]): { records: ProtocolRecord[]; refused: Record<string, number>; raw: Buffer } {
  const records: ProtocolRecord[] = [];
  const refused: Record<string, number> = {};
  const raw: Buffer[] = [];
  for (const l of lines) {
    const o = oracle(l);
    if (o === undefined) continue;
    if (typeof o === 'string') refused[o] = (refused[o] ?? 0) + 1;
    else {
      records.push(o);
      raw.push(l, Buffer.from('\n'));
    }
  }
  return { records, refused, raw: Buffer.concat(raw) };
}
