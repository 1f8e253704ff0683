/** A UTF-8 byte range of a JSON string value without escapes: `[start, end)`. */
export interface ByteRange {
  start: number;
  end: number;
  /** Every byte below 0x80: the range decodes as latin1, byte for byte. */
  ascii: boolean;
}

const enum C {
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  One = 0x31,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  Backslash = 0x5c,
  LowerE = 0x65,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

/** Field bits: each key may appear once. */
const enum K {
  V = 1,
  Type = 2,
  T = 4,
  Pid = 8,
  Seq = 16,
  File = 32,
  Line = 64,
  Func = 128,
  Label = 256,
  Mem = 512,
  Rss = 1024,
  Vms = 2048,
  REQUIRED = V | Type | T | Pid | Seq | Mem | Rss,
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const CHECKPOINT = bytes('checkpoint');
/** Exact powers of ten: m / 10^k is correctly rounded for integers m < 2^53 and k <= 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const EXACT = 2 ** 53;

/**
 * Reads a checkpoint line straight from its bytes: no string for the line, no object for
 * the record. It accepts one shape only (an object of the checkpoint's known fields, in
 * any order, with `mem` holding `rss` and optionally `vms`, strings without escapes), and
 * only when every field is one `validateRecord` accepts, with the values JSON.parse would
 * give. Anything else (other record types, unknown fields, escapes, devices, a line that is
 * not valid JSON) makes `scan` return false, and the caller decodes the line the general
 * way, which accepts it or says why not. So false never means "invalid", and true never
 * accepts a line the general path refuses.
 */
export class CheckpointScanner {
  t = 0;
  pid = 0;
  seq = 0;
  /** NaN when absent. */
  line = NaN;
  rss = 0;
  /** NaN when absent. */
  vms = NaN;
  /** `start` is -1 when absent. */
  readonly file: ByteRange = { start: -1, end: 0, ascii: true };
  readonly func: ByteRange = { start: -1, end: 0, ascii: true };
  readonly label: ByteRange = { start: -1, end: 0, ascii: true };
  private readonly type: ByteRange = { start: -1, end: 0, ascii: true };
  private b: Buffer = Buffer.alloc(0);
  private end = 0;
  private v = 0;
  /** The number `num` read last. */
  private n = 0;
  /** Past the closing quote of the key `key` read last. */
  private keyEnd = 0;
  /** The fields `mem` held. */
  private memSeen = 0;

  /** True when `b[start, end)` is a checkpoint of the common shape: its fields are then in this scanner. */
  scan(b: Buffer, start: number, end: number): boolean {
    this.b = b;
    this.end = end;
    this.file.start = this.func.start = this.label.start = -1;
    this.line = this.vms = NaN;
    let p = this.ws(start);
    if (p >= end || b[p] !== C.LBrace) return false;
    let seen = 0;
    p = this.ws(p + 1);
    for (;;) {
      const key = this.key(p, false);
      if (key === 0 || (seen & key) !== 0) return false;
      seen |= key;
      p = this.afterColon(this.keyEnd);
      if (p < 0) return false;
      switch (key) {
        case K.Type:
          p = this.str(p, this.type);
          if (p < 0 || !this.isCheckpoint()) return false;
          break;
        case K.File:
          p = this.str(p, this.file);
          break;
        case K.Func:
          p = this.str(p, this.func);
          break;
        case K.Label:
          p = this.str(p, this.label);
          break;
        case K.Mem:
          p = this.mem(p);
          seen |= this.memSeen;
          break;
        default:
          p = this.num(p);
          if (p < 0) return false;
          if (key === K.V) this.v = this.n;
          else if (key === K.T) this.t = this.n;
          else if (key === K.Pid) this.pid = this.n;
          else if (key === K.Seq) this.seq = this.n;
          else this.line = this.n;
      }
      if (p < 0) return false;
      p = this.ws(p);
      if (p >= end) return false;
      if (b[p] === C.Comma) {
        p = this.ws(p + 1);
        continue;
      }
      if (b[p] !== C.RBrace) return false;
      p = this.ws(p + 1);
      break;
    }
    if (p !== end || (seen & K.REQUIRED) !== K.REQUIRED) return false;
    // What validateRecord checks, so that a true here is a record it would accept.
    if (Math.floor(this.v) !== 1 || !Number.isFinite(this.t) || !Number.isFinite(this.pid) || !Number.isFinite(this.seq)) return false;
    if ((seen & K.Line) !== 0 && !(Number.isInteger(this.line) && this.line >= 1)) return false;
    return Number.isFinite(this.rss) && this.rss >= 0;
  }

  /** The `{"rss": n, "vms": n}` of a checkpoint; the index after it, or -1. */
  private mem(p: number): number {
    const b = this.b;
    if (p >= this.end || b[p] !== C.LBrace) return -1;
    let seen = 0;
    p = this.ws(p + 1);
    for (;;) {
      const key = this.key(p, true);
      if (key === 0 || (seen & key) !== 0) return -1;
      seen |= key;
      p = this.num(this.afterColon(this.keyEnd));
      if (p < 0) return -1;
      if (key === K.Rss) this.rss = this.n;
      else this.vms = this.n;
      p = this.ws(p);
      if (p >= this.end) return -1;
      if (b[p] === C.Comma) {
        p = this.ws(p + 1);
        continue;
      }
      if (b[p] !== C.RBrace) return -1;
      this.memSeen = seen;
      return p + 1;
    }
  }

  /** The field a key at `p` names (0: not one this shape has); sets `keyEnd` past its closing quote. */
  private key(p: number, inMem: boolean): number {
    const b = this.b;
    const end = this.end;
    if (p >= end || b[p] !== C.Quote) return 0;
    const k = p + 1;
    let q = k;
    while (q < end && b[q] !== C.Quote) q++;
    if (q >= end) return 0;
    this.keyEnd = q + 1;
    const c0 = b[k];
    switch (q - k) {
      case 1:
        return inMem ? 0 : c0 === 0x76 /* v */ ? K.V : c0 === 0x74 /* t */ ? K.T : 0;
      case 3: {
        const c1 = b[k + 1];
        const c2 = b[k + 2];
        if (inMem) return c0 === 0x72 && c1 === 0x73 && c2 === 0x73 ? K.Rss : c0 === 0x76 && c1 === 0x6d && c2 === 0x73 ? K.Vms : 0;
        if (c0 === 0x70 && c1 === 0x69 && c2 === 0x64) return K.Pid;
        if (c0 === 0x73 && c1 === 0x65 && c2 === 0x71) return K.Seq;
        return c0 === 0x6d && c1 === 0x65 && c2 === 0x6d ? K.Mem : 0;
      }
      case 4: {
        if (inMem) return 0;
        const c1 = b[k + 1];
        const c2 = b[k + 2];
        const c3 = b[k + 3];
        if (c0 === 0x74 && c1 === 0x79 && c2 === 0x70 && c3 === 0x65) return K.Type;
        if (c0 === 0x66 && c1 === 0x69 && c2 === 0x6c && c3 === 0x65) return K.File;
        if (c0 === 0x6c && c1 === 0x69 && c2 === 0x6e && c3 === 0x65) return K.Line;
        return c0 === 0x66 && c1 === 0x75 && c2 === 0x6e && c3 === 0x63 ? K.Func : 0;
      }
      case 5:
        return !inMem && c0 === 0x6c && b[k + 1] === 0x61 && b[k + 2] === 0x62 && b[k + 3] === 0x65 && b[k + 4] === 0x6c ? K.Label : 0;
      default:
        return 0;
    }
  }

  /** Past the colon after a key at `p` and the whitespace around it; -1 without one. */
  private afterColon(p: number): number {
    p = this.ws(p);
    if (p >= this.end || this.b[p] !== C.Colon) return -1;
    return this.ws(p + 1);
  }

  private ws(p: number): number {
    const b = this.b;
    const end = this.end;
    while (p < end) {
      const c = b[p];
      if (c !== C.Space && c !== C.Tab && c !== C.Cr && c !== C.Lf) break;
      p++;
    }
    return p;
  }

  /** A string without escapes or control characters into `r`; the index after it, or -1. */
  private str(p: number, r: ByteRange): number {
    const b = this.b;
    const end = this.end;
    if (p < 0 || p >= end || b[p] !== C.Quote) return -1;
    let q = p + 1;
    let high = 0;
    for (; q < end; q++) {
      const c = b[q];
      if (c === C.Quote) break;
      if (c === C.Backslash || c < C.Space) return -1;
      high |= c;
    }
    if (q >= end) return -1;
    r.start = p + 1;
    r.end = q;
    r.ascii = high < 0x80;
    return q + 1;
  }

  private isCheckpoint(): boolean {
    const r = this.type;
    if (r.end - r.start !== CHECKPOINT.length) return false;
    for (let i = 0; i < CHECKPOINT.length; i++) if (this.b[r.start + i] !== CHECKPOINT[i]) return false;
    return true;
  }

  /**
   * A JSON number (its grammar checked byte by byte) into `n`; the index after it, or -1.
   * Up to 2^53 in digits with at most 22 decimals it is computed exactly as JSON.parse
   * would round it; longer ones, and exponents, go through Number() on the checked text.
   */
  private num(p: number): number {
    const b = this.b;
    const end = this.end;
    if (p < 0 || p >= end) return -1;
    const s = p;
    const neg = b[p] === C.Minus;
    if (neg && ++p >= end) return -1;
    let c = b[p];
    let m = 0;
    if (c === C.Zero) p++;
    else if (c >= C.One && c <= C.Nine) {
      while (p < end && (c = b[p]) >= C.Zero && c <= C.Nine) {
        m = m * 10 + (c - C.Zero);
        p++;
      }
    } else return -1;
    let decimals = 0;
    if (p < end && b[p] === C.Dot) {
      const f = ++p;
      while (p < end && (c = b[p]) >= C.Zero && c <= C.Nine) {
        m = m * 10 + (c - C.Zero);
        p++;
      }
      decimals = p - f;
      if (decimals === 0) return -1;
    }
    if (p < end && (b[p] === C.LowerE || b[p] === C.UpperE)) {
      if (++p < end && (b[p] === C.Plus || b[p] === C.Minus)) p++;
      const e = p;
      while (p < end && (c = b[p]) >= C.Zero && c <= C.Nine) p++;
      if (p === e) return -1;
      this.n = Number(b.toString('latin1', s, p));
      return p;
    }
    if (m >= EXACT || decimals > 22) this.n = Number(b.toString('latin1', s, p));
    else {
      const x = decimals === 0 ? m : m / POW10[decimals];
      this.n = neg ? -x : x;
    }
    return p;
  }
}
