// UI suite: the window reloaded while a program reports. A program started outside VS Code in
// the workspace (it finds the window through its connection file) reports a checkpoint every
// 100 ms; the page is reloaded, which restarts the extension host (new pid, new listener, new
// token). The program must reconnect by itself, and the new window must go on with the same
// session: the same name, the same recording, points before and after, and a marked gap.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startCodeServer, workbenchUrl } from '../../rig/codeServer.mjs';
import { runCommand, runTests, screenshot, shotOnFailure, statusItem, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const needsServer = false;

const LOOP = `import time, headroom
keep = []
for i in range(1200):
    keep.append(bytearray(100_000))
    headroom.checkpoint("step")
    time.sleep(0.1)
`;

// A rank on "another machine" (its hello names another host) reporting through the remote port
// with the token Copy Remote Connection Settings gave; a checkpoint every 100 ms.
const REMOTE_LOOP = `import socket, time
socket.gethostname = lambda: "node-remote-9"
import headroom
for i in range(1200):
    headroom.checkpoint("remote step")
    time.sleep(0.1)
`;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits for `ok()` to return something truthy; returns it. */
async function until(ok, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await ok();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The live windows' connection files: [{ file, pid, addr }]. */
function windows(runtime) {
  return readdirSync(runtime)
    .filter((n) => /^window-\d+\.json$/.test(n))
    .map((n) => ({ file: n, ...JSON.parse(readFileSync(join(runtime, n), 'utf8')) }))
    .filter((w) => {
      try {
        process.kill(w.pid, 0);
        return true;
      } catch {
        return false;
      }
    });
}

/** The recordings of the server's extension storage whose header names `pid` as the root (or, with a string, the session). */
function recordingsOf(dataDir, pid) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ndjson') && d.endsWith('recordings')) {
        const first = readFileSync(p, 'utf8').split('\n')[0];
        const h = JSON.parse(first);
        if (typeof pid === 'string' ? h.name === pid : h.rootPid === pid) found.push(p);
      }
    }
  };
  walk(dataDir);
  return found;
}

/** On a failure: the recordings' own records (not samples or checkpoints) and the tail of each window's Headroom log. */
function whatHappened(server, recordings) {
  const recs = recordings.map((r) => `${r}: ${records(r).filter((x) => !['sample', 'checkpoint'].includes(x.type)).map((x) => `${x.type}@${x.t ?? ''}`).join(' ')}`);
  const logs = [];
  const walk = (d) => {
    for (const x of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, x.name);
      if (x.isDirectory()) walk(p);
      else if (x.name === 'Headroom.log') logs.push(`${p}\n${readFileSync(p, 'utf8').split('\n').slice(-25).join('\n')}`);
    }
  };
  walk(join(server.dataDir, 'user-data', 'logs'));
  return [...recs, ...logs].join('\n');
}

function records(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { type: 'unreadable' };
      }
    });
}

export async function run({ browser }) {
  const runtime = mkdtempSync(join(tmpdir(), 'headroom-reload-rt-'));
  chmodSync(runtime, 0o700);
  const ws = mkdtempSync(join(tmpdir(), 'headroom-reload-ws-'));
  writeFileSync(join(ws, 'loop.py'), LOOP);
  const remotePort = await freePort();
  const server = await startCodeServer({
    settings: { 'headroom.python.interpreter': '/usr/bin/python3', 'headroom.notifications.sessionStart': false, 'headroom.remote.listen': `127.0.0.1:${remotePort}` },
    env: { HEADROOM_RUNTIME_DIR: runtime },
  });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await browser.context.newPage();
  let program;
  let remoteRank;
  try {
    await page.goto(workbenchUrl(server, { folder: ws, extensionDevelopmentPath: repoRoot }));
    await waitForWorkbench(page);
    return [
      await runTests('ui', [
        [
          'a program reporting through a window reload reconnects by itself; the new window goes on with the same session, points before and after, and a marked gap',
          shotOnFailure(page, 'reload', async () => {
            const [first] = await until(() => windows(runtime).length && windows(runtime), 60_000, "the window's connection file");
            program = spawn('/usr/bin/python3', [join(ws, 'loop.py')], { cwd: ws, stdio: 'ignore', env: { ...process.env, PYTHONPATH: join(repoRoot, 'src', 'python'), HEADROOM_RUNTIME_DIR: runtime } });
            const [rec] = await until(() => recordingsOf(server.dataDir, program.pid).length && recordingsOf(server.dataDir, program.pid), 30_000, 'the run to be recorded');
            await statusItem(page, 'loop.py').first().waitFor({ timeout: 30_000 });
            await until(() => records(rec).filter((r) => r.type === 'checkpoint').length >= 20, 30_000, '20 checkpoints before the reload');

            const reloadedAt = Date.now();
            await page.reload();
            await waitForWorkbench(page);
            const second = await until(() => windows(runtime).find((w) => w.pid !== first.pid), 60_000, 'the new extension host');
            assert.notEqual(second.addr, first.addr, 'a new listener');
            assert.notEqual(second.token, first.token, 'a new window token');

            // The recording goes on: a gap, a second hello from the same pid, checkpoints after it.
            const after = await until(() => {
              const rs = records(rec);
              const gap = rs.findIndex((r) => r.type === 'gap');
              if (gap < 0) return undefined;
              const later = rs.slice(gap);
              return later.filter((r) => r.type === 'checkpoint').length >= 10 && later.some((r) => r.type === 'hello') ? rs : undefined;
            }, 60_000, 'the gap, a new hello and checkpoints after it in the same recording');
            const gapAt = after.findIndex((r) => r.type === 'gap');
            const gap = after[gapAt];
            assert.equal(gap.reason, 'window reloaded');
            assert.ok(gap.from <= gap.to && gap.to >= reloadedAt - 1000, JSON.stringify(gap));
            const hellos = after.filter((r) => r.type === 'hello');
            assert.equal(hellos.length, 2, 'one hello per window');
            // Accepted by the new listener, which admits only its own tokens (none is ever recorded).
            assert.equal(hellos[1].pid, program.pid, 'the program itself reconnected');
            assert.equal(hellos[1].token, undefined);
            const samples = after.filter((r) => r.type === 'sample');
            assert.ok(samples.some((s) => s.t < gap.from) && samples.some((s) => s.t > gap.to), 'samples before and after the gap');
            assert.ok(!samples.some((s) => s.t > gap.from && s.t < gap.to), 'nothing sampled inside the gap');
            assert.ok(!after.slice(0, gapAt).some((r) => r.type === 'end' || r.type === 'exit'), 'the old window did not end the run');
            assert.equal(after[gapAt - 2]?.type, 'detach', 'a reload lets go of the run with a detach (then the new window appends its header)');
            const mine = recordingsOf(server.dataDir, program.pid);
            assert.equal(mine.length, 1, `one recording: no second session for the same program\n${whatHappened(server, mine)}`);

            assert.equal(program.exitCode, null, 'the program runs on');

            // What a person sees: the same session by name, its timeline with the checkpoints from before and a gap band.
            await statusItem(page, 'loop.py').first().waitFor({ timeout: 30_000 });
            await runCommand(page, 'Headroom: Show Timeline');
            const frame = webviewFrame(page);
            const canvas = frame.locator('canvas');
            await canvas.waitFor({ timeout: 20_000 });
            await frame.locator('canvas[data-gaps="1"]').waitFor({ timeout: 20_000 });
            const row = frame.locator('tbody tr', { hasText: 'step' }).first();
            await row.waitFor({ timeout: 20_000 });
            const hits = Number((await row.locator('td').allInnerTexts()).find((t) => /^\d+$/.test(t.trim())));
            const before = after.slice(0, gapAt).filter((r) => r.type === 'checkpoint').length;
            assert.ok(hits > before, `the table counts hits from before and after the reload: ${hits} > ${before}`);
            assert.match(await frame.locator('header').innerText(), /loop\.py/);
            await page.waitForTimeout(800);
            await screenshot(page, 'reload-gap');
          }),
        ],
        [
          'an extension host killed with SIGKILL (it writes nothing more, not even a detach) and the page reloaded: the run is resumed once more, two gaps, the earlier one read back from the recording',
          shotOnFailure(page, 'reload-killed-host', async () => {
            const before = windows(runtime).map((w) => w.pid);
            const [rec] = recordingsOf(server.dataDir, program.pid);
            // The connection file's pid is the extension host's. A browser workbench does not restart a
            // host that died by itself: a person reloads the page.
            process.kill(before[0], 'SIGKILL');
            await new Promise((r) => setTimeout(r, 1000));
            await page.reload();
            await waitForWorkbench(page);
            await until(() => windows(runtime).find((w) => !before.includes(w.pid)), 60_000, 'the restarted extension host');
            await until(() => {
              const rs = records(rec);
              const second = rs.map((r, i) => (r.type === 'gap' ? i : -1)).filter((i) => i >= 0)[1];
              return second !== undefined && rs.slice(second).filter((r) => r.type === 'checkpoint').length >= 5;
            }, 60_000, 'a second gap and checkpoints after it');
            assert.equal(recordingsOf(server.dataDir, program.pid).length, 1, 'still one recording');
            const gaps = records(rec).filter((r) => r.type === 'gap');
            assert.equal(gaps.length, 2, 'one gap per restart');
            assert.ok(gaps[0].to < gaps[1].from, 'in order, apart');
            await runCommand(page, 'Headroom: Show Timeline');
            const frame = webviewFrame(page);
            await frame.locator('canvas[data-gaps="2"]').waitFor({ timeout: 20_000 });
            // A checkpoint every 100 ms: a rug at the foot of the plot, not a fence over the lines.
            await frame.locator('canvas[data-checkpoint-style="rug"]').waitFor({ timeout: 10_000 });
            await page.waitForTimeout(800);
            await screenshot(page, 'reload-two-gaps');
          }),
        ],
        [
          "a program typed into an integrated terminal (the old window's address and token in its environment) finds the new window by itself after a reload",
          shotOnFailure(page, 'reload-terminal', async () => {
            writeFileSync(join(ws, 'term_loop.py'), LOOP);
            await runCommand(page, 'View: Close All Editors');
            await runCommand(page, 'Terminal: Create New Terminal');
            const term = page.locator('.terminal-wrapper textarea, .xterm-helper-textarea').first();
            await term.waitFor({ state: 'attached', timeout: 20_000 });
            await page.waitForTimeout(1500); // the shell's prompt
            await term.focus();
            await page.keyboard.type('python3 term_loop.py\n', { delay: 5 });
            const [rec] = await until(() => recordingsOf(server.dataDir, 'term_loop.py').length && recordingsOf(server.dataDir, 'term_loop.py'), 30_000, 'the terminal run to be recorded');
            await until(() => records(rec).filter((r) => r.type === 'checkpoint').length >= 10, 30_000, 'checkpoints before the reload');
            const started = Date.now();
            await page.reload();
            await waitForWorkbench(page);
            const rs = await until(() => {
              const all = records(rec);
              const gap = all.findIndex((r) => r.type === 'gap');
              return gap >= 0 && all.slice(gap).filter((r) => r.type === 'checkpoint').length >= 5 && all.filter((r) => r.type === 'hello').length >= 2 ? all : undefined;
            }, 60_000, 'the terminal program back, after a gap, in the same recording');
            const hellos = rs.filter((r) => r.type === 'hello');
            assert.equal(hellos[1].pid, hellos[0].pid, 'the same process reconnected');
            assert.equal(recordingsOf(server.dataDir, 'term_loop.py').length, 1);
            const gap = rs.find((r) => r.type === 'gap');
            // The hello's time is the program's own clock (seconds): when it reconnected.
            console.log(`    gap ${((gap.to - gap.from) / 1000).toFixed(1)} s; the program reconnected ${((hellos[1].t * 1000 - started) / 1000).toFixed(1)} s after the reload began`);
          }),
        ],
        [
          'a rank of another machine started with the copied remote token reports on after a reload: the token is kept, the rank reconnects by itself, and its run goes on in the same recording after a gap',
          shotOnFailure(page, 'reload-remote', async () => {
            await runCommand(page, 'Headroom: Copy Remote Connection Settings');
            const copied = await until(async () => {
              const text = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
              return /^HEADROOM_ADDR=tcp:\S+ HEADROOM_TOKEN=\S+$/.test(text) && text;
            }, 20_000, 'the remote connection settings on the clipboard');
            const [, addr, token] = /^HEADROOM_ADDR=(\S+) HEADROOM_TOKEN=(\S+)$/.exec(copied);
            assert.equal(addr, `tcp:127.0.0.1:${remotePort}`);
            writeFileSync(join(ws, 'rank_loop.py'), REMOTE_LOOP);
            remoteRank = spawn('/usr/bin/python3', [join(ws, 'rank_loop.py')], { cwd: tmpdir(), stdio: 'ignore', env: { ...process.env, PYTHONPATH: join(repoRoot, 'src', 'python'), HEADROOM_ADDR: addr, HEADROOM_TOKEN: token, HEADROOM_RUNTIME_DIR: runtime } });
            const name = 'rank_loop.py on node-remote-9';
            const helloOf = (rec) => records(rec).find((r) => r.type === 'hello');
            const [before] = await until(() => {
              const recs = recordingsOf(server.dataDir, name).filter((r) => records(r).filter((x) => x.type === 'checkpoint').length >= 5);
              return recs.length && recs;
            }, 30_000, 'the remote run recorded with checkpoints');
            assert.equal(helloOf(before).pid, remoteRank.pid);
            await page.reload();
            await waitForWorkbench(page);
            // The new window listens on the same port with the stored token; the rank reconnects by
            // itself, and the new window goes on with the run the old one detached: same recording, a gap.
            const rs = await until(() => {
              const all = records(before);
              const gap = all.findIndex((r) => r.type === 'gap');
              return gap >= 0 && all.slice(gap).filter((r) => r.type === 'checkpoint').length >= 5 ? all : undefined;
            }, 60_000, 'the same rank reporting to the new window, after a gap, in the same recording').catch((e) => {
              throw new Error(`${e.message}\n${whatHappened(server, recordingsOf(server.dataDir, name))}`);
            });
            const detach = rs.find((r) => r.type === 'detach');
            assert.deepEqual(detach.members, [['node-remote-9', remoteRank.pid]], 'the closing window named the rank');
            const hellos = rs.filter((r) => r.type === 'hello');
            assert.deepEqual(hellos.map((h) => h.pid), [remoteRank.pid, remoteRank.pid], 'the same process, reconnected by itself');
            assert.equal(recordingsOf(server.dataDir, name).length, 1, 'one recording for the run');
            assert.equal(remoteRank.exitCode, null, 'the rank runs on');
            assert.ok(!readFileSync(before, 'utf8').includes(token), 'the token is not recorded');
          }),
        ],
      ]),
    ];
  } finally {
    program?.kill('SIGKILL');
    remoteRank?.kill('SIGKILL');
    await page.close();
    await server.stop();
    rmSync(runtime, { recursive: true, force: true });
    rmSync(ws, { recursive: true, force: true });
  }
}
