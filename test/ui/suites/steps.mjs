// UI suite: the step axis. A small training loop reports its global steps (steps_loop.py); the
// timeline beside the code offers Steps, draws against steps with `step N` ticks that never
// collide, shows the step in the hover, draws the loss and each step's peak, keeps zoom, markers
// and the region lane working, and turns Steps off, saying why, when compared with a run that has
// no steps. Dark and light screenshots.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, workbenchUrl } from '../../rig/codeServer.mjs';
import { answerFileDialog, openFile, recordWithCli, runCommand, runTests, screenshot, setTheme, shotOnFailure, waitForWorkbench, webviewFrame } from '../workbench.mjs';

export const settings = { 'task.allowAutomaticTasks': 'off', 'workbench.colorTheme': 'Default Dark Modern' };

const FOLDER = join(repoRoot, 'test', 'fixtures', 'workspace');
/** The fixture stops early when this file exists (steps_loop.py). */
const STOP = join(tmpdir(), 'headroom-steps-loop.stop');

export async function run({ browser, server }) {
  rmSync(STOP, { force: true });
  const page = await browser.context.newPage();
  await page.goto(workbenchUrl(server, { folder: FOLDER, extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page);
  try {
    return [await runTests('ui steps', tests(page))];
  } finally {
    writeFileSync(STOP, '');
    await page.close();
    rmSync(STOP, { force: true });
  }
}

/** Records a shorter run of the loop (`steps` steps) with the CLI into `dir`; returns the recording. */
function recordLoop(dir, steps) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', '--out', dir, '--quiet', '--', '/usr/bin/python3', join(FOLDER, 'steps_loop.py')], { encoding: 'utf8', env: { ...process.env, STEPS_LOOP_STEPS: String(steps) } });
  const path = join(dir, 'recording.ndjson');
  if (r.status !== 0 || !existsSync(path)) throw new Error(`headroom run failed: ${r.stderr}`);
  return path;
}

/** Clears what would cover the panel in a screenshot, and moves the pointer off the chart. */
async function tidy(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel');
  await page.mouse.move(200, 400);
}

/** The x tick labels as drawn, and the plot's left and right edges. */
async function ticksOf(canvas) {
  const ticks = JSON.parse((await canvas.getAttribute('data-x-ticks')) ?? '[]');
  const [left, , right] = ((await canvas.getAttribute('data-plot-area')) ?? '').split(',').map(Number);
  return { ticks, left, right };
}

/** Asserts the ticks read `step N` (a whole step with thousands separators), lie inside the plot and never touch. */
async function assertStepTicks(canvas, what) {
  const { ticks, left, right } = await ticksOf(canvas);
  const where = `${what}: ${JSON.stringify(ticks)} in ${left}..${right}`;
  assert.ok(ticks.length >= 2, `at least two ticks, ${where}`);
  for (const t of ticks) assert.match(t.label, /^step [1-9]\d{0,2}(,\d{3})*$/, where);
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i - 1].x1 + 4 <= ticks[i].x0, `labels ${i - 1} and ${i} collide, ${where}`);
  assert.ok(ticks.every((t) => t.x0 >= left - 1 && t.x1 <= right + 1), `inside the plot, ${where}`);
  const steps = ticks.map((t) => Number(t.label.slice(5).replace(/,/g, '')));
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b), `steps rise left to right, ${where}`);
  return steps;
}

/** The hover's text at a fraction of the plot's width, as the canvas reports it. */
async function hoverAt(page, canvas, fraction) {
  const { left, right } = await ticksOf(canvas);
  const [, top, , bottom] = ((await canvas.getAttribute('data-plot-area')) ?? '').split(',').map(Number);
  await canvas.hover({ position: { x: Math.round(left + (right - left) * fraction), y: Math.round((top + bottom) / 2) } });
  for (let i = 0; i < 20 && !(await canvas.getAttribute('data-tooltip')); i++) await page.waitForTimeout(100);
  return (await canvas.getAttribute('data-tooltip')) ?? '';
}

function tests(page) {
  const frame = webviewFrame(page);
  const canvas = frame.locator('canvas');
  const steps = frame.locator('[data-action="steps"]');
  return [
    [
      'once the loop reports steps a Steps button appears beside the view toggles, off, with a name and a tooltip',
      shotOnFailure(page, 'steps-button', async () => {
        await openFile(page, 'steps_loop.py');
        await runCommand(page, 'Headroom: Show Timeline');
        await frame.locator('text=No monitoring session yet').waitFor({ timeout: 45_000 });
        await frame.locator('.empty button', { hasText: 'Run Python File with Headroom' }).click();
        await frame.locator('h1', { hasText: 'steps_loop.py' }).waitFor({ timeout: 30_000 });
        await frame.locator('header .status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
        await steps.waitFor({ timeout: 30_000 });
        assert.equal(await steps.getAttribute('aria-label'), 'Steps');
        assert.equal(await steps.getAttribute('aria-pressed'), 'false');
        assert.match((await steps.getAttribute('title')) ?? '', /^Steps: Draw against the training step/);
        assert.equal(await steps.isDisabled(), false);
        assert.match((await steps.locator('.codicon').getAttribute('class')) ?? '', /codicon-debug-step-over/);
        // It sits with the view toggles, on the toolbar's one row.
        const actions = await frame.locator('header .toolbar button').evaluateAll((bs) => bs.map((b) => b.dataset.action));
        assert.deepEqual(actions.slice(0, 4), ['follow', 'fromZero', 'steps', 'resetZoom']);
        const tops = await frame.locator('header .toolbar button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().top));
        assert.ok(tops.every((t) => Math.abs(t - tops[0]) <= 1), `one row: ${tops}`);
      }),
    ],
    [
      'Steps live: the x axis reads `step N`, labels apart, more steps as the run goes on; loss and the per-step peak are drawn',
      shotOnFailure(page, 'steps-live', async () => {
        await steps.click();
        assert.equal(await steps.getAttribute('aria-pressed'), 'true');
        await page.waitForTimeout(800);
        const first = await assertStepTicks(canvas, 'live');
        await page.waitForTimeout(2500);
        const later = await assertStepTicks(canvas, 'live, later');
        assert.ok(later[later.length - 1] >= first[first.length - 1], `the axis follows the run: ${first} then ${later}`);
        const series = (await canvas.getAttribute('data-series')) ?? '';
        assert.match(series, /(^|\|)loss(\||$)/, series);
        assert.match(series, /peak in step/, series);
        assert.equal(await frame.locator('.legend-item', { hasText: 'epoch loss' }).getAttribute('aria-pressed'), 'false', 'the epoch loss waits to be asked for');
      }),
    ],
    [
      'the hover shows the step beside the wall clock',
      shotOnFailure(page, 'steps-hover', async () => {
        const text = await hoverAt(page, canvas, 0.6);
        assert.match(text, /^step [\d,]+ · [\d.]+ (ms|s)|^step [\d,]+ · \d+ min/, text);
        assert.match(text, /\d{1,2}:\d{2}:\d{2}/, `the wall clock: ${text}`);
        assert.match(text, /: [\d.]+ [kMG]B/, `a memory series in bytes: ${text}`);
        // (The loss is drawn, see data-series; the hover lists the series with a point nearest the pointer, which may not include it.)
        await page.mouse.move(200, 400);
      }),
    ],
    [
      'ended after 1,200 steps: ticks stay `step N` (`step 1,000`) and apart at half width and narrower; zooming keeps them, the markers and the region lane',
      shotOnFailure(page, 'steps-ended', async () => {
        // The loop ends by itself after 1,200 steps.
        await frame.locator('header .status', { hasText: 'ended' }).waitFor({ timeout: 120_000 });
        assert.equal(await steps.getAttribute('aria-pressed'), 'true', 'still on steps once the run ended');
        await page.waitForTimeout(800);
        const labels = (await ticksOf(canvas)).ticks.map((t) => t.label);
        assert.ok(labels.some((l) => /^step \d,\d{3}$/.test(l)), `thousands are written 1,000: ${labels}`);
        await assertStepTicks(canvas, 'ended, half width');
        await page.setViewportSize({ width: 1000, height: 900 });
        try {
          await page.waitForTimeout(1000);
          await assertStepTicks(canvas, 'a 1000 px window');
        } finally {
          await page.setViewportSize({ width: 1400, height: 900 });
        }
        await page.waitForTimeout(800);
        const whole = await assertStepTicks(canvas, 'back at half width');
        assert.ok(Number(await canvas.getAttribute('data-markers')) >= 2, 'checkpoint and epoch markers are drawn against steps');
        const [, , runs] = ((await canvas.getAttribute('data-region-lane')) ?? '').split(',').map(Number);
        assert.ok(runs >= 1, `the region lane shows the train region: ${runs} runs`);
        await canvas.focus();
        for (let i = 0; i < 4; i++) await canvas.press('+');
        await page.waitForTimeout(1000);
        const zoomed = await assertStepTicks(canvas, 'zoomed in');
        assert.ok(zoomed[zoomed.length - 1] - zoomed[0] < whole[whole.length - 1] - whole[0], `zoomed in: ${zoomed} within ${whole}`);
        await canvas.press('ArrowLeft');
        await page.waitForTimeout(800);
        await assertStepTicks(canvas, 'panned');
        await frame.locator('[data-action="resetZoom"]').click();
        await page.waitForTimeout(800);
        await assertStepTicks(canvas, 'zoom reset');
      }),
    ],
    [
      'Steps off gives time back, on again gives steps',
      shotOnFailure(page, 'steps-toggle', async () => {
        await steps.click();
        assert.equal(await steps.getAttribute('aria-pressed'), 'false');
        await page.waitForTimeout(800);
        const { ticks } = await ticksOf(canvas);
        assert.ok(ticks.length >= 2 && ticks.every((t) => /^\d+(\.\d+)?s$|^\d+m( \d+s)?$/.test(t.label)), JSON.stringify(ticks));
        assert.match(await hoverAt(page, canvas, 0.6), /^[\d.]+ (ms|s) · \d{1,2}:\d{2}:\d{2}.* · step [\d,]+/);
        await page.mouse.move(200, 400);
        await steps.click();
        await page.waitForTimeout(800);
        await assertStepTicks(canvas, 'on again');
      }),
    ],
    [
      'against steps the timeline reads in Dark Modern and Light Modern',
      shotOnFailure(page, 'steps-themes', async () => {
        for (const [theme, file] of [
          ['Dark Modern', 'steps-dark'],
          ['Light Modern', 'steps-light'],
        ]) {
          await setTheme(page, theme);
          await tidy(page);
          await assertStepTicks(canvas, theme);
          await screenshot(page, file);
          await hoverAt(page, canvas, 0.45);
          await screenshot(page, `${file}-hover`);
          await page.mouse.move(200, 400);
        }
      }),
    ],
    [
      'compared with a run that has steps, Steps stays on: the compared run is drawn dashed by its own steps',
      shotOnFailure(page, 'steps-compare-steps', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'headroom-steps-'));
        try {
          const b = recordLoop(join(dir, 'short'), 300);
          await runCommand(page, 'Headroom: Compare with Recording...');
          await answerFileDialog(page, 'Compare with Recording', b);
          await frame.locator('.legend-key').first().waitFor({ timeout: 20_000 });
          await page.waitForTimeout(1000);
          assert.equal(await steps.isDisabled(), false);
          assert.equal(await steps.getAttribute('aria-pressed'), 'true');
          assert.notEqual(await canvas.getAttribute('data-compare-offset'), '', 'the compared series are drawn');
          const align = frame.locator('.compare select');
          assert.equal(await align.isDisabled(), true, 'no aligning in time against steps');
          assert.match((await align.getAttribute('title')) ?? '', /line up by their step numbers/);
          await assertStepTicks(canvas, 'compared with a run with steps');
          await tidy(page);
          await screenshot(page, 'steps-compare-steps-light');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    ],
    [
      'compared with a recording without steps, Steps is off and disabled and says why',
      shotOnFailure(page, 'steps-compare', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'headroom-steps-'));
        try {
          const b = recordWithCli(dir, 'no-steps', 100, 0.1);
          await runCommand(page, 'Headroom: Compare with Recording...');
          await answerFileDialog(page, 'Compare with Recording', b);
          await frame.locator('.legend-key').first().waitFor({ timeout: 20_000 });
          await page.waitForTimeout(800);
          assert.equal(await steps.isDisabled(), true);
          assert.match((await steps.getAttribute('title')) ?? '', /\(the compared recording has no training steps to line it up by\)$/);
          assert.equal(await frame.locator('.compare select').isDisabled(), false, 'in time, the runs can be aligned again');
          const { ticks } = await ticksOf(canvas);
          assert.ok(ticks.length >= 2 && ticks.every((t) => !t.label.startsWith('step')), `time again: ${JSON.stringify(ticks)}`);
          await tidy(page);
          await screenshot(page, 'steps-compare-light');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    ],
  ];
}
