// Runs the editor suites inside a real VS Code (code-server) extension host, driven by
// Debian Chromium. Reads pass/fail back through the page (codeAutomationExit) and the
// result file the suite writes; prints `vscode: N passed, M failed, K skipped`.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from '../rig/browser.mjs';
import { repoRoot, startCodeServer, workbenchUrl } from '../rig/codeServer.mjs';

const TIMEOUT_MS = Number(process.env.HEADROOM_VSCODE_TIMEOUT_MS ?? 8 * 60_000);
const suiteIndex = join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js');
if (!existsSync(suiteIndex) || !existsSync(join(repoRoot, 'dist', 'extension.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'headroom-vscode-tests-'));
const resultFile = join(scratch, 'result.json');
let server;
let browser;
let exitCode = 1;
let passed = 0;
let failed = 0;
let skipped = 0;
const cleanup = async () => {
  await browser?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void cleanup().then(() => process.exit(130)));

try {
  // The debugpy adapter from Debian, registered by a fixture extension (no marketplace here).
  const extensionsDir = join(scratch, 'extensions');
  cpSync(join(repoRoot, 'test', 'fixtures', 'debugpy-extension'), join(extensionsDir, 'headroom-test.debugpy-fixture-0.0.1'), { recursive: true });
  server = await startCodeServer({
    extensionsDir,
    env: { HEADROOM_TEST_RESULT: resultFile, HEADROOM_TEST_GREP: process.env.HEADROOM_TEST_GREP ?? '', HEADROOM_DEBUG_TRACE: process.env.HEADROOM_DEBUG_TRACE ?? '' },
    settings: { 'headroom.test.scratch': scratch },
  });
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = Array.isArray(args) ? format(...args) : String(args);
    // The extension host's console (mocha's spec reporter) arrives here, with the workbench's.
    // Offline, the extension gallery lookups fail by design: not worth a stack trace.
    if (text.includes('ENOTFOUND')) return;
    if (type === 'error') process.stderr.write(`${text}\n`);
    else process.stdout.write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  const url = workbenchUrl(server, {
    folder: join(repoRoot, 'test', 'fixtures', 'workspace'),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteIndex,
  });
  await page.goto(url);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
  if (code === 'timeout') console.error(`[vscode] no exit from the extension host within ${TIMEOUT_MS / 1000} s`);
  if (existsSync(resultFile)) {
    const { results } = JSON.parse(readFileSync(resultFile, 'utf8'));
    for (const r of results) {
      if (r.state === 'passed') passed++;
      else if (r.state === 'skipped') {
        skipped++;
        console.error(`[vscode] SKIPPED ${r.title}`);
      } else {
        failed++;
        console.error(`[vscode] FAILED ${r.title}\n${r.error}`);
      }
    }
  } else {
    console.error('[vscode] the suite wrote no result file');
    console.error(server.output().slice(-4000));
  }
  // Both channels must agree: the page's exit code and the result file.
  exitCode = code === 0 && failed === 0 && passed > 0 ? 0 : 1;
  if (code !== 0 && failed === 0) failed = Math.max(failed, 1);
} catch (e) {
  console.error('[vscode] rig error:', e);
  failed = Math.max(failed, 1);
} finally {
  await cleanup();
}
console.log(`vscode: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
