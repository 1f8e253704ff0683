// UI suite: The examples folder: status bar, palette, the empty timeline, a run with its CodeLens and panel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { codeLenses, goToLine, hoverTooltip, openFile, paletteRows, runCommand, runTests, screenshot, statusItem, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off' };

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  const results = [];
  const page = await browser.context.newPage();
  const url = workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot });
  await page.goto(url);
  await waitForWorkbench(page);

  results.push(await runTests('ui', [
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
    [
      'running an example shows its size in the status bar and CodeLens at its checkpoints',
      async () => {
        await openFile(page, 'allocate_steps.py');
        await runCommand(page, 'Headroom: Run Python File with Headroom');
        const sized = page.locator('.statusbar-item', { hasText: /\d+(\.\d+)? (MB|GB)/ });
        await sized.first().waitFor({ timeout: 30_000 });
        const lens = codeLenses(page, 'after first 200 MB');
        await lens.first().waitFor({ timeout: 30_000 });
        const text = await lens.first().innerText();
        assert.match(text, /after first 200 MB: \+2\d\d MB since previous \| RSS \d/);
        await goToLine(page, 24);
        await codeLenses(page, 'temporary 300 MB buffer').first().waitFor({ timeout: 30_000 });
        await goToLine(page, 1);
        await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
        await screenshot(page, 'codelens-statusbar');
        // The item's tooltip: the session, its last checkpoint and the panel's commands.
        const live = !(await statusItem(page, 'MB').first().innerText()).includes('(ended)');
        const tooltip = await hoverTooltip(page, statusItem(page, 'MB').first(), 'Headroom ·');
        await screenshot(page, 'statusbar-tooltip');
        // (The hover's markdown may turn spaces into no-break spaces: \s matches both.)
        assert.match(tooltip, /Headroom\s·\sallocate_steps\.py/, tooltip);
        if (live) assert.match(tooltip, /\d+\spython3:\s\d+(\.\d+)?\s(MB|GB)\sRSS/, tooltip);
        assert.match(tooltip, /last\scheckpoint:\s(cycle\sstart|after\s(first|second)\s200\sMB|released)/, tooltip);
        // A live run offers Force Cleanup; an ended one its peak and no cleanup.
        if (live) assert.match(tooltip, /Open\sTimeline\s·\sForce\sCleanup/, tooltip);
        else assert.match(tooltip, /peak\sRSS:[\s\S]*Open\sTimeline(?![\s\S]*Force)/, tooltip);
        await page.mouse.move(700, 300);
      },
    ],
    [
      'the timeline shows the run: chart, markers and a checkpoints table; a row reveals its line',
      async () => {
        await page.mouse.move(700, 300);
        await statusItem(page, 'MB').first().click();
        const frame = webviewFrame(page);
        await frame.locator('canvas').waitFor({ timeout: 20_000 });
        await frame.locator('tbody tr', { hasText: 'after first 200 MB' }).waitFor({ timeout: 20_000 });
        const rows = await frame.locator('tbody tr').allInnerTexts();
        assert.ok(rows.some((r) => /allocate_steps\.py:19\s+after first 200 MB\s+checkpoint\s+\+210 MB/.test(r)), rows.join('\n'));
        assert.equal(await frame.locator('h1').innerText(), 'allocate_steps.py');
        await page.waitForTimeout(500);
        await screenshot(page, 'timeline');
        // Markers: the chart counts the marker lines it drew (cycle start, after first/second 200 MB, ...),
        // and the canvas holds their orange pixels (no series here is orange; lines at fractional x blend
        // into the background, so the test is the hue: red over green over blue, well apart).
        const canvas = frame.locator('canvas');
        const markers = Number(await canvas.getAttribute('data-markers'));
        assert.ok(markers >= 3, `markers drawn: ${markers}`);
        assert.equal(await canvas.getAttribute('data-checkpoint-style'), 'lines', 'a script\'s few checkpoints are full-height lines');
        const orange = await canvas.evaluate((c) => {
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] > px[i + 1] + 30 && px[i + 1] > px[i + 2] + 30) n++;
          return n;
        });
        assert.ok(orange >= 40 * markers, `orange pixels: ${orange} for ${markers} markers`);
        // Follow live: on at first, off once the chart is panned from the keyboard, on again when
        // clicked while the run lives; once it has ended there is nothing to follow: disabled.
        const follow = frame.locator('[data-action="follow"]');
        const status = async () => (await frame.locator('header .status').innerText()).trim();
        assert.equal(await follow.getAttribute('aria-pressed'), 'true');
        await canvas.press('ArrowLeft');
        await frame.locator('[data-action="follow"][aria-pressed="false"]').waitFor({ timeout: 5_000 });
        try {
          await follow.click({ timeout: 3_000 });
          assert.equal(await follow.getAttribute('aria-pressed'), 'true');
        } catch (e) {
          if ((await status()) !== 'ended') throw e; // the run ended before the click: the button must say so
          assert.equal(await follow.isDisabled(), true, 'Follow live is disabled on an ended run');
        }
        // After a window reload the panel comes back with the run's data (from its recording).
        await page.reload();
        await waitForWorkbench(page);
        await page.locator('.tab', { hasText: 'Headroom: ' }).first().click();
        const revived = webviewFrame(page);
        await revived.locator('tbody tr', { hasText: 'after first 200 MB' }).waitFor({ timeout: 30_000 }).catch(async (e) => {
          await screenshot(page, 'timeline-reload-failure');
          throw e;
        });
        await revived.locator('canvas').waitFor();
        await screenshot(page, 'timeline-after-reload');
        await revived.locator('tbody tr', { hasText: 'after second 200 MB' }).click();
        await page.locator('.monaco-editor .view-line', { hasText: 'headroom.checkpoint("after second 200 MB")' }).first().waitFor({ timeout: 10_000 });
        await page.locator('.statusbar-item', { hasText: 'Ln 22' }).waitFor({ timeout: 10_000 });
      },
    ],
  ]));
  return results;
}
