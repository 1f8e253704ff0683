// UI suite: the first minute of a new user. The Headroom view in Run and Debug (its welcome with
// command links, then a run with its inline actions), the one notification a run starts with,
// the CodeLens worded in the editor, and the walkthrough; dark and light.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { codeLenses, openFile, paletteRows, runCommand, runTests, screenshot, setTheme, shotOnFailure, statusItem, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off', 'headroom.notifications.sessionStart': true, 'workbench.colorTheme': 'Default Dark Modern' };

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  const page = await browser.context.newPage();
  await page.goto(workbenchUrl(server, { folder: join(repoRoot, 'test', 'fixtures', 'workspace'), extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page);
  const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Headroom' }) });
  return [
    await runTests('ui', [
      [
        'the Headroom view in Run and Debug welcomes with the commands that start something',
        shotOnFailure(page, 'view-welcome', async () => {
          await statusItem(page, 'Headroom').waitFor({ timeout: 30_000 });
          await runCommand(page, 'Focus on Headroom View');
          const welcome = view.locator('.welcome-view-content');
          await welcome.waitFor({ timeout: 20_000 });
          assert.match(await welcome.innerText(), /No runs monitored in this window yet/);
          const buttons = await welcome.locator('a.monaco-button, .monaco-button').allInnerTexts();
          assert.ok(buttons.some((b) => /Run Python File with Headroom/.test(b)), buttons.join(' | '));
          assert.ok(buttons.some((b) => /Attach to Process/.test(b)), buttons.join(' | '));
          assert.ok(buttons.some((b) => /Open Recording/.test(b)), buttons.join(' | '));
          await screenshot(page, 'view-welcome');
        }),
      ],
      [
        'a run says so once; its row shows state and size with inline actions; its CodeLens read unambiguously',
        shotOnFailure(page, 'view-run', async () => {
          await openFile(page, 'two_phases.py');
          await runCommand(page, 'Headroom: Run Python File with Headroom');
          const toast = page.locator('.notification-toast', { hasText: 'Headroom: monitoring two_phases.py' });
          await toast.first().waitFor({ timeout: 20_000 });
          await page.waitForTimeout(1500);
          assert.equal(await page.locator('.notification-toast', { hasText: 'Headroom: monitoring' }).count(), 1, 'one notification for one run');
          const actions = await toast.locator('.monaco-button').allInnerTexts();
          assert.ok(actions.includes('Open Timeline'), actions.join(' | '));
          assert.ok(!actions.includes('Open File'), 'the program is already open: no Open File');
          // The row: name, "running · <size>", and its buttons on hover.
          const row = view.locator('.monaco-list-row', { hasText: 'two_phases.py' }).first();
          await row.waitFor({ timeout: 20_000 });
          await view.locator('.monaco-list-row', { hasText: /\d+(\.\d+)? MB · running/ }).first().waitFor({ timeout: 20_000 });
          await row.hover();
          const inline = await row.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title') ?? ''));
          for (const want of ['Open Timeline', 'Force Cleanup', 'Stop Monitoring']) {
            assert.ok(inline.some((a) => a.startsWith(want)), `inline ${want}: ${inline.join(' | ')}`);
          }
          const lens = codeLenses(page, 'phase: held');
          await lens.first().waitFor({ timeout: 30_000 });
          assert.match(await lens.first().innerText(), /^phase: held: \+\d+(\.\d+)? MB since previous \| RSS \d+(\.\d+)? MB \| \+\d+(\.\d+)? MB since start \| 1 hit$/);
          const start = await codeLenses(page, 'phase: start').first().innerText();
          assert.match(start, /^phase: start: RSS \d+(\.\d+)? MB \| 1 hit$/, 'a first reading shows its RSS, never "0 B"');
          await screenshot(page, 'view-run-dark');
          // The toast's Open Timeline opens the run's panel.
          await toast.locator('.monaco-button', { hasText: 'Open Timeline' }).first().click();
          await webviewFrame(page).locator('h1', { hasText: 'two_phases.py' }).waitFor({ timeout: 20_000 });
          // Stop from the row's button: the row says how it ended and shows its peak.
          await row.hover();
          await row.locator('.actions .action-label[aria-label^="Stop Monitoring"]').click();
          await view.locator('.monaco-list-row', { hasText: /peak \d+(\.\d+)? MB · stopped/ }).first().waitFor({ timeout: 20_000 });
          await setTheme(page, 'Light Modern');
          await screenshot(page, 'view-run-light');
        }),
      ],
      [
        'Show Allocation Sites puts the memory on the lines that hold it, and lists the sites largest first',
        shotOnFailure(page, 'allocation-sites', async () => {
          await setTheme(page, 'Dark Modern');
          await openFile(page, 'alloc_sites.py');
          await runCommand(page, 'Headroom: Run Python File with Headroom');
          await codeLenses(page, 'built').first().waitFor({ timeout: 60_000 });
          await runCommand(page, 'Headroom: Show Allocation Sites');
          const sites = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Allocation Sites' }) });
          const first = sites.locator('.monaco-list-row', { hasText: 'alloc_sites.py:8' });
          await first.waitFor({ timeout: 30_000 });
          assert.match(await first.innerText(), /holds 3\d\d MB in \d+ blocks?/);
          const rows = await sites.locator('.monaco-list-row').allInnerTexts();
          assert.deepEqual(rows.slice(0, 3).map((r) => /alloc_sites\.py:(\d+)/.exec(r)?.[1]), ['8', '9', '12'], rows.join(' | '));
          await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
          await page.waitForTimeout(500);
          await screenshot(page, 'allocation-sites-dark');
        }),
      ],
      [
        'the walkthrough opens with its five steps, each with a title a new user can act on',
        shotOnFailure(page, 'walkthrough', async () => {
          await paletteRows(page, 'Welcome: Open Walkthrough');
          await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Walkthrough' }).first().click();
          await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Headroom' }).first().click({ timeout: 15_000 });
          const steps = page.locator('.getting-started-step .step-title');
          await steps.first().waitFor({ timeout: 20_000 });
          const titles = await steps.allInnerTexts();
          for (const t of ['Run a script with Headroom', 'See memory at your checkpoints', 'Open the timeline', 'Force Cleanup inside the program', 'Terminals, torchrun, recordings and the CLI']) {
            assert.ok(titles.some((x) => x.trim() === t), `step "${t}" in ${titles.join(' | ')}`);
          }
          await page.waitForTimeout(800);
          await screenshot(page, 'walkthrough-light');
        }),
      ],
    ]),
  ];
}

