// A client that floods a window: it finds the listener and the window token in the window's
// connection file (docs/connection.md), says hello as itself (so the window adopts it by pid,
// as it would any program started outside the editor), then writes checkpoint records at a
// target rate for a while, paced in 5 ms slices and held back only by the socket's own
// back-pressure. Prints one JSON line: what it sent and the rate it achieved.
//
//   node flood.mjs <connection-file> [records-per-second=300000] [seconds=10]
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const [connFile, rateArg = '300000', secondsArg = '10'] = process.argv.slice(2);
if (!connFile) {
  console.error('usage: node flood.mjs <connection-file> [records-per-second] [seconds]');
  process.exit(2);
}
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const info = JSON.parse(readFileSync(connFile, 'utf8'));
const unixAddr = String(info.addr)
  .split(',')
  .find((a) => a.startsWith('unix:'));
if (!unixAddr) {
  console.error(`no unix: address in ${connFile}: ${info.addr}`);
  process.exit(2);
}

const socket = connect(unixAddr.slice('unix:'.length));
await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('error', reject);
});
socket.on('error', (e) => {
  console.error(`flood: ${e.message}`);
  process.exit(1);
});

const pid = process.pid;
let seq = 0;
const hello = { v: 1, type: 'hello', t: Date.now() / 1000, pid, seq: seq++, token: info.token, ppid: process.ppid, argv: ['flood.mjs'], client: 'headroom-bench-flood/1', cwd: process.cwd() };
socket.write(JSON.stringify(hello) + '\n');

// A training loop's checkpoints: a few lines of one file, memory that drifts.
const labels = ['after forward', 'after backward', 'after step', 'loader'];
const lines = [41, 42, 57, 63];
function chunk(n) {
  const t = (Date.now() / 1000).toFixed(3);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = seq & 3;
    const rss = 2_000_000_000 + ((seq * 7919) % 1_000_000) * 4096;
    s += `{"v":1,"type":"checkpoint","t":${t},"pid":${pid},"seq":${seq},"label":"${labels[k]}","file":"/srv/job/train.py","line":${lines[k]},"func":"step","mem":{"rss":${rss}}}\n`;
    seq++;
  }
  return s;
}

const SLICE_MS = 5;
const MAX_CHUNK = Math.max(1, Math.ceil((rate * 4 * SLICE_MS) / 1000)); // catch up at most 4 slices at once
let sent = 0;
let bytes = 0;
let blockedMs = 0;
const t0 = performance.now();
const end = t0 + seconds * 1000;
for (;;) {
  const now = performance.now();
  if (now >= end) break;
  const due = Math.floor(((now - t0) / 1000) * rate) - sent;
  if (due > 0) {
    const n = Math.min(due, MAX_CHUNK);
    const s = chunk(n);
    sent += n;
    bytes += s.length;
    if (!socket.write(s)) {
      const b = performance.now();
      await new Promise((r) => socket.once('drain', r));
      blockedMs += performance.now() - b;
      continue;
    }
  }
  await new Promise((r) => setTimeout(r, SLICE_MS));
}
const elapsed = (performance.now() - t0) / 1000;
socket.end(JSON.stringify({ v: 1, type: 'bye', t: Date.now() / 1000, pid, seq: seq++, reason: 'done' }) + '\n');
await new Promise((r) => {
  socket.once('close', r);
  setTimeout(r, 10_000).unref();
});
console.log(JSON.stringify({ pid, sent, bytes, seconds: elapsed, rate: sent / elapsed, blockedMs, target: rate }));
