import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('Prometheus metrics of the focused run, from the editor (real editor, real HTTP)', function () {
  this.timeout(60_000);
  afterEach(() => vscode.workspace.getConfiguration('headroom').update('metrics.port', undefined, vscode.ConfigurationTarget.Global));

  it('serves the run on 127.0.0.1 when headroom.metrics.port is set, in the exposition format, and stops when unset', async () => {
    const api = await headroom();
    const port = await freePort();
    await vscode.workspace.getConfiguration('headroom').update('metrics.port', port, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.metrics.address, 'the server to listen');
    assert.equal(api.metrics.address, `http://127.0.0.1:${port}/metrics`);
    process.env.HOLD_S = '6';
    process.env.SIZE_MB = '80';
    const uri = vscode.Uri.file(join(repo, 'test', 'fixtures', 'workspace', 'two_phases.py'));
    const s = (await vscode.commands.executeCommand('headroom.runPythonFile', uri)) as MonitoringSession;
    delete process.env.HOLD_S;
    delete process.env.SIZE_MB;
    // The metrics follow the focused run: this one, whatever earlier tests left running.
    api.sessions.focus(s.id, true);
    let last = '';
    const text = await waitFor(async () => {
      const res = await fetch(api.metrics.address as string).catch((e: Error) => {
        last = `fetch failed: ${e.message} ${String((e as { cause?: unknown }).cause)} (${String(api.metrics.address)})`;
        return undefined;
      });
      const body = res?.ok ? await res.text() : '';
      if (res) last = `${res.status}: ${body}`;
      // The checkpoint, and a tree sample taken after the program allocated (a tick later on a loaded machine).
      await new Promise((r) => setTimeout(r, 250)); // a scraper's pace, not a flood: the server keeps at most 16 connections
      const tree = Number(/^headroom_tree_rss_bytes\{job="two_phases\.py",host="[^"]+"\} (\S+)$/m.exec(body)?.[1]);
      return /headroom_checkpoint_rss_bytes\{[^}]*checkpoint="phase: held"/.test(body) && tree > 50e6 ? body : undefined;
    }, 'the held checkpoint and its memory in the metrics', 30_000).catch((e: Error) => assert.fail(`${e.message}; focused: ${api.sessions.focused?.name} (${api.sessions.focused?.live}); served:\n${last.slice(0, 1500)}`));
    assert.match(text, /^# HELP headroom_tree_rss_bytes /m);
    assert.match(text, /^# TYPE headroom_tree_rss_bytes gauge$/m);
    const rss = Number(/^headroom_tree_rss_bytes\{job="two_phases\.py",host="[^"]+"\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(rss > 50e6, `tree RSS ${rss}`);
    s.end('test');
    await vscode.workspace.getConfiguration('headroom').update('metrics.port', 0, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.metrics.address === undefined, 'the server to stop');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
  });
});
