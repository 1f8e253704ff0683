// UI suite: the timeline in a half-width column beside the code (where users keep it), in dark
// and light themes: the empty state's command buttons, the toolbar on one row, a compact legend,
// ticks apart, regions in a lane, a table that scrolls in its own box and holds its order under
// the pointer, an attached process that says why it has no checkpoints, compare mode.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { answerFileDialog, luminance, openFile, recordWithCli, runCommand, runTests, screenshot, setTheme, shotOnFailure, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off', 'workbench.colorTheme': 'Default Dark Modern' };

const FOLDER = join(repoRoot, 'test', 'fixtures', 'workspace');
/** The fixture loops until this file exists (half_width_loop.py). */
const STOP = join(tmpdir(), 'headroom-half-width.stop');

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser, server }) {
  rmSync(STOP, { force: true });
  const results = [];
  const page = await openWindow(browser, server);
  try {
    results.push(await runTests('ui halfWidth: a run', runTestsFor(page)));
  } finally {
    writeFileSync(STOP, '');
  }
  await page.close();
  // Another folder: a window on the same one would restore the first window's panels.
  const page2 = await openWindow(browser, server, join(repoRoot, 'examples'));
  results.push(await runTests('ui halfWidth: attach and compare', attachAndCompare(page2)));
  rmSync(STOP, { force: true });
  return results;
}

async function openWindow(browser, server, folder = FOLDER) {
  const page = await browser.context.newPage();
  await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page);
  return page;
}

/** Runs `fn`, keeping a screenshot of the workbench if it fails. */
/** The panel's iframe box in the workbench. */
const panelBox = async (page) => page.locator('iframe.webview.ready').first().boundingBox();

/** What a test asserts of any panel state: the page itself never scrolls sideways. */
async function assertNoPageScroll(frame) {
  const doc = await frame.locator('body').evaluate((b) => ({ client: b.ownerDocument.documentElement.clientWidth, scroll: b.ownerDocument.documentElement.scrollWidth }));
  assert.ok(doc.scroll <= doc.client + 1, `the panel's page is ${doc.scroll} px wide in ${doc.client} px`);
}

/** Clears what would cover the panel in a screenshot: notifications, and the terminal panel under it. */
async function tidy(page, { hidePanel = false } = {}) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  if (hidePanel && (await page.locator('.part.panel').isVisible())) await runCommand(page, 'View: Hide Panel');
  await page.mouse.move(200, 400);
}

/** Bytes of a table cell like `+120 MB`, `-3.5 kB`, `1.20 GB` ('' counts as lowest). */
function cellBytes(text) {
  const m = /^([+-]?[\d.]+)\s*(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text.trim().replace('−', '-'));
  if (!m) return -Infinity;
  const scale = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[m[2]];
  return Number(m[1]) * scale;
}

/** The checkpoints table as [where, label] keys and "since start" bytes, in the order shown. */
async function tableRows(frame) {
  const headers = await frame.locator('section.table:not(.compare) thead th').allInnerTexts();
  const since = headers.findIndex((h) => h.startsWith('since start'));
  return frame.locator('section.table:not(.compare) tbody tr').evaluateAll(
    (trs, i) => trs.map((tr) => ({ key: `${tr.cells[0]?.innerText} ${tr.cells[1]?.innerText}`, since: tr.cells[i]?.innerText ?? '', text: tr.innerText })),
    since,
  );
}

function runTestsFor(page) {
  const frame = webviewFrame(page);
  const canvas = frame.locator('canvas');
  return [
    [
      'the empty timeline beside the code offers Run Python File, Attach and Open Recording as buttons',
      shotOnFailure(page, 'halfwidth-empty', async () => {
        await openFile(page, 'half_width_loop.py');
        await runCommand(page, 'Headroom: Show Timeline');
        await frame.locator('text=No monitoring session yet').waitFor({ timeout: 20_000 });
        const box = await panelBox(page);
        assert.ok(box && box.width >= 400 && box.width <= 760, `the panel is half width: ${box?.width} px of 1400`);
        const buttons = frame.locator('.empty .actions button:visible');
        assert.deepEqual(await buttons.allInnerTexts(), ['Run Python File with Headroom', 'Attach to Process...', 'Open Recording...']);
        for (const title of await buttons.evaluateAll((bs) => bs.map((b) => b.title))) assert.ok(title.length > 20, title);
        assert.equal(await frame.locator('header .toolbar').isVisible(), false, 'no toolbar with nothing to act on');
        await screenshot(page, 'halfwidth-empty');
        // Open Recording... asks for the file; nothing else changes when it is dismissed.
        await frame.locator('.empty button', { hasText: 'Open Recording...' }).click();
        await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open Headroom Recording' }).waitFor({ timeout: 15_000 });
        await page.keyboard.press('Escape');
        await frame.locator('text=No monitoring session yet').waitFor();
      }),
    ],
    [
      'Run Python File with Headroom in the empty timeline runs the file beside it',
      shotOnFailure(page, 'halfwidth-run', async () => {
        await frame.locator('.empty button', { hasText: 'Run Python File with Headroom' }).click();
        await frame.locator('h1', { hasText: 'half_width_loop.py' }).waitFor({ timeout: 30_000 });
        await frame.locator('header .status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
        await frame.locator('tbody tr', { hasText: 'gamma' }).waitFor({ timeout: 30_000 });
        await tidy(page, { hidePanel: true });
      }),
    ],
    [
      'the toolbar is one row of icon buttons inside the column, each with a tooltip and a name; toggles look pressed',
      shotOnFailure(page, 'halfwidth-toolbar', async () => {
        const buttons = await frame.locator('header .toolbar button').evaluateAll((bs) =>
          bs.map((b) => {
            const r = b.getBoundingClientRect();
            const style = b.ownerDocument.defaultView.getComputedStyle(b);
            return { action: b.dataset.action, top: r.top, right: r.right, width: r.width, title: b.title, label: b.getAttribute('aria-label'), text: b.innerText.trim(), pressed: b.getAttribute('aria-pressed'), bg: style.backgroundColor, border: style.borderColor };
          }),
        );
        const width = await frame.locator('body').evaluate((b) => b.ownerDocument.documentElement.clientWidth);
        assert.equal(buttons.length, 10, buttons.map((b) => b.action).join(', '));
        for (const b of buttons) {
          assert.ok(Math.abs(b.top - buttons[0].top) <= 1, `${b.action} on the first row: top ${b.top} vs ${buttons[0].top}`);
          assert.ok(b.right <= width, `${b.action} inside the column: ${b.right} > ${width}`);
          assert.ok(b.width <= 28, `${b.action} is an icon button (${b.width} px)`);
          assert.equal(b.text, '', `${b.action} shows an icon, not words`);
          assert.match(b.title, /^.+: .{15,}/, `${b.action} has a tooltip`);
          assert.ok(b.label && b.label.length > 3, `${b.action} has an accessible name`);
        }
        const follow = buttons.find((b) => b.action === 'follow');
        const reset = buttons.find((b) => b.action === 'resetZoom');
        assert.equal(follow.pressed, 'true');
        assert.ok(follow.bg !== reset.bg || follow.border !== reset.border, `a pressed toggle looks pressed: ${follow.bg}/${follow.border} vs ${reset.bg}/${reset.border}`);
        assert.match(await frame.locator('[data-action="fromZero"]').getAttribute('aria-label'), /^Relative to start$/);
        await assertNoPageScroll(frame);
      }),
    ],
    [
      'the legend is a line of chips that toggle series, and folds away',
      shotOnFailure(page, 'halfwidth-legend', async () => {
        const legend = frame.locator('.legend');
        const height = async () => (await legend.boundingBox()).height;
        assert.ok((await height()) <= 48, `legend height ${await height()} px`);
        const chip = frame.locator('.legend-item', { hasText: 'RSS (tree)' });
        await chip.click();
        await frame.locator('.legend-item[aria-pressed="false"]', { hasText: 'RSS (tree)' }).waitFor({ timeout: 5_000 });
        assert.doesNotMatch((await canvas.getAttribute('data-series')) ?? '', /RSS \(tree\)/);
        await chip.click();
        await frame.locator('.legend-item[aria-pressed="true"]', { hasText: 'RSS (tree)' }).waitFor({ timeout: 5_000 });
        assert.match((await canvas.getAttribute('data-series')) ?? '', /RSS \(tree\)/);
        const fold = frame.locator('[data-action="legend"]');
        await fold.click();
        assert.equal(await fold.getAttribute('aria-expanded'), 'false');
        assert.equal(await frame.locator('.legend-items').isVisible(), false);
        assert.ok((await height()) <= 24, `folded legend height ${await height()} px`);
        assert.match(await fold.innerText(), /Series \d+\/\d+/);
        await fold.click();
        assert.equal(await frame.locator('.legend-items').isVisible(), true);
      }),
    ],
    [
      'x tick labels never collide and the origin has none, at half width and narrower',
      shotOnFailure(page, 'halfwidth-ticks', async () => {
        const check = async (what) => {
          await page.waitForTimeout(800);
          const ticks = JSON.parse((await canvas.getAttribute('data-x-ticks')) ?? '[]');
          const [left, , right] = ((await canvas.getAttribute('data-plot-area')) ?? '').split(',').map(Number);
          const where = `${what}: ${JSON.stringify(ticks)} in ${left}..${right}`;
          assert.ok(ticks.length >= 2, where);
          for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i - 1].x1 + 4 <= ticks[i].x0, `labels ${i - 1} and ${i} collide, ${where}`);
          assert.ok(ticks.every((t) => t.x0 >= left - 1 && t.x1 <= right + 1), `inside the plot, ${where}`);
          assert.ok(!ticks.some((t) => /^0(\.0+)?\s?(s|ms)$/.test(t.label)), `no origin label, ${where}`);
        };
        await check('half width');
        await page.setViewportSize({ width: 1000, height: 900 });
        try {
          await check('a 1000 px window');
          await screenshot(page, 'halfwidth-narrow');
        } finally {
          await page.setViewportSize({ width: 1400, height: 900 });
        }
        await check('back at half width');
      }),
    ],
    [
      'regions are a thin lane under the axis; the plot above is not washed over',
      shotOnFailure(page, 'halfwidth-lane', async () => {
        await page.waitForTimeout(500);
        const [top, height, runs] = ((await canvas.getAttribute('data-region-lane')) ?? '').split(',').map(Number);
        const [left, plotTop, right, bottom] = ((await canvas.getAttribute('data-plot-area')) ?? '').split(',').map(Number);
        assert.ok(runs >= 1, `the lane shows the regions: ${runs} runs`);
        assert.ok(height <= 6, `lane height ${height} px`);
        assert.ok(top > bottom, `the lane (top ${top}) is under the plot (bottom ${bottom})`);
        // Painted pixels of the plot area (the canvas is transparent where nothing is drawn): lines,
        // grid and markers only. A wash over 1000 regions and a region per pass would paint it all.
        const painted = await canvas.evaluate((c, a) => {
          const k = c.width / c.clientWidth;
          const [x0, y0, x1, y1] = a.map((v) => Math.round(v * k));
          const px = c.getContext('2d').getImageData(x0, y0, x1 - x0, y1 - y0).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
          return n / (px.length / 4);
        }, [left, plotTop, right, bottom]);
        assert.ok(painted < 0.35, `${(painted * 100).toFixed(0)}% of the plot area painted`);
        const markers = Number(await canvas.getAttribute('data-markers'));
        assert.ok(markers >= 3, `checkpoint markers stay: ${markers}`);
      }),
    ],
    [
      'the checkpoints table scrolls sideways in its own box, where first, without widening the page',
      shotOnFailure(page, 'halfwidth-table', async () => {
        const headers = await frame.locator('section.table:not(.compare) thead th').allInnerTexts();
        assert.equal(headers[0].replace(/ [▾▴]$/, ''), 'where');
        const scroll = frame.locator('section.table:not(.compare) .table-scroll');
        const box = await scroll.evaluate((s) => ({ client: s.clientWidth, scroll: s.scrollWidth, overflow: s.ownerDocument.defaultView.getComputedStyle(s).overflowX }));
        assert.equal(box.overflow, 'auto');
        await assertNoPageScroll(frame);
        if (box.scroll > box.client) {
          // Scrolled, the where column stays in view. Measured in one task of the page, so a live
          // update of the table cannot land between the two readings.
          const m = await scroll.evaluate((s) => {
            const td = () => s.querySelector('tbody tr td');
            const before = td().getBoundingClientRect().left;
            const next = td().nextElementSibling?.getBoundingClientRect().left;
            s.scrollLeft = 200;
            const after = { left: td().getBoundingClientRect().left, next: td().nextElementSibling?.getBoundingClientRect().left, scrolled: s.scrollLeft };
            s.scrollLeft = 0;
            return { before, next, after };
          });
          assert.ok(m.after.scrolled > 0, `the table scrolled: ${JSON.stringify(m)}`);
          assert.ok(Math.abs(m.after.left - m.before) <= 1, `the where column is sticky: ${JSON.stringify(m)}`);
          assert.ok(m.after.next < m.next - 1, `the columns after it moved under it: ${JSON.stringify(m)}`);
        }
      }),
    ],
    [
      'live rows keep their order while the pointer is over the table, and sort again when it leaves',
      shotOnFailure(page, 'halfwidth-hold', async () => {
        const table = frame.locator('section.table:not(.compare)');
        await frame.locator('section.table:not(.compare) tbody tr', { hasText: 'gamma' }).hover();
        await frame.locator('section.table:not(.compare)[data-held="true"]').waitFor({ timeout: 5_000 });
        const first = await tableRows(frame);
        let updated = false;
        let paused = false;
        for (let i = 0; i < 12; i++) {
          await page.waitForTimeout(500);
          const now = await tableRows(frame);
          const keptKeys = now.map((r) => r.key).slice(0, first.length);
          assert.deepEqual(keptKeys, first.map((r) => r.key), 'rows stay in their places under the pointer');
          updated ||= now.some((r, j) => r.text !== first[j]?.text);
          paused ||= await table.locator('.hint').isVisible();
        }
        assert.ok(updated, 'the rows were updated while held');
        assert.ok(paused, 'the table said its order was paused when it differed from the sort');
        await page.mouse.move(200, 400); // back over the code
        await frame.locator('section.table:not(.compare)[data-held="false"]').waitFor({ timeout: 5_000 });
        await page.waitForTimeout(300);
        const since = (await tableRows(frame)).map((r) => cellBytes(r.since));
        // Live values move between reads; the order is checked within one read.
        assert.deepEqual(since, [...since].sort((a, b) => b - a), `sorted by since start again: ${since}`);
      }),
    ],
    [
      'at half width the timeline reads in Light Modern and Dark Modern',
      shotOnFailure(page, 'halfwidth-themes', async () => {
        for (const [theme, file, dark] of [
          ['Light Modern', 'halfwidth-light', false],
          ['Dark Modern', 'halfwidth-dark', true],
        ]) {
          await setTheme(page, theme);
          const bg = await frame.locator('body').evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).backgroundColor);
          const fg = await frame.locator('body').evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).color);
          if (dark) assert.ok(luminance(bg) < 0.25 && luminance(fg) > 0.6, `${theme}: ${fg} on ${bg}`);
          else assert.ok(luminance(bg) > 0.85 && luminance(fg) < 0.35, `${theme}: ${fg} on ${bg}`);
          // The codicon font loaded under the CSP: an icon is drawn as a glyph, not a box of text.
          const iconFont = await frame.locator('[data-action="follow"] .codicon').evaluate((i) => i.ownerDocument.defaultView.getComputedStyle(i).fontFamily);
          assert.match(iconFont, /codicon/);
          assert.equal(await frame.locator('[data-action="follow"] .codicon').evaluate((i) => i.ownerDocument.fonts.check('16px codicon')), true, 'the codicon font is loaded');
          await tidy(page);
          await screenshot(page, file);
        }
      }),
    ],
    [
      'once the run ends, Follow live and Force Cleanup are disabled and say why; the rest stay',
      shotOnFailure(page, 'halfwidth-ended', async () => {
        writeFileSync(STOP, '');
        await frame.locator('header .status', { hasText: 'ended' }).waitFor({ timeout: 60_000 });
        for (const action of ['follow', 'forceCleanup']) {
          const b = frame.locator(`[data-action="${action}"]`);
          assert.equal(await b.isDisabled(), true, `${action} disabled`);
          assert.match((await b.getAttribute('title')) ?? '', /needs a running program/);
        }
        for (const action of ['exportCsv', 'fromZero', 'compare', 'exportPng']) assert.equal(await frame.locator(`[data-action="${action}"]`).isDisabled(), false, `${action} enabled`);
        await tidy(page);
        await screenshot(page, 'halfwidth-ended');
      }),
    ],
  ];
}

function attachAndCompare(page) {
  const frame = webviewFrame(page);
  return [
    [
      'Attach to Process... in the empty timeline attaches; a process with no client says why it has no checkpoints',
      shotOnFailure(page, 'halfwidth-attach-light', async () => {
        const tag = `headroom-attach-target-${process.pid}`;
        const target = spawn('/usr/bin/python3', ['-c', `import time; tag = "${tag}"; x = b"x" * (80 << 20); time.sleep(90)`], { stdio: 'ignore' });
        try {
          await page.waitForTimeout(1000);
          // This window in the light theme: the empty state, the attached process and compare mode.
          await setTheme(page, 'Light Modern');
          await openFile(page, 'allocate_steps.py');
          await runCommand(page, 'Headroom: Show Timeline');
          // A fresh window's first webview can take a while on a loaded machine.
          await frame.locator('text=No monitoring session yet').waitFor({ timeout: 45_000 });
          await tidy(page);
          await screenshot(page, 'halfwidth-empty-light');
          await frame.locator('.empty button', { hasText: 'Attach to Process...' }).click();
          await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Attach Headroom to Process' }).waitFor({ timeout: 15_000 });
          await page.locator('.quick-input-widget input').fill(tag);
          await page.locator('.quick-input-list .monaco-list-row', { hasText: tag }).first().waitFor({ timeout: 15_000 });
          await page.keyboard.press('Enter');
          const none = frame.locator('td.none');
          await none.filter({ hasText: 'does not report checkpoints' }).waitFor({ timeout: 30_000 });
          const text = await none.innerText();
          assert.match(text, /This process does not report checkpoints: add import headroom; headroom\.checkpoint\("label"\) to it, or run it with Headroom\./);
          assert.doesNotMatch(text, /yet/);
          assert.equal(await none.locator('code').count(), 1, 'the call is shown as code');
          await tidy(page);
          await screenshot(page, 'halfwidth-attach-light');
        } finally {
          target.kill();
        }
      }),
    ],
    [
      'compare at half width: one legend chip per series and an A/B key, the compare table in its own scroll box',
      shotOnFailure(page, 'halfwidth-compare-light', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'headroom-halfwidth-'));
        try {
          const a = recordWithCli(dir, 'config-a', 300, 0.1);
          const b = recordWithCli(dir, 'config-b', 150, 0.8);
          await runCommand(page, 'View: Close All Editors');
          await openFile(page, 'allocate_steps.py');
          await runCommand(page, 'Headroom: Open Recording...');
          await answerFileDialog(page, 'Open Headroom Recording', a);
          await frame.locator('tbody tr', { hasText: 'loaded' }).first().waitFor({ timeout: 20_000 });
          const chipsBefore = await frame.locator('.legend-item').count();
          await runCommand(page, 'Headroom: Compare with Recording...');
          await answerFileDialog(page, 'Compare with Recording', b);
          await frame.locator('.compare tbody tr', { hasText: 'loaded' }).waitFor({ timeout: 20_000 });
          await frame.locator('.legend-key').first().waitFor({ timeout: 10_000 });
          assert.equal(await frame.locator('.legend-item').count(), chipsBefore, 'no chip per compared series');
          assert.deepEqual(await frame.locator('.legend-key').allInnerTexts(), ['A', 'B']);
          assert.match((await frame.locator('.legend-key').nth(1).getAttribute('title')) ?? '', /B, dashed lines: recording\.ndjson/);
          assert.ok((await frame.locator('.legend').boundingBox()).height <= 48, 'the legend stays compact in compare mode');
          const box = await frame.locator('.compare .table-scroll').evaluate((s) => ({ client: s.clientWidth, scroll: s.scrollWidth, overflow: s.ownerDocument.defaultView.getComputedStyle(s).overflowX }));
          assert.equal(box.overflow, 'auto');
          await assertNoPageScroll(frame);
          await tidy(page, { hidePanel: true });
          // The A/B key is in view, not pushed out of the legend's rows by the chips.
          const key = await frame.locator('.legend-key').nth(1).boundingBox();
          const items = await frame.locator('.legend-items').boundingBox();
          assert.ok(key.y + key.height <= items.y + items.height + 1, 'the B key is visible in the legend');
          await screenshot(page, 'halfwidth-compare-light');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    ],
  ];
}

