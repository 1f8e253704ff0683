// UI suite: a real .ipynb in VS Code's built-in notebook editor, its cells run by a real ipykernel
// started in the workspace folder (it finds the window through the connection file). The kernel
// is driven by jupyter_client as a stand-in for the front end: the VS Code Jupyter extension
// cannot be installed on these machines. Per-cell figures in dark and light.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { openFile, runTests, screenshot, setTheme, shotOnFailure, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off', 'workbench.colorTheme': 'Default Dark Modern', 'files.autoSave': 'off' };

const FOLDER = join(repoRoot, 'test', 'fixtures', 'workspace');
const NOTEBOOK = join(FOLDER, 'analysis.ipynb');

/** Runs the notebook's cells in a real kernel started in the workspace folder (no cell ids: the source hash maps them). */
function runCells() {
  const cells = JSON.parse(readFileSync(NOTEBOOK, 'utf8')).cells.map((c) => ({ code: Array.isArray(c.source) ? c.source.join('') : c.source }));
  const env = { ...process.env };
  delete env.HEADROOM_ADDR;
  delete env.HEADROOM_TOKEN;
  return new Promise((resolve, reject) =>
    execFile('/usr/bin/python3', [join(repoRoot, 'test', 'fixtures', 'notebook', 'drive_kernel.py'), JSON.stringify(cells)], { cwd: FOLDER, env, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop())),
    ),
  );
}

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  const page = await browser.context.newPage();
  await page.goto(workbenchUrl(server, { folder: FOLDER, extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page);
  return [
    await runTests('ui', [
      [
        'a notebook shows each cell run on its cell: +5xx MB for the 500 MB cell, the error of the one that raised, the history on hover',
        shotOnFailure(page, 'notebook', async () => {
          await page.locator('.statusbar-item', { hasText: 'Headroom' }).first().waitFor({ timeout: 30_000 });
          await openFile(page, 'analysis.ipynb').catch(() => undefined); // a notebook is not a text editor: wait for its cells instead
          await page.locator('.notebook-editor .cell-list-container').first().waitFor({ timeout: 30_000 });
          const driven = await runCells();
          assert.deepEqual(driven.replies.map((r) => r.status), ['ok', 'ok', 'ok', 'error']);
          const items = page.locator('.cell-statusbar-container .cell-status-item', { hasText: /\+5\d\d MB/ });
          await items.first().waitFor({ timeout: 30_000 });
          const text = await items.first().innerText();
          const mb = Number(/\+(\d+(?:\.\d+)?) MB/.exec(text)?.[1]);
          assert.ok(Math.abs(mb - 500) / 500 < 0.1, `the 500 MB cell: ${text}`);
          await page.locator('.cell-statusbar-container .cell-status-item', { hasText: /-\d+ MB/ }).first().waitFor({ timeout: 10_000 });
          // The cell that raised carries the warning icon beside its figures.
          const raised = page.locator('.cell-statusbar-container .cell-status-item', { has: page.locator('.codicon-warning') });
          await raised.first().waitFor({ timeout: 10_000 });
          await page.mouse.move(5, 5);
          await screenshot(page, 'notebook-dark');
          // The item's tooltip: the kernel's session and the cell's runs (shown on hover).
          const tip = await items.first().evaluate((el) => [el.getAttribute('title'), el.getAttribute('aria-label'), el.closest('[title]')?.getAttribute('title')].filter(Boolean).join(' | '));
          console.log(`    tooltip/aria: ${tip.slice(0, 200)}`);
          await items.first().hover();
          await page.waitForTimeout(1500);
          await screenshot(page, 'notebook-hover-dark');
          const hover = await page.locator('.workbench-hover-container, .monaco-hover, .custom-hover').allInnerTexts();
          assert.ok(/1 run of this cell/.test(hover.join(' ')) || /1 run of this cell/.test(tip) || /last run of this cell/.test(tip), `hover: ${hover.join(' | ')}; attributes: ${tip}`);
          await page.mouse.move(5, 5);
          // The kernel's session is named for what it is; its timeline has each cell run as a labelled span.
          await page.locator('.statusbar-item', { hasText: 'Jupyter kernel' }).first().waitFor({ timeout: 10_000 });
          await setTheme(page, 'Light Modern');
          await screenshot(page, 'notebook-light');
          await page.locator('.statusbar-item', { hasText: 'Jupyter kernel' }).first().click();
          await webviewFrame(page).locator('canvas').waitFor({ timeout: 20_000 });
          await page.waitForTimeout(800);
          await screenshot(page, 'notebook-timeline-light');
        }),
      ],
    ]),
  ];
}
