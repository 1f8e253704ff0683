// Loaded by the real extension host as `extensionTestsPath` (bench/editorLoop.bench.ts builds it
// and starts code-server): measures the host's own event-loop delay with perf_hooks'
// monitorEventLoopDelay (this module runs on the host's thread, so it times the very loop the
// extension runs on) while each scenario runs, and writes the figures to a JSON file:
//
// - idle: nothing but the editor and Headroom activated (the noise floor);
// - flood: a separate client process floods the window with checkpoint records at a target
//   rate (bench/editor/flood.mjs), adopted by pid through the connection file, live timeline open;
// - ranks: eight Python ranks of one launch (bench/editor/ranks.py) reporting through the client,
//   their tree sampled at 100 Hz (headroom.sampling.intervalMs = 10), live timeline open;
// - open: the day-long recording opened with the Open Recording command into a timeline of its
//   own, until its webview said ready and had the first snapshot, plus a settling second.
//
// HEADROOM_BENCH_PROFILE=<scenario> also writes a CPU profile of that scenario (its first round).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { HeadroomApi } from '../../src/extension/extension';
import type { MonitoringSession } from '../../src/engine/session/monitoringSession';

export interface HostBenchConfig {
  readonly resultFile: string;
  readonly dayPath: string;
  readonly floodScript: string;
  readonly ranksScript: string;
  readonly python: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly floodRate: number;
  readonly ranks: number;
  readonly profile?: string;
  readonly profileDir?: string;
}

export interface LoopFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** How long the scenario ran, ms. */
  readonly ms: number;
  readonly [extra: string]: number | string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A child process run to its end; its stdout. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): { pid: number; done: Promise<string> } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
  return { pid: child.pid ?? 0, done };
}

/** A CPU profile of one scenario, and the stalls over 15 ms in it (µs on the profile's clock), to read side by side. */
class Profiler {
  private readonly session = new Session();
  private readonly stalls: [number, number][] = [];
  private probe: NodeJS.Timeout | undefined;
  start(): void {
    this.session.connect();
    this.session.post('Profiler.enable');
    this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    this.session.post('Profiler.start');
    let prev = process.hrtime.bigint();
    this.probe = setInterval(() => {
      const now = process.hrtime.bigint();
      if (now - prev > 15_000_000n) this.stalls.push([Number(prev / 1000n), Number(now / 1000n)]);
      prev = now;
    }, 1);
  }
  stop(file: string): Promise<void> {
    clearInterval(this.probe);
    writeFileSync(file.replace(/\.cpuprofile$/, '.stalls.json'), JSON.stringify(this.stalls));
    return new Promise((resolve) =>
      this.session.post('Profiler.stop', (err, r) => {
        if (!err) writeFileSync(file, JSON.stringify(r.profile));
        this.session.disconnect();
        resolve();
      }),
    );
  }
}

/** Runs `body` with the loop's delay histogram on; its percentiles in milliseconds and `body`'s own figures. */
async function measure(cfg: HostBenchConfig, name: string, round: number, body: () => Promise<Record<string, number | string>>): Promise<LoopFigures> {
  const profiler = cfg.profile === name && round === 0 && cfg.profileDir ? new Profiler() : undefined;
  profiler?.start();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const extra = await body();
  const ms = performance.now() - t0;
  h.disable();
  if (profiler && cfg.profileDir) await profiler.stop(join(cfg.profileDir, `${name}.cpuprofile`));
  const ns = 1e6;
  return { p50: h.percentile(50) / ns, p99: h.percentile(99) / ns, max: h.max / ns, mean: h.mean / ns, ms, ...extra };
}

async function flood(api: HeadroomApi, cfg: HostBenchConfig): Promise<Record<string, number | string>> {
  const connFile = await waitFor(() => api.reach.connectionFile, 'the connection file');
  const before = new Set(api.sessions.all());
  const c = runChild(process.execPath, [cfg.floodScript, connFile, String(cfg.floodRate), String(cfg.seconds)], { ...process.env, ELECTRON_RUN_AS_NODE: '1' });
  const stats = JSON.parse((await c.done).trim().split('\n').pop() ?? '{}') as { sent: number; rate: number; blockedMs: number };
  const s = await waitFor(() => api.sessions.all().find((x) => !before.has(x) && x.rootPid === c.pid), `a session for the flooder (pid ${c.pid})`);
  // The listener may still be folding what the socket held when the client closed it.
  const drained = performance.now();
  await waitFor(() => s.ingest.records >= stats.sent || undefined, 'every flooded record ingested', 60_000).catch(() => undefined);
  return { sent: stats.sent, rate: stats.rate, blockedMs: stats.blockedMs, ingested: s.ingest.records, drainMs: performance.now() - drained };
}

async function ranks(api: HeadroomApi, cfg: HostBenchConfig): Promise<Record<string, number | string>> {
  const env = { ...process.env, ...(await api.sessions.windowEnvironment()).env };
  const before = new Set(api.sessions.all());
  const c = runChild(cfg.python, [cfg.ranksScript, String(cfg.ranks), String(cfg.seconds)], env);
  let session: MonitoringSession | undefined;
  let ticks = 0;
  let firstTick = 0;
  let lastTick = 0;
  let processes = 0;
  const found = waitFor(() => api.sessions.all().find((x) => !before.has(x) && x.rootPid === c.pid), `the ranks' session (launcher pid ${c.pid})`).then((s) => {
    session = s;
    return s.monitor?.onTick((t) => {
      ticks++;
      lastTick = performance.now();
      firstTick ||= lastTick;
      processes = Math.max(processes, t.tree.processes.length);
    });
  });
  await c.done;
  (await found)?.dispose();
  const hz = ticks > 1 ? ((ticks - 1) * 1000) / (lastTick - firstTick) : 0;
  return { samplesPerSecond: hz, processes, intervalMs: session?.monitor?.intervalMs ?? 0, records: session?.ingest.records ?? 0 };
}

async function openDay(api: HeadroomApi, cfg: HostBenchConfig): Promise<Record<string, number | string>> {
  const t0 = performance.now();
  const s = await vscode.commands.executeCommand<MonitoringSession | undefined>('headroom.openRecording', vscode.Uri.file(cfg.dayPath));
  if (!s) throw new Error(`Open Recording gave no session for ${cfg.dayPath}`);
  const openMs = performance.now() - t0;
  const panel = await waitFor(() => api.panels.all().find((p) => p.boundSession === s), 'the recording\'s panel');
  let readyMs = NaN;
  let viewMs = NaN;
  const sub = panel.panel.webview.onDidReceiveMessage((m: { type?: string }) => {
    if (m.type === 'ready' && Number.isNaN(readyMs)) readyMs = performance.now() - t0;
    if (m.type === 'view' && Number.isNaN(viewMs)) viewMs = performance.now() - t0;
  });
  await waitFor(() => !Number.isNaN(readyMs) || undefined, 'the recording\'s webview to say ready', 30_000);
  // The first snapshot goes at `ready`; the webview answers with its plot's width once it drew.
  await waitFor(() => !Number.isNaN(viewMs) || undefined, 'the webview\'s first view', 5_000).catch(() => undefined);
  await sleep(1000);
  sub.dispose();
  panel.dispose();
  api.sessions.stop(s.id);
  return { openMs, readyMs, viewMs, series: s.store.names().length };
}

export async function run(): Promise<void> {
  const cfg = JSON.parse(process.env.HEADROOM_BENCH_CONFIG ?? '') as HostBenchConfig;
  const ext = vscode.extensions.getExtension<HeadroomApi>('headroom-dev.headroom');
  if (!ext) throw new Error('Headroom is not installed in this editor');
  const api = await ext.activate();
  await api.reach.whenReady();
  const config = vscode.workspace.getConfiguration('headroom');
  // The workbench's own start-up work on this thread settles first.
  await sleep(3000);
  const rounds: Record<string, LoopFigures>[] = [];
  for (let round = 0; round < cfg.rounds; round++) {
    const r: Record<string, LoopFigures> = {};
    r.idle = await measure(cfg, 'idle', round, async () => (await sleep(cfg.seconds * 1000), {}));
    const live = api.panels.showLive();
    r.flood = await measure(cfg, 'flood', round, () => flood(api, cfg));
    await sleep(1000);
    await config.update('sampling.intervalMs', 10, vscode.ConfigurationTarget.Global);
    r.ranks = await measure(cfg, 'ranks', round, () => ranks(api, cfg));
    await config.update('sampling.intervalMs', undefined, vscode.ConfigurationTarget.Global);
    live.dispose();
    await sleep(1000);
    r.open = await measure(cfg, 'open', round, () => openDay(api, cfg));
    rounds.push(r);
    writeFileSync(cfg.resultFile, JSON.stringify({ rounds }, null, 2));
    await sleep(1000);
  }
}
