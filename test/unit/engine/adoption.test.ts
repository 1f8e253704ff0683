import * as assert from 'node:assert/strict';
import { adoptionOf, programFileOf, programName } from '../../../src/engine/session/adoption';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import type { HelloRecord } from '../../../src/shared/protocol';

const hello = (pid: number, ppid: number, extra: Partial<HelloRecord> & { local_world_size?: number } = {}): HelloRecord => ({ v: 1, type: 'hello', t: 1, pid, seq: 0, token: 't', ppid, argv: ['train.py', '--lr', '3e-4'], cwd: '/w', ...extra });
/** A live session as adoption sees it: a root and the pids of its last sampled tree. */
const session = (rootPid: number, tree: number[], live = true) => ({ live, rootPid, monitor: { last: { tree: { processes: tree.map((pid) => ({ pid })) } } } }) as unknown as MonitoringSession;

describe('adoption of programs that report by themselves', () => {
  it('starts a session rooted at a lone program, named by its script', () => {
    assert.deepEqual(adoptionOf(hello(100, 50), []), { start: { rootPid: 100, name: 'train.py', command: ['train.py', '--lr', '3e-4'], programFile: '/w/train.py' } });
  });

  it('joins the live session that holds the process or its parent (forked children, DataLoader workers)', () => {
    const s = session(100, [100, 101]);
    assert.equal((adoptionOf(hello(101, 100), [s]) as { join: MonitoringSession }).join, s, 'in the tree');
    assert.equal((adoptionOf(hello(102, 101), [s]) as { join: MonitoringSession }).join, s, 'a child of a process in the tree, not yet sampled');
    assert.equal((adoptionOf(hello(100, 1), [s]) as { join: MonitoringSession }).join, s, 'the root itself');
    assert.ok('start' in adoptionOf(hello(200, 150), [s]), 'an unrelated program starts its own');
    assert.ok('start' in adoptionOf(hello(101, 100), [session(100, [100, 101], false)]), 'an ended session adopts nothing');
  });

  it('roots the ranks of a launch at their launcher, so the second rank joins the first', () => {
    const first = adoptionOf(hello(301, 300, { rank: 0, world_size: 2 }), []);
    assert.deepEqual(first, { start: { rootPid: 300, name: 'train.py (2 ranks)', command: ['train.py', '--lr', '3e-4'], programFile: '/w/train.py' } });
    const launch = session(300, [300, 301]);
    assert.equal((adoptionOf(hello(302, 300, { rank: 1, world_size: 2 }), [launch]) as { join: MonitoringSession }).join, launch);
    assert.deepEqual(adoptionOf(hello(401, 400, { local_world_size: 4 }), []), { start: { rootPid: 400, name: 'train.py (4 ranks)', command: ['train.py', '--lr', '3e-4'], programFile: '/w/train.py' } });
  });

  it('names programs by their script, module or pid', () => {
    assert.equal(programName(['/home/a/proj/train.py', '--x'], 5), 'train.py');
    assert.equal(programName(['-m', 'pkg.main'], 5), 'pkg.main');
    assert.equal(programName(['-c'], 5), 'pid 5');
    assert.equal(programName(['/usr/lib/python3/dist-packages/ipykernel_launcher.py', '-f', '/run/k.json'], 5), 'Jupyter kernel', 'a notebook kernel says what it is');
    assert.equal(programName(undefined, 7), 'pid 7');
  });

  it('knows the script a program runs from its argv and working directory (what Open File opens)', () => {
    assert.equal(programFileOf(['train.py', '--lr', '1'], '/home/u/proj'), '/home/u/proj/train.py');
    assert.equal(programFileOf(['../scripts/run.py'], '/home/u/proj'), '/home/u/scripts/run.py');
    assert.equal(programFileOf(['/opt/job/main.py'], undefined), '/opt/job/main.py');
    assert.equal(programFileOf(['-c', 'print(1)'], '/w'), undefined, 'code from -c has no file');
    assert.equal(programFileOf(['train.py'], undefined), undefined, 'a relative path without a cwd is not guessed');
    assert.equal(programFileOf(['./launch.sh'], '/w'), undefined);
    assert.equal(programFileOf(undefined, '/w'), undefined);
  });
});
