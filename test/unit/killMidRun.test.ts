import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { recordsOf } from '../../src/engine/protocol/recordBatch';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { PYTHON, sleep } from './engine/allocator';
import { PY_CLIENT } from './engine/pythonRun';
import { rng } from './hostileCorpus';

/**
 * Reports checkpoint k0, k1, ... as fast as it can; after every even one it calls
 * headroom.flush() and then says "flushed i" on stdout. After k1 it sleeps 0.2 s (ten flush
 * intervals) without flushing and says "slept 1"; then it runs flat out until killed.
 */
const PROGRAM = `
import sys, time, headroom
i = 0
while True:
    headroom.checkpoint("k%d" % i)
    if i % 2 == 0:
        headroom.flush()
        sys.stdout.write("flushed %d\\n" % i)
        sys.stdout.flush()
    elif i == 1:
        time.sleep(0.2)
        sys.stdout.write("slept %d\\n" % i)
        sys.stdout.flush()
    i += 1
`;

/** Runs PROGRAM with `env`, SIGKILLs it `afterMs` after its first line, and returns what it had said. */
async function killAfter(env: Record<string, string>, afterMs: number): Promise<{ flushed: number; slept: number }> {
  const child = spawn(PYTHON, ['-c', PROGRAM], { env: { ...process.env, PYTHONPATH: PY_CLIENT, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let first: () => void = () => undefined;
  const started = new Promise<void>((r) => (first = r));
  child.stdout.on('data', (d) => {
    out += d;
    first();
  });
  // 'close', not 'exit': the lines still in the pipe when it died count too.
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, sig) => r(sig)));
  await started;
  await sleep(afterMs);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  // Only complete lines: the program may die mid-write.
  const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
  const last = (word: string) => Math.max(-1, ...lines.filter((l) => l.startsWith(word + ' ')).map((l) => Number(l.split(' ')[1])));
  return { flushed: last('flushed'), slept: last('slept') };
}

/** Labels k0..kn received, in order, without gaps, up to the first missing one: how far the stream is whole. */
function wholeUpTo(labels: readonly string[]): number {
  let n = -1;
  for (const l of labels) {
    if (l !== `k${n + 1}`) break;
    n++;
  }
  return n;
}

describe('kills: a program SIGKILLed at a random moment keeps every record it had flushed (real process, real socket)', function () {
  this.timeout(120_000);
  const random = rng(99);

  it('over a socket: everything up to the last flush() that returned arrives, in order; and the writer ships unflushed records within its interval', async () => {
    for (let run = 0; run < 5; run++) {
      const labels: string[] = [];
      let ended = false;
      const l = new ProtocolListener({
        onRecords: (_c, b) => {
          for (const r of recordsOf(b)) if (r.type === 'checkpoint') labels.push(r.label ?? '');
        },
        onDisconnect: () => (ended = true),
      });
      await l.start();
      try {
        const said = await killAfter(l.env(l.issueToken('kill')), 250 + random() * 300);
        const deadline = Date.now() + 10_000;
        while (!ended && Date.now() < deadline) await sleep(10);
        assert.ok(ended, 'the connection ended');
        assert.ok(said.flushed > 100 && said.slept === 1, `the program ran flat out after its sleep before it was killed: ${JSON.stringify(said)}`);
        const whole = wholeUpTo(labels);
        assert.ok(whole >= said.flushed, `run ${run}: flushed up to k${said.flushed}, received k0..k${whole} (${labels.length} in all)`);
        assert.ok(whole >= said.slept, `run ${run}: k${said.slept} was put 0.2 s before the kill without a flush, received up to k${whole}`);
        assert.equal(labels.length, whole + 1, 'nothing out of order or repeated');
      } finally {
        l.dispose();
      }
    }
  });

  it('into a log file (HEADROOM_LOG): everything up to the last flush() is in the file, and it reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-kill-'));
    try {
      for (let run = 0; run < 3; run++) {
        const file = join(dir, `run${run}.ndjson`);
        const said = await killAfter({ HEADROOM_LOG: file, HEADROOM_ADDR: '', HEADROOM_TOKEN: '' }, 250 + random() * 300);
        const rec = readRecording(file);
        const labels = rec.records.filter((r) => r.type === 'checkpoint').map((r) => String(r.label));
        assert.ok(wholeUpTo(labels) >= said.flushed, `run ${run}: flushed up to k${said.flushed}, file whole to k${wholeUpTo(labels)}`);
        assert.equal(rec.errorCount, 0, 'a kill leaves at most a partial last line, never a bad one');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
