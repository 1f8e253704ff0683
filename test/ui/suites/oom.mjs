// UI suite: out of memory, as a user meets it. A program growing 20 MB a step in a real 300 MiB
// memory cgroup: killed, and explained (notification, status bar, timeline marker); then the
// same program under the debugger with the guard on `pause`: the editor stops on its line,
// "Paused by Headroom", and continues when told. The debugpy adapter is Debian's, registered by
// the fixture extension the editor suites use (no marketplace here).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startCodeServer, workbenchUrl } from '../../rig/codeServer.mjs';
import { runTests, screenshot, shotOnFailure, statusItem, waitForWorkbench, webviewFrame, paletteRows } from '../workbench.mjs';

export const needsServer = false;
const LIMIT = 300 * 2 ** 20;

/** A memory cgroup under this process's own (v1 here; v2 where unified), limited, without swap; removed by `remove`. */
function makeCgroup(n) {
  const lines = readFileSync('/proc/self/cgroup', 'latin1').split('\n');
  const v1 = lines.map((l) => l.split(':')).find(([, c]) => c.split(',').includes('memory'));
  const unified = lines.map((l) => l.split(':')).find(([h, c]) => h === '0' && c === '');
  const v2 = !v1 && unified && existsSync('/sys/fs/cgroup/cgroup.controllers');
  if (!v1 && !v2) throw new Error('no memory cgroup controller for this process: this suite needs one (and root)');
  const base = v2 ? join('/sys/fs/cgroup', unified[2]) : join('/sys/fs/cgroup/memory', v1[2]);
  const dir = join(base, `headroom-ui-${process.pid}-${n}`);
  mkdirSync(dir);
  if (v2) {
    writeFileSync(join(dir, 'memory.max'), String(LIMIT));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  } else {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(LIMIT));
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(LIMIT));
  }
  return {
    procs: join(dir, 'cgroup.procs'),
    async remove() {
      for (let i = 0; i < 40; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'latin1').split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              /* gone */
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
  };
}

/** Runs the suite on a code-server of its own (with the debugpy fixture extension); returns one { passed, failed } per group. */
export async function run({ browser }) {
  const scratch = mkdtempSync(join(tmpdir(), 'headroom-ui-oom-'));
  const extensionsDir = join(scratch, 'extensions');
  cpSync(join(repoRoot, 'test', 'fixtures', 'debugpy-extension'), join(extensionsDir, 'headroom-test.debugpy-fixture-0.0.1'), { recursive: true });
  const server = await startCodeServer({
    extensionsDir,
    settings: { 'headroom.python.interpreter': '/usr/bin/python3', 'headroom.notifications.sessionStart': false, 'headroom.guard.mode': 'pause', 'task.allowAutomaticTasks': 'off', 'workbench.colorTheme': 'Default Dark Modern' },
  });
  const cgroups = [];
  try {
    // A workspace of its own: the program, an interpreter that enters the cgroup, a launch configuration.
    const folder = join(scratch, 'work');
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    copyFileSync(join(repoRoot, 'test', 'fixtures', 'oom', 'grow.py'), join(folder, 'grow.py'));
    const page = await browser.context.newPage();
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot }));
    await waitForWorkbench(page);
    return [
      await runTests('ui', [
        [
          'a run killed by the OOM killer is explained: notification, status bar, a marker in its timeline',
          shotOnFailure(page, 'oom-killed', async () => {
            const cg = makeCgroup(cgroups.length);
            cgroups.push(cg);
            await statusItem(page, 'Headroom').first().waitFor({ timeout: 30_000 });
            await paletteRows(page, 'Headroom: Run Command with Headroom');
            await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run Command with Headroom' }).first().click();
            const input = page.locator('.quick-input-widget input');
            await input.fill(`echo $$ > ${cg.procs} && exec /usr/bin/python3 grow.py ${join(scratch, 'saved')}`);
            await page.keyboard.press('Enter');
            const toast = page.locator('.notification-toast', { hasText: 'Killed by the out-of-memory killer' });
            await toast.first().waitFor({ timeout: 90_000 });
            assert.match(await toast.first().innerText(), /Killed by the out-of-memory killer at \d+ MB \(cgroup limit 315 MB\), .* after 'step \d+' \(grow\.py:16\)/);
            await statusItem(page, 'out of memory').first().waitFor({ timeout: 10_000 });
            await screenshot(page, 'oom-killed');
            await toast.locator('.monaco-button', { hasText: 'Open Timeline' }).first().click();
            const frame = webviewFrame(page);
            await frame.locator('canvas').waitFor({ timeout: 20_000 });
            await page.waitForTimeout(1000);
            assert.ok(Number(await frame.locator('canvas').getAttribute('data-markers')) >= 1, 'the end is marked');
            await screenshot(page, 'oom-timeline');
          }),
        ],
        [
          'with the guard on pause, the debugger stops the growing program below the limit: "Paused by Headroom", then continue',
          shotOnFailure(page, 'guard-paused', async () => {
            const cg = makeCgroup(cgroups.length);
            cgroups.push(cg);
            const python = join(scratch, 'python-in-cgroup');
            writeFileSync(python, `#!/bin/sh\necho $$ > ${cg.procs}\nexec /usr/bin/python3 "$@"\n`, { mode: 0o755 });
            writeFileSync(
              join(folder, '.vscode', 'launch.json'),
              JSON.stringify({ version: '0.2.0', configurations: [{ name: 'Grow (in a 300 MiB cgroup)', type: 'debugpy', request: 'launch', program: '${workspaceFolder}/grow.py', args: [join(scratch, 'saved2')], python, console: 'internalConsole', justMyCode: true }] }, null, 2),
            );
            await page.keyboard.press('Control+K');
            await page.keyboard.press('W');
            await paletteRows(page, 'Debug: Start Debugging');
            await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug: Start Debugging' }).first().click();
            const toast = page.locator('.notification-toast', { hasText: 'Paused by Headroom' });
            await toast.first().waitFor({ timeout: 90_000 });
            assert.match(await toast.first().innerText(), /Paused by Headroom: \d+ MB of 315 MB \(cgroup limit\)/);
            // The editor stopped in the program: its file open at the paused line, the debug toolbar offering Continue.
            await page.locator('.tab', { hasText: 'grow.py' }).first().waitFor({ timeout: 20_000 });
            const cont = page.locator('.debug-toolbar .codicon-debug-continue');
            await cont.first().waitFor({ timeout: 20_000 });
            await page.waitForTimeout(800);
            await screenshot(page, 'guard-paused');
            await cont.first().click();
            await page.locator('.debug-toolbar .codicon-debug-pause').first().waitFor({ timeout: 20_000 });
            await page.keyboard.press('Shift+F5');
          }),
        ],
      ]),
    ];
  } finally {
    for (const cg of cgroups) await cg.remove();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
