// Timeline drawing cost in Debian Chromium (headless), canvas 1200x400: Headroom's
// envelope path vs chart.js's own decimation plugin, measured in one run.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { report } from './harness';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-timeline-bench-'));
  try {
    const js = await build({ entryPoints: [join(__dirname, 'timeline', 'page.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', minify: true });
    writeFileSync(join(dir, 'page.js'), js.outputFiles[0].text);
    writeFileSync(join(dir, 'index.html'), '<!DOCTYPE html><html><body style="margin:0"><script src="page.js"></script></body></html>');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--js-flags=--max-old-space-size=4096'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      await page.goto(`file://${join(dir, 'index.html')}`);
      const r = (await page.evaluate(() => (globalThis as unknown as { __bench: Promise<Record<string, number>> }).__bench)) as Record<string, number>;
      report(
        'timeline',
        {
          ...r,
          first_paint_1m_vs_plugin: r.plugin_first_paint_1m_ms / r.first_paint_1m_ms,
          update_1m_vs_plugin: r.plugin_update_1m_ms / r.update_1m_ms,
        },
        {
          method:
            'Debian Chromium headless, canvas 1200x400, devicePixelRatio 1, chart.js without animation (draws synchronously). Ours: the store\'s min/max envelope at 1200 columns, then chart.js; update = append 100 points, re-query, redraw (median of 20). Plugin: the same values as {x,y} points with chart.js decimation (min-max), parsing off, normalized; update = push 100 points, chart.update. First paint: median of 5. Building the data (the store or the array) is not timed in either.',
        },
      );
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0));
