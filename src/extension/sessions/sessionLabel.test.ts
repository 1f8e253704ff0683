import * as assert from 'node:assert/strict';
import { sessionTitle, shortExit, shortName } from './sessionLabel';

describe('how a session is named', () => {
  it('a run by its script, pid and state; a recording by its file', () => {
    const run = { name: 'train.py', source: 'run' as const, rootPid: 42, live: true, exitDescription: undefined };
    assert.equal(sessionTitle(run), 'train.py (pid 42, running)');
    assert.equal(sessionTitle({ ...run, live: false, exitDescription: 'exited with code 1' }), 'train.py (pid 42, exited with code 1)');
    const rec = { name: '/home/u/.rec/2026-12-02-42.ndjson', source: 'recording' as const, rootPid: 42, live: false, exitDescription: 'recording' };
    assert.equal(shortName(rec), '2026-12-02-42.ndjson');
    assert.equal(sessionTitle(rec), '2026-12-02-42.ndjson (recording)');
    // The extension's recordings are named by time: the name the run had when recorded reads better.
    assert.equal(shortName({ ...rec, recordedName: 'train.py' }), 'train.py');
    assert.equal(sessionTitle({ ...rec, recordedName: 'train.py' }), 'train.py (recording)');
    assert.equal(sessionTitle({ name: 'train.py (2 ranks, 2 hosts)', source: 'connected', rootPid: 0, live: true, exitDescription: undefined }), 'train.py (2 ranks, 2 hosts) (running)', 'a remote run has no local pid');
  });

  it('a name from a program cannot carry a link or an icon', () => {
    assert.equal(sessionTitle({ name: '[x](command:y) $(zap)', source: 'connected', rootPid: 1, live: true, exitDescription: undefined }), '[x]\u200b(command:y) $\u200b(zap) (pid 1, running)');
  });

  it('says how a run ended in a few characters', () => {
    assert.equal(shortExit('exited with code 0'), 'done');
    assert.equal(shortExit('exited with code 137'), 'exit 137');
    assert.equal(shortExit('killed by SIGKILL'), 'killed (SIGKILL)');
    assert.equal(shortExit('stopped from the editor'), 'stopped');
    assert.equal(shortExit(undefined), 'ended');
    assert.equal(shortExit('a very long reason that goes on and on'), 'a very long reason that…');
  });
});
