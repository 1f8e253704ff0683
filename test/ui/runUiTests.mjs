// UI tests: the real workbench in Debian Chromium, looked at as a person would.
// Prints `ui: N passed, M failed, K skipped` (nothing here skips: a test runs or fails); screenshots land in test-results/screenshots/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../rig/browser.mjs';
import { repoRoot, startCodeServer, workbenchUrl } from '../rig/codeServer.mjs';
import { codeLenses, goToLine, hoverTooltip, openFile, paletteRows, runCommand, runTests, screenshot, statusItem, waitForWorkbench, webviewFrame } from './workbench.mjs';

if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}

let server;
let browser;
const summary = { passed: 0, failed: 0, skipped: 0 };
try {
  server = await startCodeServer({ settings: { 'headroom.python.interpreter': '/usr/bin/python3', 'task.allowAutomaticTasks': 'off' } });
  browser = await launchBrowser();

  // The CLI's HTML report: opened from disk, offline, as a person double-clicking it would.
  const reportResult = await runTests('ui', [
    [
      'the CLI HTML report renders its chart and table offline, with no console errors',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'headroom-report-'));
        try {
          const prog = join(dir, 'prog.py');
          writeFileSync(prog, 'import headroom, time\nheadroom.checkpoint("start")\nx = b"r" * (150 << 20)\nheadroom.checkpoint("<img src=x onerror=alert(1)> loaded")\ntime.sleep(0.5)\n');
          const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', '--out', dir, '--quiet', '--', '/usr/bin/python3', prog], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          const page = await browser.context.newPage();
          const errors = [];
          const requests = [];
          page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
          page.on('pageerror', (e) => errors.push(String(e)));
          page.on('request', (q) => requests.push(q.url()));
          let dialogs = 0;
          page.on('dialog', (d) => {
            dialogs++;
            void d.dismiss();
          });
          await page.goto(`file://${join(dir, 'report.html')}`);
          await page.locator('svg polyline').first().waitFor();
          assert.ok((await page.locator('svg polygon').count()) >= 1, 'min/max bands drawn');
          const rows = await page.locator('tbody tr').allInnerTexts();
          assert.equal(rows.length, 2);
          assert.match(rows[1], /<img src=x onerror=alert\(1\)> loaded/);
          assert.equal(await page.locator('img').count(), 0);
          assert.match(await page.locator('.peaks').innerText(), /peak RSS\s+1\d\d MB/);
          assert.deepEqual(errors, []);
          assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'no network access');
          assert.equal(dialogs, 0);
          await screenshot(page, 'cli-report');
          await page.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ],
  ]);
  summary.passed += reportResult.passed;
  summary.failed += reportResult.failed;

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
        assert.match(text, /after first 200 MB: \+2\d\d MB RSS/);
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
  ]);
  summary.passed += result.passed;
  summary.failed += result.failed;

  // Hostile labels, in the test workspace: text only, no element, no dialog.
  const page2 = await browser.context.newPage();
  let dialogs = 0;
  page2.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page2.goto(workbenchUrl(server, { folder: join(repoRoot, 'test', 'fixtures', 'workspace'), extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(page2);
  const hostile = await runTests('ui', [
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
  ]);
  summary.passed += hostile.passed;
  summary.failed += hostile.failed;

  // A launch typed into the integrated terminal, with no Headroom command: torchrun, two ranks.
  const terminalRun = await runTests('ui', [
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
        assert.ok(texts.some((t) => /(step start|after forward|after step): [+-]?[\d.]+ [kMG]?B RSS (max \(rank [01]\) · min [+-]?[\d.]+ [kMG]?B \(rank [01]\)|on every rank) \| ⚠ rank 1 [\d.]+ MB above the others/.test(t)), texts.join('\n'));
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
        assert.equal(await relative.innerText(), 'Relative to start');
        assert.match((await relative.getAttribute('title')) ?? '', /relative to its first value/);
      },
    ],
  ]);
  summary.passed += terminalRun.passed;
  summary.failed += terminalRun.failed;

  // Recordings: each in a panel of its own; another run drawn over it; light, dark and high-contrast themes.
  const recDir = mkdtempSync(join(tmpdir(), 'headroom-compare-'));
  const record = (name, mb, delay) => {
    const prog = join(recDir, `${name}.py`);
    writeFileSync(prog, `import headroom, time\ntime.sleep(${delay})\nheadroom.checkpoint("start")\nx = b"r" * (${mb} << 20)\nheadroom.checkpoint("loaded")\ntime.sleep(0.5)\n`);
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', '--out', join(recDir, name), '--quiet', '--', '/usr/bin/python3', prog], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return join(recDir, name, 'recording.ndjson');
  };
  /** Answers a file dialog (code-server's own, a quick input) with a path. */
  const answerFileDialog = async (title, path) => {
    // The palette's widget turns into the dialog, which fills in its folder when it has read it.
    await page2.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
    const input = page2.locator('.quick-input-widget input');
    await page2.waitForFunction(() => /\/$/.test(document.querySelector('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 15_000 });
    // It may still rewrite the value once it has listed the folder: type again until the path stays.
    for (let i = 0; i < 10; i++) {
      await input.fill(path);
      await page2.waitForTimeout(600);
      if ((await input.inputValue()) === path) break;
    }
    assert.equal(await input.inputValue(), path);
    await page2.keyboard.press('Enter');
    await page2.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  };
  const setTheme = async (name) => {
    await paletteRows(page2, 'Preferences: Color Theme');
    await page2.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
    const input = page2.locator('.quick-input-widget input');
    await page2.locator('.quick-input-list .monaco-list-row', { hasText: 'Modern' }).first().waitFor({ timeout: 10_000 });
    await input.fill(name);
    await page2.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
    await page2.keyboard.press('Enter');
    await page2.waitForTimeout(1500);
  };
  /** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
  const luminance = (css) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((x) => Number(x) / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  /** Runs `fn`, keeping a screenshot of the workbench if it fails. */
  const shotOnFailure = (name, fn) => async () => {
    try {
      await fn();
    } catch (e) {
      await screenshot(page2, `${name}-failure`);
      throw e;
    }
  };
  const recordings = await runTests('ui', [
    [
      'an opened recording gets a panel of its own; Compare draws another run over it with per-checkpoint differences',
      shotOnFailure('compare', async () => {
        const a = record('config-a', 300, 0.1);
        const b = record('config-b', 150, 0.8);
        await runCommand(page2, 'View: Close All Editors');
        await runCommand(page2, 'Headroom: Open Recording...');
        await answerFileDialog('Open Headroom Recording', a);
        await page2.locator('.tab', { hasText: 'recording.ndjson (recording)' }).first().waitFor({ timeout: 20_000 });
        const frame = webviewFrame(page2);
        await frame.locator('tbody tr', { hasText: 'loaded' }).first().waitFor({ timeout: 20_000 });
        await runCommand(page2, 'Headroom: Compare with Recording...');
        await answerFileDialog('Compare with Recording', b);
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
      shotOnFailure('themes', async () => {
        const frame = webviewFrame(page2);
        const shot = async (theme, file, dark) => {
          await setTheme(theme);
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
  ]);
  summary.passed += recordings.passed;
  summary.failed += recordings.failed;
  rmSync(recDir, { recursive: true, force: true });

  // The live demo (the README's main command): opening examples/ starts the training task.
  await server.stop();
  server = await startCodeServer({ settings: { 'headroom.python.interpreter': '/usr/bin/python3', 'task.allowAutomaticTasks': 'on' } });
  const demo = await browser.context.newPage();
  await demo.goto(workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot }));
  await waitForWorkbench(demo);
  const live = await runTests('ui', [
    [
      'the demo folder starts a monitored PyTorch run on open: live status bar and CodeLens',
      async () => {
        await demo.locator('.statusbar-item', { hasText: /\d+(\.\d+)? (MB|GB)/ }).first().waitFor({ timeout: 60_000 });
        await openFile(demo, 'train_torch_cpu.py');
        await goToLine(demo, 45);
        await codeLenses(demo, 'epoch done').first().waitFor({ timeout: 60_000 }).catch(async (e) => {
          await screenshot(demo, 'demo-failure');
          throw e;
        });
        await codeLenses(demo, 'forward + backward').first().waitFor({ timeout: 30_000 });
        const text = await codeLenses(demo, 'epoch done').first().innerText();
        assert.match(text, /epoch done: [+-][\d.]+ (kB|MB|GB) RSS .*\| \d+ hits?/);
        // After three epochs the leak shows: the 64 MB kept per epoch, as growth per hit.
        const growing = demo.locator('.monaco-editor .codelens-decoration', { hasText: /epoch done: .*growing/ });
        await growing.first().waitFor({ timeout: 240_000 }).catch(async (e) => {
          await screenshot(demo, 'demo-growth-failure');
          throw e;
        });
        await screenshot(demo, 'demo-live');
        const readout = await growing.first().innerText();
        const perHit = readout.match(/\| ([3-9]|\d\d+) hits \| growing \+([\d.]+) MB\/hit/);
        assert.ok(perHit, readout);
        assert.ok(Number(perHit[2]) > 40 && Number(perHit[2]) < 140, `64 MiB kept per epoch: ${readout}`);
      },
    ],
  ]);
  summary.passed += live.passed;
  summary.failed += live.failed;
} catch (e) {
  console.error('[ui] rig error:', e);
  summary.failed++;
} finally {
  await browser?.close();
  await server?.stop();
}
console.log(`ui: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
