// Helpers that drive the code-server workbench the way a person does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../rig/codeServer.mjs';

export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

export async function waitForWorkbench(page) {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.statusbar-item', { timeout: 60_000 });
}

/** The status-bar entry whose text contains `text`. */
export function statusItem(page, text) {
  return page.locator('.statusbar-item', { hasText: text });
}

/** Takes keyboard focus back from a webview (whose iframe swallows key presses). */
export async function focusWorkbench(page) {
  await page.locator('.part.sidebar .title-label').first().click().catch(() => undefined);
}

/** Opens the command palette and types `query`; returns the visible row labels. */
export async function paletteRows(page, query) {
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${query}`);
  await page.waitForTimeout(400);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
  return rows.allInnerTexts();
}

/** Runs a command by its palette title, as a person would. */
export async function runCommand(page, title) {
  await paletteRows(page, title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' }).catch(() => undefined);
}

/** The inner document of Headroom's webview (a notebook's own output webview is another). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready[src*="extensionId=headroom-dev"]').frameLocator('#active-frame');
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A tiny test runner with the closing line the other suites use. */
export async function runTests(name, tests) {
  let passed = 0;
  let failed = 0;
  for (const [title, fn] of tests) {
    const started = Date.now();
    try {
      await fn();
      passed++;
      console.log(`  ok   ${title} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`  FAIL ${title}\n${e?.stack ?? e}`);
    }
  }
  return { name, passed, failed };
}

/** Opens a workspace file through Quick Open, as a person would. */
export async function openFile(page, name) {
  await focusWorkbench(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.locator(`.tab.active`, { hasText: name }).waitFor({ timeout: 15_000 });
}

/** The CodeLens decorations of the visible editor. */
export function codeLenses(page, text) {
  return page.locator('.monaco-editor .codelens-decoration', { hasText: text });
}

/** Scrolls the editor to a line with Go to Line (Ctrl+G), as a person would. */
export async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/**
 * Hovers `target` until the workbench hover holding `text` is shown (moving away and back
 * between tries, as a person would); returns the hover's text.
 */
export async function hoverTooltip(page, target, text, { tries = 3, timeout = 5_000 } = {}) {
  const hover = page.locator('.workbench-hover-container', { hasText: text });
  for (let i = 0; i < tries; i++) {
    await page.mouse.move(700, 300);
    await target.hover();
    if (await hover.first().waitFor({ state: 'visible', timeout }).then(() => true, () => false)) return hover.first().innerText();
  }
  throw new Error(`no hover with "${text}" after ${tries} tries`);
}

/** Wraps a test body so that a failure keeps a screenshot of the workbench (`<name>-failure.png`). */
export function shotOnFailure(page, name, fn) {
  return async () => {
    try {
      await fn();
    } catch (e) {
      await screenshot(page, `${name}-failure`).catch(() => undefined);
      throw e;
    }
  };
}

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
export function luminance(css) {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((x) => Number(x) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Switches the colour theme through the palette, as a person would. */
export async function setTheme(page, name) {
  await paletteRows(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Modern' }).first().waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
}

/** Answers a file dialog (code-server's own, a quick input) with a path. */
export async function answerFileDialog(page, title, path) {
  // The palette's widget turns into the dialog, which fills in its folder when it has read it.
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
  const input = page.locator('.quick-input-widget input');
  await page.waitForFunction(() => /\/$/.test(document.querySelector('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 15_000 });
  // It may still rewrite the value once it has listed the folder: type again until the path stays.
  for (let i = 0; i < 10; i++) {
    await input.fill(path);
    await page.waitForTimeout(600);
    if ((await input.inputValue()) === path) break;
  }
  if ((await input.inputValue()) !== path) throw new Error(`the file dialog kept ${await input.inputValue()} instead of ${path}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

/** Records a small program with the CLI in `dir`/`name`: a start checkpoint, `mb` MiB, a loaded checkpoint. Returns the recording. */
export function recordWithCli(dir, name, mb, delay) {
  const prog = join(dir, `${name}.py`);
  writeFileSync(prog, `import headroom, time\ntime.sleep(${delay})\nheadroom.checkpoint("start")\nx = b"r" * (${mb} << 20)\nheadroom.checkpoint("loaded")\ntime.sleep(0.5)\n`);
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', '--out', join(dir, name), '--quiet', '--', '/usr/bin/python3', prog], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`headroom run failed: ${r.stderr}`);
  const path = join(dir, name, 'recording.ndjson');
  if (!existsSync(path)) throw new Error(`no recording at ${path}`);
  return path;
}
