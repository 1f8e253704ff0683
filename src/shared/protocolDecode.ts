// Decoding one line of the log protocol: JSON, then the checks that make it a record (the
// version, the type, the fields each type needs, their types). Unknown fields are ignored.
// The spec is docs/protocol.md; the records' shapes are protocol.ts.

import { badAllocations } from './allocationsRecord';
import { MAX_LINE_BYTES, PROTOCOL_VERSION, type ProtocolRecord } from './protocol';

export type DecodeErrorCode = 'too-long' | 'json' | 'not-object' | 'version' | 'unknown-type' | 'missing-field' | 'bad-field';

export type DecodeResult = { readonly ok: true; readonly record: ProtocolRecord } | DecodeFailure;

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Absent, or a non-negative integer (the hello's local_rank, local_world_size). */
const isCount = (x: unknown): boolean => x === undefined || (Number.isInteger(x) && (x as number) >= 0);
/** An object of non-negative integer counts (bye.errors). */
const isCounts = (x: unknown): boolean => isObj(x) && Object.values(x).every((n) => Number.isInteger(n) && (n as number) >= 0);
const isOptString = (x: unknown): boolean => x === undefined || typeof x === 'string';

/** What is wrong with a region's `cell`, or undefined when it is a NotebookCell. */
function badCell(c: unknown): string | undefined {
  if (!isObj(c)) return '"cell" must be an object';
  if (typeof c.hash !== 'string') return '"cell.hash" must be a string';
  if (!isOptString(c.id) || !isOptString(c.preview)) return '"cell.id" and "cell.preview" must be strings';
  if (!isCount(c.count)) return '"cell.count" must be a non-negative integer';
  return undefined;
}

type Fields = Record<string, unknown>;
const fail = (code: DecodeErrorCode, message: string, type?: string) => new DecodeFailure(code, message, type);

function checkMem(x: unknown, field: string, type: string): DecodeFailure | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) return fail('bad-field', `${field} must be an object`, type);
  const rss = x.rss;
  if (!isNum(rss) || rss < 0) return fail('bad-field', `${field}.rss must be a non-negative number`, type);
  if (x.devices !== undefined && !Array.isArray(x.devices)) return fail('bad-field', `${field}.devices must be an array`, type);
  return undefined;
}

const UNKNOWN = 0;

/**
 * The first field `type` must carry beyond the base (v, type, t, pid, seq) that `x` lacks,
 * '' when it has them all, UNKNOWN when `type` is not a record type.
 */
function missingRequired(x: Fields, type: string): string | typeof UNKNOWN {
  // Named property reads, not a loop over key names: this runs for every record received.
  switch (type) {
    case 'hello':
      return x.token === undefined ? 'token' : '';
    case 'checkpoint':
      return x.mem === undefined ? 'mem' : '';
    case 'region_start':
      return x.id === undefined ? 'id' : x.mem === undefined ? 'mem' : '';
    case 'region_end':
      return x.id === undefined ? 'id' : x.mem === undefined ? 'mem' : x.duration === undefined ? 'duration' : '';
    case 'call':
      return x.t0 === undefined ? 't0' : x.mem0 === undefined ? 'mem0' : x.mem === undefined ? 'mem' : '';
    case 'epoch_start':
    case 'epoch_end':
      return x.epoch === undefined ? 'epoch' : x.mem === undefined ? 'mem' : '';
    case 'batch_end':
      return x.batch === undefined ? 'batch' : x.mem === undefined ? 'mem' : '';
    case 'cleanup_result':
      return x.id === undefined ? 'id' : x.duration === undefined ? 'duration' : x.actions === undefined ? 'actions' : x.rss === undefined ? 'rss' : '';
    case 'pong':
      return x.id === undefined ? 'id' : '';
    case 'bye':
      return '';
    case 'oom':
      return x.error === undefined ? 'error' : x.mem === undefined ? 'mem' : '';
    case 'allocations':
      return x.source === undefined ? 'source' : '';
    default:
      return UNKNOWN;
  }
}

/** Why a line is not a record. */
export class DecodeFailure {
  readonly ok = false;
  constructor(
    readonly code: DecodeErrorCode,
    readonly message: string,
    readonly type?: string,
  ) {}
}

const asResult = (r: ProtocolRecord | DecodeFailure): DecodeResult => (r instanceof DecodeFailure ? r : { ok: true, record: r });

/**
 * Decodes one line (without its newline). Unknown fields are ignored; unknown types,
 * other major versions, oversize and malformed lines come back as errors with a code.
 */
export function decodeLine(line: string, byteLength = Buffer.byteLength(line)): DecodeResult {
  return asResult(decodeRecord(line, byteLength));
}

/** `decodeLine` without the wrapper object around a record: the listener's path, once per line received. */
export function decodeRecord(line: string, byteLength: number): ProtocolRecord | DecodeFailure {
  if (byteLength > MAX_LINE_BYTES) return new DecodeFailure('too-long', `line of ${byteLength} bytes exceeds ${MAX_LINE_BYTES}`);
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch (e) {
    return new DecodeFailure('json', `not JSON: ${(e as Error).message}`);
  }
  return check(x);
}

/** Validates a parsed value as a protocol record. */
export function validateRecord(x: unknown): DecodeResult {
  return asResult(check(x));
}

function check(x: unknown): ProtocolRecord | DecodeFailure {
  if (!isObj(x)) return fail('not-object', 'a record must be a JSON object');
  const type = typeof x.type === 'string' ? x.type : undefined;
  const v = x.v;
  if (!isNum(v)) return fail('missing-field', 'missing protocol version "v"', type);
  if (Math.floor(v) !== PROTOCOL_VERSION) {
    return fail('version', `protocol version ${v} is not supported (this Headroom speaks ${PROTOCOL_VERSION}.x): update the extension or the client`, type);
  }
  if (type === undefined) return fail('missing-field', 'missing "type"');
  // A switch, not a Set of names: this runs for every record received.
  const missing = missingRequired(x, type);
  if (missing === UNKNOWN) return fail('unknown-type', `unknown record type ${JSON.stringify(type.slice(0, 40))}`, type);
  const badBase = !isNum(x.t) ? 't' : !isNum(x.pid) ? 'pid' : !isNum(x.seq) ? 'seq' : undefined;
  if (badBase) return fail(x[badBase] === undefined ? 'missing-field' : 'bad-field', `"${badBase}" must be a number`, type);
  if (missing) return fail('missing-field', `${type} needs "${missing}"`, type);
  const memError = checkMem(x.mem, 'mem', type) ?? checkMem(x.mem0, 'mem0', type);
  if (memError) return memError;
  const line = x.line;
  if (line !== undefined && (!Number.isInteger(line) || (line as number) < 1)) return fail('bad-field', '"line" must be a positive integer', type);
  const badString = x.file !== undefined && typeof x.file !== 'string' ? 'file' : x.func !== undefined && typeof x.func !== 'string' ? 'func' : x.label !== undefined && typeof x.label !== 'string' ? 'label' : undefined;
  if (badString) return fail('bad-field', `"${badString}" must be a string`, type);
  if (type === 'hello') {
    if (typeof x.token !== 'string') return fail('bad-field', '"token" must be a string', type);
    const badCount = !isCount(x.local_rank) ? 'local_rank' : !isCount(x.local_world_size) ? 'local_world_size' : undefined;
    if (badCount) return fail('bad-field', `"${badCount}" must be a non-negative integer`, type);
  }
  if (x.step !== undefined && (type === 'batch_end' || type === 'epoch_start' || type === 'epoch_end') && !isCount(x.step)) return fail('bad-field', '"step" must be a non-negative integer', type);
  if (x.cell !== undefined) {
    const bad = badCell(x.cell);
    if (bad) return fail('bad-field', bad, type);
  }
  if (type === 'bye' && x.errors !== undefined && !isCounts(x.errors)) return fail('bad-field', '"errors" must be an object of non-negative integer counts', type);
  if (type === 'oom') {
    if (typeof x.error !== 'string') return fail('bad-field', '"error" must be a string', type);
    if (x.requested !== undefined && !(isNum(x.requested) && x.requested >= 0)) return fail('bad-field', '"requested" must be a non-negative number', type);
    if (x.allocator !== undefined && !Array.isArray(x.allocator)) return fail('bad-field', '"allocator" must be an array', type);
  }
  if (type === 'allocations') {
    const bad = badAllocations(x);
    if (bad) return fail('bad-field', bad, type);
  }
  return x as unknown as ProtocolRecord;
}
