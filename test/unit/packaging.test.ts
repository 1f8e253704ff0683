import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { listZipEntries } from './zip';

const root = join(__dirname, '..', '..');
const vsix = join(root, 'dist-vsix', 'headroom.vsix');

describe('packaging (real VSIX from npm run package)', function () {
  this.timeout(180_000);
  let entries: string[];

  before(function () {
    // The test command packages before the unit tests; package here when run alone or when a source is newer.
    if (!existsSync(vsix) || newestSource(root) > statSync(vsix).mtimeMs) execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
    entries = listZipEntries(vsix).map((e) => e.replace(/^extension\//, ''));
  });

  it('is under 2 MB', () => {
    assert.ok(statSync(vsix).size < 2 * 1024 * 1024, `VSIX is ${statSync(vsix).size} bytes`);
  });

  it('holds the bundles, media, README, CHANGELOG and LICENSE', () => {
    // vsce stores readme.md, changelog.md and LICENSE.txt under its own names.
    const lower = new Set(entries.map((e) => e.toLowerCase()));
    for (const f of ['package.json', 'dist/extension.js', 'dist/decodeWorker.js', 'dist/webview.js', 'dist/cli.js', 'readme.md', 'changelog.md', 'license.txt', 'media/timeline.css', 'media/icon.png', 'dist/codicon.css', 'dist/codicon.ttf', 'media/walkthrough/run.md', 'media/walkthrough/codelens.md']) {
      assert.ok(lower.has(f.toLowerCase()), `${f} missing from the VSIX`);
    }
  });

  it('ships every module of the Python client, which launched programs import, and its wheel', () => {
    const modules = (readdirSync(join(root, 'src', 'python', 'headroom'), { recursive: true }) as string[]).filter((f) => f.endsWith('.py')).map((f) => f.split(sep).join('/'));
    assert.ok(modules.includes('__init__.py'), 'the client package has an __init__.py');
    assert.ok(entries.some((e) => /^dist\/python-wheel\/headroom_client-[\w.]+-py3-none-any\.whl$/.test(e)), 'the client wheel (Install Python Client) is in the VSIX');
    const missing = modules.filter((m) => !entries.includes(`dist/python/headroom/${m}`));
    assert.deepEqual(missing, [], 'Python modules missing from the VSIX');
  });

  it('leaks no TypeScript sources, tests, source maps or node_modules', () => {
    const leaks = entries.filter(
      (e) =>
        /\.tsx?$/.test(e) ||
        e.endsWith('.map') ||
        e.startsWith('src/') ||
        e.startsWith('test/') ||
        e.startsWith('out/') ||
        e.includes('node_modules/') ||
        e.includes('__pycache__') ||
        /(^|\/)test_[^/]*\.py$/.test(e) ||
        e.startsWith('.cache/'),
    );
    assert.deepEqual(leaks, []);
  });

  it('ships a minified production extension bundle', () => {
    // A development bundle would carry inline source maps and readable names.
    const text = execFileSync('unzip', ['-p', vsix, 'extension/dist/extension.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.ok(!text.includes('sourceMappingURL'), 'no source map reference in the shipped bundle');
    const lines = text.split('\n').length;
    assert.ok(text.length / lines > 500, `bundle is minified (${text.length} bytes in ${lines} lines)`);
  });
});

/** The newest modification time among package.json and the files under src/ and media/. */
function newestSource(dir: string): number {
  let newest = statSync(join(dir, 'package.json')).mtimeMs;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '__pycache__') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(dir, 'src'));
  walk(join(dir, 'media'));
  return newest;
}
