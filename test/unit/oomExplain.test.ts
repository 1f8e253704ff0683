import * as assert from 'node:assert/strict';
import { endText, explainEnd, type EndFacts } from '../../src/engine/oom/endExplanation';
import { biggestProcess, processRole } from '../../src/engine/oom/processRole';
import type { OomRecord } from '../../src/shared/protocol';

const GB = 1e9;
const T = 1_764_000_000_000;
const CP = { label: 'after forward', file: '/home/u/train.py', line: 88, t: T - 2100 };
const ranks = new Map([
  [101, 0],
  [103, 3],
]);
// torchrun, two ranks, rank 3 with three DataLoader workers (pids out of start order on purpose).
const TREE = [
  { pid: 100, ppid: 1, name: 'torchrun', rss: 0.2 * GB },
  { pid: 101, ppid: 100, name: 'python3', rss: 3 * GB },
  { pid: 103, ppid: 100, name: 'python3', rss: 4 * GB },
  { pid: 212, ppid: 103, name: 'pt_data_worker', rss: 5.5 * GB },
  { pid: 210, ppid: 103, name: 'pt_data_worker', rss: 1 * GB },
  { pid: 211, ppid: 103, name: 'pt_data_worker', rss: 1 * GB },
];

const facts = (over: Partial<EndFacts>): EndFacts => ({ t: T, exit: { code: null, signal: 'SIGKILL' }, oomKills: { cgroup: 0, system: 0 }, limit: { kind: 'cgroup', bytes: 16 * GB }, memory: 15.9 * GB, peak: 15.9 * GB, lastCheckpoint: CP, ...over });

describe('processRole / biggestProcess', () => {
  it('names ranks, DataLoader workers of a rank in start order, and other processes by name and pid', () => {
    assert.equal(processRole(103, TREE, ranks), 'rank 3');
    assert.equal(processRole(210, TREE, ranks), 'rank 3 / DataLoader worker 0');
    assert.equal(processRole(212, TREE, ranks), 'rank 3 / DataLoader worker 2');
    assert.equal(processRole(100, TREE, ranks), 'torchrun (pid 100)');
    assert.equal(processRole(999, TREE, ranks), 'pid 999');
    assert.equal(processRole(211, TREE, new Map()), 'DataLoader worker 1');
  });

  it('picks the process with the most RSS', () => {
    assert.deepEqual(biggestProcess(TREE, ranks), { pid: 212, name: 'pt_data_worker', rss: 5.5 * GB, role: 'rank 3 / DataLoader worker 2' });
    assert.equal(biggestProcess([], ranks), undefined);
  });
});

describe('explainEnd', () => {
  it("says the OOM killer killed the job when its cgroup counted a kill, in the issue's words", () => {
    const e = explainEnd(facts({ oomKills: { cgroup: 1, system: 1 }, biggest: biggestProcess(TREE, ranks) }));
    assert.equal(e.kind, 'oom-kill-cgroup');
    assert.equal(e.text, "Killed by the out-of-memory killer at 15.9 GB (cgroup limit 16.0 GB), 2.10 s after 'after forward' (train.py:88); the biggest process was rank 3 / DataLoader worker 2");
    assert.deepEqual([e.memory, e.limit, e.limitKind, e.peak, e.signal, e.lastCheckpoint?.secondsBefore], [15.9 * GB, 16 * GB, 'cgroup', 15.9 * GB, 'SIGKILL', 2.1]);
    assert.equal(endText(e, 'GiB'), "Killed by the out-of-memory killer at 14.8 GiB (cgroup limit 14.9 GiB), 2.10 s after 'after forward' (train.py:88); the biggest process was rank 3 / DataLoader worker 2");
  });

  it('counts a kill in the cgroup whatever the exit, and says how the program ended after it', () => {
    const e = explainEnd(facts({ exit: { code: 1, signal: null }, oomKills: { cgroup: 2 } }));
    assert.equal(e.kind, 'oom-kill-cgroup');
    assert.equal(e.text, "The out-of-memory killer killed 2 processes of the job at 15.9 GB (cgroup limit 16.0 GB), 2.10 s after 'after forward' (train.py:88); the program then ended (exit code 1)");
    assert.equal(explainEnd(facts({ exit: undefined, oomKills: { cgroup: 1 } })).text.startsWith('Killed by the out-of-memory killer'), true, 'an attached process: the kill is what ended it');
  });

  it('takes the system counter only when the machine was full', () => {
    const sys = { limit: { kind: 'system' as const, bytes: 32 * GB }, memory: 31.5 * GB };
    const e = explainEnd(facts({ ...sys, oomKills: { cgroup: undefined, system: 1 }, lastCheckpoint: undefined }));
    assert.equal(e.kind, 'oom-kill-system');
    assert.equal(e.text, 'Killed by the out-of-memory killer when the machine ran out of memory, at 31.5 GB of 32.0 GB system memory used');
    // Another cgroup's kill on a machine with room: not this job's.
    const elsewhere = explainEnd(facts({ ...sys, memory: 4 * GB, oomKills: { cgroup: 0, system: 3 } }));
    assert.equal(elsewhere.kind, 'none');
  });

  it('says a SIGKILL near the limit is likely the OOM killer when nothing can confirm it, and only then', () => {
    const e = explainEnd(facts({ oomKills: {}, memory: 15.2 * GB }));
    assert.equal(e.kind, 'likely-oom');
    assert.equal(e.text, "Killed by SIGKILL at 15.2 GB (95% of the cgroup limit 16.0 GB): most likely the out-of-memory killer (no counter could confirm it), 2.10 s after 'after forward' (train.py:88)");
    assert.equal(explainEnd(facts({ oomKills: { cgroup: 0, system: 0 }, memory: 15.2 * GB })).kind, 'none', 'counters that did not move say it was not');
    assert.equal(explainEnd(facts({ oomKills: {}, memory: 2 * GB })).kind, 'none', 'far below the limit');
    assert.equal(explainEnd(facts({ oomKills: {}, exit: { code: 1, signal: null } })).kind, 'none', 'no SIGKILL, no kill');
  });

  it('words a SIGKILL that was not the OOM killer by what is known', () => {
    assert.equal(explainEnd(facts({ memory: 2 * GB, lastCheckpoint: undefined })).text, 'Killed by SIGKILL, not by the out-of-memory killer (no kill of this job was counted)');
    assert.equal(explainEnd(facts({ oomKills: {}, memory: 2 * GB, lastCheckpoint: undefined })).text, "Killed by SIGKILL at 2.00 GB, far below the cgroup limit 16.0 GB: not the out-of-memory killer, by the look of it");
    assert.equal(explainEnd(facts({ oomKills: {}, limit: undefined, memory: undefined, lastCheckpoint: undefined })).text, 'Killed by SIGKILL');
    assert.equal(explainEnd(facts({ exit: { code: 0, signal: null } })).text, 'Ended: exit code 0');
  });

  it("explains PyTorch's OutOfMemoryError with the allocator's state, timed from the error", () => {
    const oom: OomRecord = {
      v: 1, type: 'oom', t: (T - 1000) / 1000, pid: 103, seq: 9,
      error: 'OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.', framework: 'torch', file: '/home/u/train.py', line: 91,
      requested: 2 * 2 ** 30, device: { kind: 'cuda', index: 1 },
      allocator: [
        { kind: 'cuda', index: 0, allocated: 1 },
        { kind: 'cuda', index: 1, allocated: 14.2 * GB, reserved: 15.8 * GB, free: 0.12 * GB, total: 16 * GB, largest_free: 80e6, inactive_split: 1.6 * GB },
      ],
      mem: { rss: 3 * GB },
    };
    const e = explainEnd(facts({ exit: { code: 1, signal: null }, oom }));
    assert.equal(e.kind, 'torch-oom');
    assert.equal(e.text, "PyTorch ran out of CUDA memory on cuda:1 at train.py:91 trying to allocate 2.15 GB: 14.2 GB allocated, 15.8 GB reserved, 120 MB free of 16.0 GB, largest free block 80.0 MB, 1.60 GB fragmented, 1.10 s after 'after forward' (train.py:88)");
    assert.deepEqual([e.framework?.device, e.framework?.allocated, e.framework?.secondsBefore], ['cuda:1', 14.2 * GB, 1]);
    assert.match(explainEnd(facts({ exit: { code: 0, signal: null }, oom })).text, /; the program caught it and went on$/);
    // The kernel's kill comes first: it is what ended the run.
    assert.equal(explainEnd(facts({ oomKills: { cgroup: 1 }, oom })).kind, 'oom-kill-cgroup');
    const bare = explainEnd(facts({ exit: { code: 1, signal: null }, lastCheckpoint: undefined, oom: { v: 1, type: 'oom', t: T / 1000, pid: 1, seq: 0, error: 'MemoryError', framework: 'python', mem: { rss: 1 } } }));
    assert.equal(bare.text, 'Python ran out of memory');
  });

  it('leaves out a checkpoint reached after the error, and labels without a label by place', () => {
    const oom: OomRecord = { v: 1, type: 'oom', t: (T - 5000) / 1000, pid: 1, seq: 0, error: 'MemoryError', framework: 'python', mem: { rss: 1 } };
    assert.equal(explainEnd(facts({ exit: { code: 1, signal: null }, oom })).lastCheckpoint, undefined);
    const e = explainEnd(facts({ oomKills: { cgroup: 1 }, lastCheckpoint: { file: '/a/b.py', line: 3, t: T - 250 } }));
    assert.equal(e.text, 'Killed by the out-of-memory killer at 15.9 GB (cgroup limit 16.0 GB), 250 ms after the checkpoint at b.py:3');
  });

  it('keeps a label from writing control characters into a terminal', () => {
    const e = explainEnd(facts({ oomKills: { cgroup: 1 }, lastCheckpoint: { label: 'step\u001b[2J 7', file: '/a/b.py', line: 3, t: T - 250 } }));
    assert.ok(!e.text.includes('\u001b'), e.text);
  });
});
