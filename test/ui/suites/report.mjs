// UI suite: The CLI's HTML report, opened from disk as a person double-clicking it would: no editor needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../rig/codeServer.mjs';
import { runTests, screenshot } from '../workbench.mjs';

export const needsServer = false;

/** Runs the suite; returns one { passed, failed } per group of tests. */
export async function run({ browser }) {
  const results = [];
  // The CLI's HTML report: opened from disk, offline, as a person double-clicking it would.
  results.push(await runTests('ui', [
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
  ]));
  return results;
}
