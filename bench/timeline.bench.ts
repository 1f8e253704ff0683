// Timeline drawing cost in Debian Chromium (headless), plot 1200x400: the webview's real
// drawing code (bench/timeline/page.ts) against chart.js's own decimation plugin. Each case
// runs in a fresh browser context (its own page and renderer), so neither side inherits the
// other's warm-up, and the order of the cases alternates from one repetition to the next.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { median, report } from './harness';

const REPS = 7;
const CASES = ['ours-1m', 'plugin-1m', 'ours-10m'] as const;
type Case = (typeof CASES)[number];

async function runCase(browser: Browser, dir: string, c: Case): Promise<Record<string, number>> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`file://${join(dir, 'index.html')}?case=${c}`);
    return (await page.evaluate(() => (globalThis as unknown as { __bench: Promise<Record<string, number>> }).__bench)) as Record<string, number>;
  } finally {
    await context.close();
  }
}

/** The live-day case (once: it measures memory, not time), with the typed arrays' backing stores added through the DevTools protocol. */
async function liveDay(browser: Browser, dir: string): Promise<Record<string, number>> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`file://${join(dir, 'index.html')}?case=live-day`);
    const r = (await page.evaluate(() => (globalThis as unknown as { __bench: Promise<Record<string, number>> }).__bench)) as Record<string, number>;
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const u = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
    return { ...r, with_buffers_MB: (u.usedSize + (u.backingStorageSize ?? 0)) / 2 ** 20 };
  } finally {
    await context.close();
  }
}

async function main() {
  const wall = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-timeline-bench-'));
  try {
    const js = await build({ entryPoints: [join(__dirname, 'timeline', 'page.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', minify: true });
    writeFileSync(join(dir, 'page.js'), js.outputFiles[0].text);
    writeFileSync(join(dir, 'index.html'), '<!DOCTYPE html><html><body style="margin:0"><script src="page.js"></script></body></html>');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--js-flags=--max-old-space-size=4096 --expose-gc', '--enable-precise-memory-info'],
    });
    const got: Record<Case, Record<string, number>[]> = { 'ours-1m': [], 'plugin-1m': [], 'ours-10m': [] };
    let day: Record<string, number> = {};
    try {
      for (let r = 0; r < REPS; r++) {
        const order = r % 2 === 0 ? CASES : [...CASES].reverse();
        for (const c of order) got[c].push(await runCase(browser, dir, c));
      }
      day = await liveDay(browser, dir);
    } finally {
      await browser.close();
    }
    const m = (c: Case, k: string) => median(got[c].map((x) => x[k]));
    const paired = (k: string) => median(got['plugin-1m'].map((p, i) => p[k] / got['ours-1m'][i][k]));
    report(
      'timeline',
      {
        first_paint_1m_ms: m('ours-1m', 'first_paint_ms'),
        update_1m_ms: m('ours-1m', 'update_ms'),
        first_paint_10m_ms: m('ours-10m', 'first_paint_ms'),
        plugin_first_paint_1m_ms: m('plugin-1m', 'first_paint_ms'),
        plugin_update_1m_ms: m('plugin-1m', 'update_ms'),
        first_paint_1m_vs_plugin: m('plugin-1m', 'first_paint_ms') / m('ours-1m', 'first_paint_ms'),
        update_1m_vs_plugin: m('plugin-1m', 'update_ms') / m('ours-1m', 'update_ms'),
        first_paint_1m_vs_plugin_paired: paired('first_paint_ms'),
        update_1m_vs_plugin_paired: paired('update_ms'),
        spike_kept: Math.min(...got['ours-1m'].map((x) => x.spike_kept)),
        webview_live_day_heap_MB: day.heap_24h_MB,
        webview_live_day_heap_by_6h_MB: [day.heap_start_MB, day.heap_6h_MB, day.heap_12h_MB, day.heap_18h_MB, day.heap_24h_MB].map((x) => Math.round(x)).join(' / '),
        webview_live_day_with_buffers_MB: day.with_buffers_MB,
        wall_seconds: (performance.now() - wall) / 1000,
      },
      {
        method: `Debian Chromium headless, plot 1200x400, devicePixelRatio 1. Every case in a fresh browser context (its own page), ${REPS} repetitions, the order of the cases reversed every other repetition; medians. Ours: the webview's real code: the host's Series envelope at the plot's width as a snapshot message, then src/webview's applySnapshot, buildDatasets and TimelineChart.draw (chart.js with the zoom plugin, our axes, markers and region lane); update = applyAppend of 100 live samples, buildDatasets, draw (median of 20). Plugin: the same values as {x,y} points with chart.js decimation (min-max), parsing off, normalized; update = push 100 points, chart.update (median of 20). First paint: from the data in hand to the drawn frame; building the host series or the point array is not timed. *_paired: median of the per-repetition ratios (plugin / ours). webview_live_day: one page fed 24 h of 10 Hz live data for 12 series (86,400 append messages as the host sends them while following, a frame every 10 min of run time) as fast as it goes; JS heap after a full GC at the start and every 6 h, and at the end the heap plus typed-array backing stores (DevTools Runtime.getHeapUsage).`,
        runs: got,
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0));
