// UI suite: The test workspace: hostile labels, a torchrun launch typed into a terminal, recordings, compare and themes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { answerFileDialog, codeLenses, luminance, openFile, recordWithCli, runCommand, runTests, screenshot, setTheme, shotOnFailure, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off' };

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  const results = [];
  // Hostile labels, in the test workspace: text only, no element, no dialog.
  const page2 = await browser.context.newPage();
  let dialogs = 0;
  page2.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page2.goto(workbenchUrl(server, { folder: join(repoRoot, 'test', 'fixtures', 'workspace'), extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page2);
  results.push(await runTests('ui', [
    [
      'a label like <img src=x onerror=alert(1)> shows as text in CodeLens, with no element and no dialog',
      async () => {
        await openFile(page2, 'hostile_labels.py');
        await runCommand(page2, 'Headroom: Run Python File with Headroom');
        const lens = codeLenses(page2, 'onerror');
        await lens.first().waitFor({ timeout: 30_000 });
        assert.match(await lens.first().innerText(), /^<img src=x onerror=alert\(1\)>: /);
        await codeLenses(page2, 'command:workbench').first().waitFor({ timeout: 30_000 });
        assert.equal(await page2.locator('img[src="x"]').count(), 0, 'no img element was created');
        assert.equal(await page2.locator('.codelens-decoration a[href*="command:workbench.action.terminal.new"]').count(), 0);
        await page2.waitForTimeout(500);
        assert.equal(dialogs, 0, 'no dialog opened');
        await screenshot(page2, 'hostile-labels');
        await runCommand(page2, 'Headroom: Show Timeline');
        const frame = webviewFrame(page2);
        await frame.locator('tbody tr', { hasText: 'onerror' }).waitFor({ timeout: 20_000 });
        assert.match((await frame.locator('tbody').innerText()), /<img src=x onerror=alert\(1\)>/);
        assert.equal(await frame.locator('img').count(), 0, 'no element from a label inside the timeline');
        assert.equal(dialogs, 0);
      },
    ],
  ]));

  // A launch typed into the integrated terminal, with no Headroom command: torchrun, two ranks.
  results.push(await runTests('ui', [
    [
      'a torchrun launch typed into a terminal reports by itself: rank CodeLens, one timeline line per rank, a ranks column',
      async () => {
        await runCommand(page2, 'View: Close All Editors');
        await openFile(page2, 'ddp_train.py');
        await runCommand(page2, 'Terminal: Create New Terminal');
        const term = page2.locator('.terminal-wrapper textarea, .xterm-helper-textarea').first();
        await term.waitFor({ state: 'attached', timeout: 20_000 });
        await page2.waitForTimeout(1500); // the shell's prompt
        await term.focus();
        const torchrun = join(repoRoot, '.venv', 'bin', 'torchrun');
        await page2.keyboard.type(`DDP_STEPS=60 DDP_PAUSE=0.3 OMP_NUM_THREADS=1 ${torchrun} --nproc_per_node=2 ddp_train.py\n`, { delay: 5 });
        const lens = codeLenses(page2, 'above the others');
        await lens.first().waitFor({ timeout: 90_000 });
        await page2.locator('.statusbar-item', { hasText: /\d+(\.\d+)? (MB|GB)/ }).first().waitFor({ timeout: 20_000 });
        const texts = await lens.allInnerTexts();
        assert.ok(texts.some((t) => /(step start|after forward|after step): (max [+-]?[\d.]+ [kMG]?B \(rank [01]\) · min [+-]?[\d.]+ [kMG]?B \(rank [01]\) since previous|[+-]?[\d.]+ [kMG]?B since previous on every rank) \| ⚠ rank 1 [\d.]+ MB above the others/.test(t)), texts.join('\n'));
        await page2.locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
        await screenshot(page2, 'terminal-run-ranks');
        await runCommand(page2, 'Headroom: Show Timeline');
        const frame = webviewFrame(page2);
        const canvas = frame.locator('canvas');
        await canvas.waitFor({ timeout: 20_000 });
        await frame.locator('th', { hasText: 'ranks' }).waitFor({ timeout: 20_000 });
        await page2.waitForFunction(() => true); // let the panel settle a frame
        const shown = async () => (await canvas.getAttribute('data-series')) ?? '';
        for (let i = 0; i < 50 && !/rank 0 RSS.*\|.*rank 1 RSS|rank 1 RSS.*\|.*rank 0 RSS/.test(await shown()); i++) await page2.waitForTimeout(200);
        assert.match(await shown(), /rank 0 RSS \(pid \d+\)/);
        assert.match(await shown(), /rank 1 RSS \(pid \d+\)/);
        const row = frame.locator('tbody tr', { hasText: 'after step' }).first();
        assert.match(await row.innerText(), /(max [+-]?[\d.]+ [kMG]?B \(rank [01]\) · min [+-]?[\d.]+ [kMG]?B \(rank [01]\)|[+-]?[\d.]+ [kMG]?B on every rank) · ⚠ rank 1 far above/);
        await page2.waitForTimeout(800);
        await screenshot(page2, 'timeline-ranks');
        // Once the launch has ended, what needs a running program is disabled; every button says what it does.
        await frame.locator('header .status', { hasText: 'ended' }).waitFor({ timeout: 120_000 });
        assert.equal(await frame.locator('[data-action="forceCleanup"]').isDisabled(), true, 'no cleanup on an ended run');
        assert.equal(await frame.locator('[data-action="follow"]').isDisabled(), true, 'nothing to follow on an ended run');
        assert.equal(await frame.locator('[data-action="exportCsv"]').isDisabled(), false);
        const relative = frame.locator('[data-action="fromZero"]');
        assert.equal(await relative.getAttribute('aria-label'), 'Relative to start', 'an icon button named for what it does');
        assert.match((await relative.getAttribute('title')) ?? '', /relative to its first value/);
      },
    ],
  ]));

  // Recordings: each in a panel of its own; another run drawn over it; light, dark and high-contrast themes.
  const recDir = mkdtempSync(join(tmpdir(), 'headroom-compare-'));
  const record = (name, mb, delay) => recordWithCli(recDir, name, mb, delay);
  results.push(await runTests('ui', [
    [
      'an opened recording gets a panel of its own; Compare draws another run over it with per-checkpoint differences',
      shotOnFailure(page2, 'compare', async () => {
        const a = record('config-a', 300, 0.1);
        const b = record('config-b', 150, 0.8);
        await runCommand(page2, 'View: Close All Editors');
        await runCommand(page2, 'Headroom: Open Recording...');
        await answerFileDialog(page2, 'Open Headroom Recording', a);
        await page2.locator('.tab', { hasText: 'recording.ndjson (recording)' }).first().waitFor({ timeout: 20_000 });
        const frame = webviewFrame(page2);
        await frame.locator('tbody tr', { hasText: 'loaded' }).first().waitFor({ timeout: 20_000 });
        await runCommand(page2, 'Headroom: Compare with Recording...');
        await answerFileDialog(page2, 'Compare with Recording', b);
        const row = frame.locator('.compare tbody tr', { hasText: 'loaded' });
        await row.waitFor({ timeout: 20_000 });
        const cells = await row.locator('td').allInnerTexts();
        // checkpoint, A since start, B since start, B - A, ...: B loaded 150 MiB less (157 MB).
        assert.equal(cells[0], 'loaded');
        assert.match(cells[3], /^-1[45]\d MB$/, cells.join(' | '));
        assert.match(await frame.locator('.compare h2').innerText(), /B: recording\.ndjson/);
        // The chart notes the offset (ms) of the compared series it drew. Aligned at "loaded", B (which
        // slept 0.7 s longer before it, less A's longer allocation) moves earlier, so both runs load at the same x.
        const canvas = frame.locator('canvas');
        const drawnAtStart = await canvas.getAttribute('data-compare-offset');
        assert.ok(drawnAtStart, 'the compared series are drawn');
        const offsetAtStart = Number(drawnAtStart);
        await frame.locator('.compare select').selectOption('loaded');
        await frame.locator(`canvas[data-compare-offset]:not([data-compare-offset="${offsetAtStart}"]):not([data-compare-offset=""])`).waitFor({ timeout: 10_000 });
        const shift = Number(await canvas.getAttribute('data-compare-offset')) - offsetAtStart;
        assert.ok(shift < -100 && shift > -1500, `compare series shifted by ${shift} ms`);
        assert.equal(await frame.locator('.compare select').inputValue(), 'loaded', 'aligned at the checkpoint');
        const legend = await frame.locator('canvas').getAttribute('aria-label');
        assert.ok(legend);
        await screenshot(page2, 'timeline-compare');
      }),
    ],
    [
      'the timeline is readable in dark, high-contrast and light themes',
      shotOnFailure(page2, 'themes', async () => {
        const frame = webviewFrame(page2);
        const shot = async (theme, file, dark) => {
          await setTheme(page2, theme);
          await frame.locator('canvas').waitFor();
          const bg = await frame.locator('body').evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).backgroundColor);
          const fg = await frame.locator('body').evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).color);
          if (dark) assert.ok(luminance(bg) < 0.25 && luminance(fg) > 0.6, `${theme}: ${fg} on ${bg}`);
          else assert.ok(luminance(bg) > 0.85 && luminance(fg) < 0.35, `${theme}: ${fg} on ${bg}`);
          await page2.mouse.move(5, 5);
          await screenshot(page2, file);
        };
        await shot('Dark Modern', 'timeline-dark', true);
        await shot('Dark High Contrast', 'timeline-high-contrast', true);
        await shot('Light Modern', 'timeline-light', false);
      }),
    ],
  ]));
  rmSync(recDir, { recursive: true, force: true });
  return results;
}
