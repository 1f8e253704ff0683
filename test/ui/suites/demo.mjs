// UI suite: The live demo (the README's main command): opening examples/ starts the training task.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { codeLenses, goToLine, openFile, runTests, screenshot, waitForWorkbench } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'on', 'headroom.notifications.sessionStart': true };

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  const results = [];
  const demo = await browser.context.newPage();
  await demo.goto(workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(demo);
  results.push(await runTests('ui', [
    [
      'the demo folder starts a monitored PyTorch run on open: live status bar and CodeLens',
      async () => {
        await demo.locator('.statusbar-item', { hasText: /\d+(\.\d+)? (MB|GB)/ }).first().waitFor({ timeout: 60_000 });
        // The task opens its script by itself (showProgram), so its CodeLens are in view; and says once what it monitors.
        await demo.locator('.tab', { hasText: 'train_torch_cpu.py' }).first().waitFor({ timeout: 30_000 });
        const toast = demo.locator('.notification-toast', { hasText: 'Headroom: monitoring train_torch_cpu.py' });
        await toast.first().waitFor({ timeout: 20_000 });
        assert.equal(await toast.count(), 1, 'one notification');
        assert.ok(await toast.locator('.monaco-button', { hasText: 'Open Timeline' }).count() >= 1);
        await screenshot(demo, 'demo-start');
        await openFile(demo, 'train_torch_cpu.py');
        await goToLine(demo, 45);
        await codeLenses(demo, 'epoch done').first().waitFor({ timeout: 150_000 }).catch(async (e) => {
          await screenshot(demo, 'demo-failure');
          throw e;
        });
        await codeLenses(demo, 'forward + backward').first().waitFor({ timeout: 30_000 });
        const text = await codeLenses(demo, 'epoch done').first().innerText();
        assert.match(text, /epoch done: ([+-][\d.]+ (kB|MB|GB) since previous|RSS [\d.]+ (MB|GB)) .*\| \d+ hits?/);
        // After three epochs the leak shows: the 64 MB kept per epoch, as growth per hit.
        const growing = demo.locator('.monaco-editor .codelens-decoration', { hasText: /epoch done: .*rising/ });
        await growing.first().waitFor({ timeout: 240_000 }).catch(async (e) => {
          await screenshot(demo, 'demo-growth-failure');
          throw e;
        });
        await screenshot(demo, 'demo-live');
        const readout = await growing.first().innerText();
        const perHit = readout.match(/\| ([3-9]|\d\d+) hits \| rising \+([\d.]+) MB\/hit/);
        assert.ok(perHit, readout);
        assert.ok(Number(perHit[2]) > 40 && Number(perHit[2]) < 140, `64 MiB kept per epoch: ${readout}`);
      },
    ],
  ]));
  return results;
}
