// A real VS Code for a machine that cannot download one: code-server from the npm
// registry, installed once into an ignored cache folder, started on a free loopback port
// with scratch data folders. Shared by the editor suites, the UI tests and the demo.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, lstatSync, copyFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = process.env.HEADROOM_CODE_SERVER_CACHE ?? join(repoRoot, '.cache', `code-server-${CODE_SERVER_VERSION}`);
const pkgDir = join(cacheDir, 'node_modules', 'code-server');
const marker = join(cacheDir, '.installed');

function run(cmd, args, cwd, extraEnv = {}) {
  const started = Date.now();
  execFileSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extraEnv },
  });
  return Date.now() - started;
}

function which(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Installs code-server into the cache folder unless it is there already; returns its entry script. */
export function ensureCodeServer() {
  const entry = join(pkgDir, 'out', 'node', 'entry.js');
  if (existsSync(marker) && existsSync(entry)) return entry;
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is missing: run scripts/ensure-system-deps.sh as root, or apt-get install ripgrep');
  console.log(`[rig] installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (first run only)`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  // Its scripts fetch binaries from the internet; run the pieces that work offline by hand.
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-save'], cacheDir);
  run('npm', ['rebuild', 'argon2'], cacheDir, { npm_config_unsafe_perm: 'true' });
  const vscodeDir = join(pkgDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-save'], vscodeDir);
  // @vscode/ripgrep's postinstall downloads rg unless the binary is already in place.
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync(rg, join(rgBin, 'rg'));
  chmodSync(join(rgBin, 'rg'), 0o755);
  run('npm', ['rebuild'], vscodeDir, { npm_config_yes: 'true', npm_config_unsafe_perm: 'true' });
  // The links code-server's own postinstall.sh would make.
  const links = [
    [join(vscodeDir, 'bin', 'remote-cli', 'code-server'), 'code-linux.sh'],
    [join(vscodeDir, 'bin', 'helpers', 'browser.sh'), 'browser-linux.sh'],
  ];
  for (const [link, target] of links) {
    if (!existsSync(dirname(link))) continue;
    try {
      lstatSync(link);
      rmSync(link);
    } catch {
      /* not there yet */
    }
    symlinkSync(target, link);
  }
  run('npm', ['install', '--omit=dev', '--no-save'], join(vscodeDir, 'extensions'), { npm_config_unsafe_perm: 'true' });
  writeFileSync(marker, new Date().toISOString());
  return entry;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
};

/**
 * Starts code-server with scratch folders. Returns { url, port, dataDir, stop }.
 * `stop()` kills the whole process group (server and the extension hosts it spawned).
 */
export async function startCodeServer({ settings = {}, extensionsDir, env = {}, port, host = '127.0.0.1', log = false } = {}) {
  const entry = ensureCodeServer();
  port ??= await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'headroom-cs-'));
  const userDataDir = join(dataDir, 'user-data');
  const extDir = extensionsDir ?? join(dataDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  const xdg = join(dataDir, 'xdg');
  const child = spawn(
    process.execPath,
    [
      entry,
      '--bind-addr', `${host}:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extDir,
    ],
    {
      detached: true, // own process group, so stop() reaches the extension hosts too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        XDG_CONFIG_HOME: join(xdg, 'config'),
        XDG_DATA_HOME: join(xdg, 'data'),
        XDG_CACHE_HOME: join(xdg, 'cache'),
        ...env,
      },
    },
  );
  let output = '';
  const collect = (d) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    if (log) process.stderr.write(d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 3000;
      while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
    // Whatever survived SIGTERM in the group (extension hosts, pty hosts) goes now.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group already empty */
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during start:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, dataDir, userDataDir, extensionsDir: extDir, stop, output: () => output, pid: child.pid };
}

/** The workbench URL for a folder, optionally with a development extension and tests. */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const params = new URLSearchParams();
  if (folder) params.set('folder', folder);
  const payload = [['skipWelcome', 'true']];
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params.toString()}`;
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
