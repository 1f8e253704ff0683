import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addGapEvent, gapRecord, WINDOW_RELOADED } from '../../src/engine/recording/gapRecord';
import { loadRun } from '../../src/engine/recording/loadRecording';
import { ingestAsync, loadIntoStoreAsync } from '../../src/engine/recording/loadRecordingAsync';
import { openRun } from '../../src/engine/recording/openRun';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { canonicalPath, MonitoringSession } from '../../src/engine/session/monitoringSession';
import { SeriesName } from '../../src/engine/store/seriesName';
import { linuxStartedAt, resumeCandidate, type ResumeCheck } from '../../src/extension/sessions/resumeCandidates';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const check = (over: Partial<ResumeCheck> = {}): ResumeCheck => ({ host: hostname(), now: Date.now(), maxAgeMs: 3600_000, alive, startedAt: linuxStartedAt, ...over });

/** A session sampling a real process into `path`, as the editor makes one. */
function session(pid: number, path: string): MonitoringSession {
  return new MonitoringSession(`s${Math.random()}`, 'loop.py', 'connected', pid, undefined, { intervalMs: 50, gpu: false, name: 'loop.py', recordingPath: path, recording: { flushMs: 20 } });
}

describe('resuming a run after a window reload (engine and candidate check)', function () {
  this.timeout(30_000);
  let dir: string;
  let child: ChildProcess;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-resume-'));
    child = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterEach(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a closing window detaches a live run: a detach record, no end, and the recording is a candidate with its last sample', async () => {
    const path = join(dir, 'run.ndjson');
    const s = session(child.pid as number, path);
    s.start();
    await sleep(300);
    s.detach('window closed');
    assert.equal(s.detached, true);
    assert.equal(s.live, false);
    const types = readRecording(path).records.map((r) => r.type);
    assert.ok(types.includes('detach'));
    assert.ok(!types.includes('end') && !types.includes('exit'), types.join(','));
    const { candidate, why } = resumeCandidate(path, check());
    assert.ok(candidate, why);
    assert.equal(candidate.header.rootPid, child.pid);
    assert.equal(candidate.detached, true);
    assert.ok(candidate.endsWithNewline);
    const detach = readRecording(path).records.find((r) => r.type === 'detach');
    assert.equal(candidate.lastT, detach?.t);
  });

  it('refuses what must not be resumed: an ended run, another host, a dead root, an old file', async () => {
    const path = join(dir, 'run.ndjson');
    const s = session(child.pid as number, path);
    s.start();
    await sleep(200);
    s.detach('window closed');
    assert.equal(resumeCandidate(path, check({ host: 'elsewhere' })).why, 'host');
    assert.equal(resumeCandidate(path, check({ now: Date.now() + 7200_000 })).why, 'old');
    assert.equal(resumeCandidate(path, check({ alive: () => false })).why, 'root gone');
    assert.equal(resumeCandidate(path, check({ startedAt: () => Date.now() + 60_000 })).why, 'pid reused');
    assert.equal(resumeCandidate(join(dir, 'none.ndjson'), check()).why, 'missing');
    appendFileSync(path, JSON.stringify({ type: 'end', t: Date.now(), explanation: { kind: 'none' } }) + '\n');
    assert.equal(resumeCandidate(path, check()).why, 'ended');
    const old = join(dir, 'old.ndjson');
    writeFileSync(old, readFileSync(path, 'utf8').split('\n')[0] + '\n');
    utimesSync(old, new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    assert.equal(resumeCandidate(old, check()).why, 'old');
  });

  it('a host killed mid-line: the half line is seen, and a resumed run continues the same file with a gap and no line across it', async () => {
    const path = join(dir, 'run.ndjson');
    const first = session(child.pid as number, path);
    first.start();
    await sleep(400);
    first.monitor?.stop(); // the host dies: no detach, no end, and half a line at the end
    appendFileSync(path, '{"type":"sample","t":');
    const { candidate } = resumeCandidate(path, check());
    assert.ok(candidate);
    assert.equal(candidate.endsWithNewline, false);
    assert.equal(candidate.detached, false, 'a killed host lets go of nothing');
    const before = first.store.get(SeriesName.treeRss)?.count ?? 0;
    assert.ok(before >= 3, `${before} samples before`);
    await sleep(300); // the window is away

    // What the resumer does (resumeSessions.ts): end the half line, continue the same file, load, mark the gap, start.
    appendFileSync(path, '\n');
    const second = session(child.pid as number, path);
    second.holdBatches();
    const r = readRecording(path);
    await loadIntoStoreAsync(r.records, second.store);
    await ingestAsync(r.records, (b) => second.ingest.addBatch(b, canonicalPath));
    const gap = gapRecord(candidate.lastT, Date.now(), WINDOW_RELOADED);
    second.monitor?.record(gap);
    assert.ok(addGapEvent(second.store, gap));
    second.start();
    second.releaseBatches();
    await sleep(400);
    second.end('stopped');

    const run = loadRun(path);
    const rss = run.store.get(SeriesName.treeRss);
    assert.ok(rss);
    const { t } = rss.raw(-Infinity, Infinity);
    const inGap = [...t].filter((x) => x > gap.from && x < gap.to);
    assert.deepEqual(inGap, [], 'no sample inside the gap');
    assert.ok([...t].filter((x) => x <= gap.from).length >= before, 'the points from before');
    assert.ok([...t].filter((x) => x >= gap.to).length >= 3, 'the points from after');
    const gaps = run.store.events.all().filter((e) => e.kind === 'gap');
    assert.equal(gaps.length, 1);
    assert.equal(gaps[0].t, gap.from);
    assert.equal(gaps[0].tEnd, gap.to);
    assert.equal(gaps[0].label, 'window reloaded');
    assert.equal(run.header?.name, 'loop.py');
    assert.equal(run.errorCount, 1, 'the half line alone is unreadable');

    // Reopened later from the Headroom view, through the recording's index: the same run, the same gap.
    const opened = await openRun(path);
    const times = [...(opened.store.get(SeriesName.treeRss)?.raw(-Infinity, Infinity).t ?? [])];
    assert.ok(times.some((x) => x < gap.from) && times.some((x) => x > gap.to), 'points before and after');
    assert.ok(!times.some((x) => x > gap.from && x < gap.to), 'none inside');
    assert.deepEqual(opened.store.events.all().filter((e) => e.kind === 'gap').map((e) => [e.t, e.tEnd]), [[gap.from, gap.to]]);
  });

  it('a malformed gap record is skipped, not drawn', () => {
    const s = session(child.pid as number, join(dir, 'x.ndjson'));
    assert.equal(addGapEvent(s.store, { type: 'gap', from: 5, to: 1 }), false);
    assert.equal(addGapEvent(s.store, { type: 'gap', from: 'a', to: 1 }), false);
    assert.equal(s.store.events.all().length, 0);
    s.dispose();
  });
});
