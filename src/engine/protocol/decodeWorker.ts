// The decode worker's entry (built to dist/decodeWorker.js): connections' bytes in, record
// batches out, one answer per message, in order. See DecodeThread.
import { parentPort } from 'node:worker_threads';
import type { FromDecodeWorker, ToDecodeWorker } from './decodeThread';
import { BatchDecoder } from './recordBatch';

const port = parentPort;
const decoders = new Map<number, BatchDecoder>();

port?.on('message', (m: ToDecodeWorker) => {
  if (m.op === 'open') {
    decoders.set(m.id, new BatchDecoder(m.pid));
    return;
  }
  if (m.op === 'end') {
    // A last line without its newline is decoded (or its refusal counted) before the end.
    const last = decoders.get(m.id)?.end();
    decoders.delete(m.id);
    if (last) port.postMessage({ op: 'batch', id: m.id, bytes: 0, batch: last } satisfies FromDecodeWorker);
    port.postMessage({ op: 'ended', id: m.id } satisfies FromDecodeWorker);
    return;
  }
  let d = decoders.get(m.id);
  if (!d) decoders.set(m.id, (d = new BatchDecoder()));
  const batch = d.push(Buffer.from(m.buf));
  const transfer: ArrayBuffer[] = [batch.checkpoints.buffer as ArrayBuffer];
  let raw = batch.raw;
  if (raw.buffer === m.buf) transfer.push(m.buf);
  else if (raw.byteLength !== 0) {
    // Either a fresh array or a view on a line joined across reads (possibly pooled): send a copy of its own.
    if (raw.byteOffset !== 0 || raw.byteLength !== raw.buffer.byteLength) raw = new Uint8Array(raw);
    transfer.push(raw.buffer as ArrayBuffer);
  }
  port.postMessage({ op: 'batch', id: m.id, bytes: m.buf.byteLength, batch: raw === batch.raw ? batch : { ...batch, raw } } satisfies FromDecodeWorker, transfer);
});
