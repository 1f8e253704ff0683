// Builds the bundles: the extension host (node/cjs, vscode external), the webview
// (browser/iife), the CLI (node/cjs), the protocol decode worker (node/cjs), and the
// editor-suite entry used by the test rig.
// Type-checking is a separate step (`npm run typecheck`); esbuild only strips types.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: production ? 'none' : 'inline',
};

const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The protocol decode worker: the extension and the CLI both start it from dist/.
    ...common,
    entryPoints: { decodeWorker: 'src/engine/protocol/decodeWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/index.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];
if (!production) {
  // Editor suites run inside the real extension host; mocha stays external so the
  // suite loads the same copy the runner configures.
  targets.push({
    ...common,
    entryPoints: ['test/vscode/suite/index.ts', ...readdirSync('test/vscode/suite').filter((f) => f.endsWith('.test.ts')).map((f) => `test/vscode/suite/${f}`)],
    outdir: 'out/test/vscode/suite',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  });
}

rmSync('dist', { recursive: true, force: true });
rmSync('out', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
// The Python client ships inside the extension and is put on PYTHONPATH of launched runs.
// Without it the extension would launch programs whose `import headroom` fails: stop the build.
const copyPython = () => {
  if (!existsSync('src/python/headroom/__init__.py')) {
    console.error('[build] src/python/headroom is missing: the extension cannot ship without its Python client');
    process.exit(1);
  }
  cpSync('src/python/headroom', 'dist/python/headroom', {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc'),
  });
};

// The timeline's toolbar draws VS Code's own icons: the codicon font and its stylesheet, served to
// the webview from dist/ (its localResourceRoots) under the strict CSP's style-src/font-src.
const copyCodicons = () => {
  for (const f of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/${f}`);
};

// The client as a wheel (dist/python-wheel/), for "Install Python Client into the Selected Interpreter"
// and `pip install`: the VSIX ships it. A development build without Python only warns; a production
// build (the VSIX) fails without it.
const buildWheel = () => {
  const r = spawnSync('bash', ['scripts/build-wheel.sh'], { encoding: 'utf8' });
  if (r.status === 0) return;
  const why = `[build] the Python client's wheel was not built: ${(r.stderr || r.stdout || String(r.error)).trim()}`;
  if (production) {
    console.error(why);
    process.exit(1);
  }
  console.warn(why);
};

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  copyPython();
  copyCodicons();
  buildWheel();
  console.log('[build] watching');
} else {
  const started = Date.now();
  await Promise.all(targets.map((t) => esbuild.build(t)));
  copyPython();
  copyCodicons();
  buildWheel();
  console.log(`[build] ${targets.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
