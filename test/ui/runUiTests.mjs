// UI tests: the real workbench in Debian Chromium, looked at as a person would.
// Each suite in suites/ gets a fresh code-server with its own settings (so suites cannot leak state
// into each other); HEADROOM_UI_SUITE=name[,name] runs only those.
// Prints `ui: N passed, M failed, K skipped` (nothing here skips: a test runs or fails); screenshots land in test-results/screenshots/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../rig/browser.mjs';
import { repoRoot, startCodeServer } from '../rig/codeServer.mjs';

if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}

/** In running order: quick checks first, the long demo last. */
const SUITES = ['report', 'firstMinute', 'examples', 'halfWidth', 'steps', 'notebook', 'oom', 'reload', 'workspace', 'demo'];
const wanted = (process.env.HEADROOM_UI_SUITE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted.filter((w) => !SUITES.includes(w));
if (unknown.length) {
  console.error(`unknown UI suite(s): ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
  process.exit(2);
}

const summary = { passed: 0, failed: 0, skipped: 0 };
let browser;
try {
  browser = await launchBrowser();
  for (const name of SUITES) {
    if (wanted.length && !wanted.includes(name)) continue;
    const path = join(repoRoot, 'test', 'ui', 'suites', `${name}.mjs`);
    if (!existsSync(path)) continue; // a suite still being written lives on its own branch
    console.log(`[ui] ${name}`);
    const suite = await import(path);
    let server;
    try {
      if (suite.needsServer !== false) {
        // Start notifications only where a suite asks for them: elsewhere a toast would cover what a test looks at.
        server = await startCodeServer({ settings: { 'headroom.python.interpreter': '/usr/bin/python3', 'headroom.notifications.sessionStart': false, ...(suite.settings ?? {}) } });
      }
      for (const r of await suite.run({ browser, server })) {
        summary.passed += r.passed;
        summary.failed += r.failed;
      }
    } catch (e) {
      console.error(`[ui] ${name}: rig error:`, e);
      summary.failed++;
    } finally {
      await server?.stop();
    }
  }
} catch (e) {
  console.error('[ui] rig error:', e);
  summary.failed++;
} finally {
  await browser?.close();
}
console.log(`ui: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
