// UI tests: the real workbench in Debian Chromium, looked at as a person would.
// Prints `ui: N passed, M failed`; screenshots land in test-results/screenshots/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../rig/browser.mjs';
import { repoRoot, startCodeServer, workbenchUrl } from '../rig/codeServer.mjs';
import { paletteRows, runCommand, runTests, screenshot, statusItem, waitForWorkbench, webviewFrame } from './workbench.mjs';

if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}

let server;
let browser;
const summary = { passed: 0, failed: 0 };
try {
  server = await startCodeServer();
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  const url = workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot });
  await page.goto(url);
  await waitForWorkbench(page);

  const result = await runTests('ui', [
    [
      'the Headroom status-bar item is visible',
      async () => {
        const item = statusItem(page, 'Headroom');
        await item.waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await item.innerText(), /Headroom/);
        await screenshot(page, 'workbench-statusbar');
      },
    ],
    [
      'the command palette lists the Headroom commands',
      async () => {
        const rows = await paletteRows(page, 'Headroom:');
        const text = rows.join('\n');
        assert.match(text, /Headroom: Show Timeline/);
        assert.match(text, /Headroom: Show Log/);
        await screenshot(page, 'command-palette');
        await page.keyboard.press('Escape');
      },
    ],
    [
      'Show Timeline opens the panel with its empty state',
      async () => {
        await runCommand(page, 'Headroom: Show Timeline');
        const frame = webviewFrame(page);
        await frame.locator('text=No monitoring session yet').waitFor({ timeout: 20_000 });
        assert.equal(await frame.locator('h1').innerText(), 'Headroom Timeline');
        await screenshot(page, 'timeline-empty');
      },
    ],
    [
      'clicking the status-bar item reveals the timeline',
      async () => {
        await page.keyboard.press('Control+K');
        await page.keyboard.press('W'); // close all editors
        await page.waitForTimeout(300);
        await statusItem(page, 'Headroom').click();
        await webviewFrame(page).locator('text=No monitoring session yet').waitFor({ timeout: 20_000 });
      },
    ],
  ]);
  summary.passed += result.passed;
  summary.failed += result.failed;
} catch (e) {
  console.error('[ui] rig error:', e);
  summary.failed++;
} finally {
  await browser?.close();
  await server?.stop();
}
console.log(`ui: ${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
