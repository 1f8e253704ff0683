import { PROTOCOL_VERSION, type CheckpointRecord, type ProtocolRecord } from '../../shared/protocol';
import { DecodeFailure, decodeRecord, type DecodeErrorCode } from '../../shared/protocolDecode';
import { CheckpointScanner, type ByteRange } from './checkpointScanner';
import { LineSplitter } from './lineSplitter';

/**
 * Where each figure of a checkpoint sits in `RecordBatch.checkpoints`: `STRIDE` numbers per
 * checkpoint. Strings are indices into `RecordBatch.strings`, -1 when absent; absent numbers NaN.
 */
export const enum Cp {
  T = 0,
  Pid,
  Seq,
  Line,
  File,
  Func,
  Label,
  Rss,
  Vms,
  STRIDE,
}

/**
 * The records decoded from one read of one connection, in the form that crosses threads
 * cheaply: checkpoints without device figures (the bulk of any stream) as rows of numbers
 * in one transferable array, every other record as its object.
 */
export interface RecordBatch {
  /** `Cp.STRIDE` numbers per checkpoint, in arrival order. */
  readonly checkpoints: Float64Array;
  /** The strings the checkpoints refer to, each once. */
  readonly strings: readonly string[];
  /** Every other record, in arrival order. */
  readonly objects: readonly ProtocolRecord[];
  /** `objects[i]` arrived after this many of the checkpoints. */
  readonly objectAt: readonly number[];
  /** The valid lines as received, each with its newline: what a recording keeps. */
  readonly raw: Uint8Array;
  /** Lines refused: per error code, how many and the first one's message. */
  readonly refused?: readonly Refused[];
}

export interface Refused {
  readonly code: DecodeErrorCode;
  count: number;
  readonly message: string;
}

const EMPTY = new Uint8Array(0);
const NONE: readonly never[] = Object.freeze([]);

/** The number of records in `b`. */
export function batchSize(b: RecordBatch): number {
  return b.checkpoints.length / Cp.STRIDE + b.objects.length;
}

/** A batch of records that are already objects (a hello, a recording's records); `raw` is what to record of them. */
export function objectBatch(records: readonly ProtocolRecord[], raw: Uint8Array = EMPTY): RecordBatch {
  return { checkpoints: new Float64Array(0), strings: [], objects: records, objectAt: records.map(() => 0), raw };
}

/** Checkpoint `k` of `b` as the record it was decoded from (unknown fields aside). */
export function checkpointAt(b: RecordBatch, k: number): CheckpointRecord {
  const c = b.checkpoints;
  const at = k * Cp.STRIDE;
  const str = (i: number) => (c[at + i] < 0 ? undefined : b.strings[c[at + i]]);
  const line = c[at + Cp.Line];
  const vms = c[at + Cp.Vms];
  return {
    v: PROTOCOL_VERSION,
    type: 'checkpoint',
    t: c[at + Cp.T],
    pid: c[at + Cp.Pid],
    seq: c[at + Cp.Seq],
    ...(str(Cp.File) === undefined ? {} : { file: str(Cp.File) }),
    ...(Number.isNaN(line) ? {} : { line }),
    ...(str(Cp.Func) === undefined ? {} : { func: str(Cp.Func) }),
    ...(str(Cp.Label) === undefined ? {} : { label: str(Cp.Label) }),
    mem: Number.isNaN(vms) ? { rss: c[at + Cp.Rss] } : { rss: c[at + Cp.Rss], vms },
  };
}

/** Every record of `b` as an object, in arrival order: for consumers that want objects, and tests. */
export function recordsOf(b: RecordBatch): ProtocolRecord[] {
  const out: ProtocolRecord[] = [];
  const n = b.checkpoints.length / Cp.STRIDE;
  let o = 0;
  for (let k = 0; k <= n; k++) {
    while (o < b.objects.length && b.objectAt[o] === k) out.push(b.objects[o++]);
    if (k < n) out.push(checkpointAt(b, k));
  }
  return out;
}

/**
 * One connection's bytes to record batches: lines split with the line cap, decoded and
 * validated, checkpoints into columns. Pure and synchronous; the listener runs one per
 * connection on its decode thread (or inline where no worker can start).
 */
export class BatchDecoder {
  private readonly splitter: LineSplitter;
  private cps = new Float64Array(Cp.STRIDE * 256);
  private n = 0;
  private strings: string[] = [];
  private readonly ids = new Map<string, number>();
  private objects: ProtocolRecord[] = [];
  private objectAt: number[] = [];
  private refused: Refused[] | undefined;
  /** The current run of contiguous valid lines: `runBuf[runStart, runEnd)`. */
  private runBuf: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;
  private runs: Buffer[] = [];
  private runBytes = 0;
  private readonly scanner = new CheckpointScanner();
  /** Consecutive records mostly repeat these: a repeat costs a comparison, not a decode and a lookup. */
  private readonly file = new LastString();
  private readonly func = new LastString();

  /** `pid`: the connection's program, named in problem messages. */
  constructor(private readonly pid?: number) {
    this.splitter = new LineSplitter(
      (buf, start, bytes) => this.line(buf, start, bytes),
      (bytes) => this.refuse('too-long', `a line of ${bytes} bytes was dropped`),
    );
  }

  /** Decodes the complete lines in `chunk` (with what earlier chunks left unfinished). */
  push(chunk: Buffer): RecordBatch {
    this.splitter.push(chunk);
    return this.take();
  }

  /**
   * The connection has ended: its unfinished last line, if any, is decoded as if its newline had
   * come (refused and counted when it is not a whole record). The batch of that, if anything.
   */
  end(): RecordBatch | undefined {
    this.splitter.finish();
    const b = this.take();
    return batchSize(b) === 0 && b.refused === undefined ? undefined : b;
  }

  private line(buf: Buffer, start: number, bytes: number): void {
    if (bytes === 0 || (bytes === 1 && buf[start] === 0x0d)) return;
    // Most lines are checkpoints of one shape: read those from their bytes; decode the rest.
    if (this.scanner.scan(buf, start, start + bytes)) this.scanned(buf);
    else {
      const r = decodeRecord(buf.toString('utf8', start, start + bytes), bytes);
      if (r instanceof DecodeFailure) {
        this.refuse(r.code, r.message.slice(0, 200));
        return;
      }
      if (r.type === 'checkpoint' && r.mem.devices === undefined) this.checkpoint(r);
      else {
        this.objects.push(r);
        this.objectAt.push(this.n);
      }
    }
    // Keep the line's bytes for the recording, extending the current run when they follow it.
    if (buf === this.runBuf && start === this.runEnd) this.runEnd = start + bytes + 1;
    else {
      this.endRun();
      this.runBuf = buf;
      this.runStart = start;
      this.runEnd = start + bytes + 1;
    }
  }

  /** The checkpoint the scanner just read. */
  private scanned(buf: Buffer): void {
    const s = this.scanner;
    const label = s.label.start < 0 ? -1 : this.intern(buf.toString(s.label.ascii ? 'latin1' : 'utf8', s.label.start, s.label.end));
    this.row(s.t, s.pid, s.seq, s.line, this.file.fromBytes(this, buf, s.file), this.func.fromBytes(this, buf, s.func), label, s.rss, s.vms);
  }

  /** A checkpoint decoded the general way. */
  private checkpoint(r: CheckpointRecord): void {
    const label = r.label === undefined ? -1 : this.intern(r.label);
    const vms = typeof r.mem.vms === 'number' ? r.mem.vms : NaN;
    this.row(r.t, r.pid, r.seq, r.line ?? NaN, this.file.fromText(this, r.file), this.func.fromText(this, r.func), label, r.mem.rss, vms);
  }

  /** One checkpoint row; the columns grow when full. */
  private row(t: number, pid: number, seq: number, line: number, file: number, func: number, label: number, rss: number, vms: number): void {
    const at = this.n++ * Cp.STRIDE;
    if (at === this.cps.length) {
      const grown = new Float64Array(this.cps.length * 2);
      grown.set(this.cps);
      this.cps = grown;
    }
    const c = this.cps;
    c[at + Cp.T] = t;
    c[at + Cp.Pid] = pid;
    c[at + Cp.Seq] = seq;
    c[at + Cp.Line] = line;
    c[at + Cp.File] = file;
    c[at + Cp.Func] = func;
    c[at + Cp.Label] = label;
    c[at + Cp.Rss] = rss;
    c[at + Cp.Vms] = vms;
  }

  /** `s`'s index in this batch's strings. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  private refuse(code: DecodeErrorCode, message: string): void {
    const refused = (this.refused ??= []);
    const seen = refused.find((r) => r.code === code);
    if (seen) seen.count++;
    else refused.push({ code, count: 1, message: `${this.pid === undefined ? '' : `pid ${this.pid}: `}${code}: ${message}` });
  }

  private endRun(): void {
    if (this.runBuf === undefined) return;
    this.runs.push(this.runBuf.subarray(this.runStart, this.runEnd));
    this.runBytes += this.runEnd - this.runStart;
    this.runBuf = undefined;
  }

  /** What was decoded since the last call, as a batch; the decoder starts a new one. */
  private take(): RecordBatch {
    this.endRun();
    let raw: Uint8Array = EMPTY;
    if (this.runs.length === 1) raw = this.runs[0];
    else if (this.runs.length > 1) {
      // A fresh array, not Buffer.concat: small Buffers come from a shared pool that cannot be transferred.
      const out = new Uint8Array(this.runBytes);
      let o = 0;
      for (const r of this.runs) {
        out.set(r, o);
        o += r.length;
      }
      raw = out;
    }
    // The batch takes the arrays it uses and the decoder starts new ones; empty ones stay (shared NONE is never written).
    const batch: RecordBatch = {
      checkpoints: this.cps.slice(0, this.n * Cp.STRIDE),
      strings: this.strings.length === 0 ? NONE : this.strings,
      objects: this.objects.length === 0 ? NONE : this.objects,
      objectAt: this.objectAt.length === 0 ? NONE : this.objectAt,
      raw,
      refused: this.refused,
    };
    this.n = 0;
    if (this.strings.length !== 0) {
      this.strings = [];
      this.ids.clear();
      this.file.reset();
      this.func.reset();
    }
    if (this.objects.length !== 0) {
      this.objects = [];
      this.objectAt = [];
    }
    this.refused = undefined;
    this.runs = [];
    this.runBytes = 0;
    return batch;
  }
}

/** The last value of one string field and its index in the current batch's strings (-1: not in it yet). */
class LastString {
  /** `text` as its line's bytes, when it came from the scanner. */
  private raw: Uint8Array | undefined;
  private text: string | undefined;
  private id = -1;

  /** The index of the string in `buf` at `r` (-1 when absent). */
  fromBytes(d: BatchDecoder, buf: Buffer, r: ByteRange): number {
    if (r.start < 0) return -1;
    const raw = this.raw;
    const len = r.end - r.start;
    if (raw !== undefined && raw.length === len) {
      let i = 0;
      while (i < len && raw[i] === buf[r.start + i]) i++;
      if (i === len) return this.id >= 0 ? this.id : (this.id = d.intern(this.text as string));
    }
    // A copy: the line's buffer goes back to the listener with the batch.
    this.raw = Uint8Array.prototype.slice.call(buf, r.start, r.end);
    const text = buf.toString(r.ascii ? 'latin1' : 'utf8', r.start, r.end);
    this.text = text;
    return (this.id = d.intern(text));
  }

  /** The index of `text` (-1 when absent). */
  fromText(d: BatchDecoder, text: string | undefined): number {
    if (text === undefined) return -1;
    if (text === this.text) return this.id >= 0 ? this.id : (this.id = d.intern(text));
    this.text = text;
    this.raw = undefined;
    return (this.id = d.intern(text));
  }

  /** A new batch: its strings start again. */
  reset(): void {
    this.id = -1;
  }
}
