// Entry loaded by the extension host as `extensionTestsPath` (code-server route). Runs every
// compiled *.test.js beside it under mocha and writes a JSON result file, a second channel
// beside the exit code the workbench reports through the page.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

interface TestResult {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.HEADROOM_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));
  const results: TestResult[] = [];
  const resultFile = process.env.HEADROOM_TEST_RESULT;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultFile) writeFileSync(resultFile, JSON.stringify({ results, failures }, null, 2));
      if (failures > 0) reject(new Error(`${failures} editor test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'skipped', durationMs: 0 }));
    runner.on('fail', (t, err: Error) =>
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: err?.stack ?? String(err) }),
    );
  });
}
