import * as assert from 'node:assert/strict';
import { escapeHelp, escapeLabelValue, renderExposition } from '../../src/engine/metrics/exposition';
import { LabelCap } from '../../src/engine/metrics/labelCap';
import { SessionMetrics } from '../../src/engine/metrics/sessionMetrics';
import type { MonitorTick } from '../../src/engine/monitor';
import { HitRing } from '../../src/engine/session/hitRing';
import type { LocationStats } from '../../src/engine/session/locationStats';

const MiB = 2 ** 20;

function location(label: string, over: Partial<LocationStats> = {}): LocationStats {
  return { file: '/w/train.py', line: 10, kind: 'checkpoint', label, hits: 1, lastDelta: 0, sinceStart: 0, lastRss: 0, peak: 0, lastPeakAbove: 0, ring: new HitRing(), lastT: 0, ...over };
}

const tick: MonitorTick = {
  tree: {
    t: 1_700_000_000_500,
    rootPid: 100,
    rootAlive: true,
    rss: 300 * MiB,
    vms: 900 * MiB,
    pss: 250 * MiB,
    processes: [
      { pid: 100, ppid: 1, name: 'python', rss: 100 * MiB, vms: 300 * MiB, shared: 0, pss: 90 * MiB },
      { pid: 101, ppid: 100, name: 'py"thon\\2', rss: 200 * MiB, vms: 600 * MiB, shared: 0, pss: 160 * MiB },
    ],
  },
  system: { t: 1_700_000_000_500, total: 16e9, available: 10e9, used: 6e9, swapTotal: 0, swapUsed: 0, cgroupLimit: 8e9, cgroupUsage: 1e9 },
  gpu: {
    t: 1_700_000_000_400,
    devices: [{ index: 0, uuid: 'GPU-a', name: 'H200', vendor: 'nvidia', memUsed: 5e9, memTotal: 141e9 }],
    processes: [{ pid: 101, gpuUuid: 'GPU-a', usedMemory: 4e9 }],
    tree: { used: 4e9, source: 'nvidia-smi' },
  },
  kernel: { t: 1_700_000_000_500, oomKills: { cgroup: 1, system: 3 } },
};

describe('Prometheus exposition', () => {
  it('escapes backslash, double quote and line feed in label values, and nothing else', () => {
    assert.equal(escapeLabelValue('plain ünïcode\tcr\r'), 'plain ünïcode\tcr\r');
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(escapeLabelValue('lone \ud800 surrogate'), 'lone \ufffd surrogate');
    assert.equal(escapeHelp('a\\b "q"\nc'), 'a\\\\b "q"\\nc');
  });

  it('renders HELP, TYPE and samples exactly, leaving out families without samples', () => {
    const text = renderExposition([
      { name: 'x_bytes', help: 'Some\nhelp', type: 'gauge', samples: [{ labels: [['job', 'a"b']], value: 1.5 }, { labels: [], value: NaN }] },
      { name: 'y_total', help: 'none', type: 'counter', samples: [] },
      { name: 'z_total', help: 'inf', type: 'counter', samples: [{ labels: [], value: Infinity }] },
    ]);
    assert.equal(text, '# HELP x_bytes Some\\nhelp\n# TYPE x_bytes gauge\nx_bytes{job="a\\"b"} 1.5\nx_bytes NaN\n# HELP z_total inf\n# TYPE z_total counter\nz_total +Inf\n');
  });

  it('keeps the first N label values and folds the rest into one, cutting long ones', () => {
    const cap = new LabelCap(2, 8);
    assert.equal(cap.map('a'), 'a');
    assert.equal(cap.map('a very long label'), 'a very …');
    assert.equal(cap.map('c'), 'other');
    assert.equal(cap.map('d'), 'other');
    assert.equal(cap.map('c'), 'other');
    assert.equal(cap.map('a'), 'a');
    assert.equal(cap.folded, 2);
    assert.equal(cap.size, 2);
  });
});

describe('SessionMetrics', () => {
  const identity = { job: 'train.py', host: 'node-1', rank: 3, localRank: 1 };

  it('writes every figure of a tick under headroom_ names in base units, with job, host, rank and local_rank', () => {
    const text = new SessionMetrics(identity).render({ tick, locations: [], ranks: new Map() });
    const base = 'job="train.py",host="node-1",rank="3",local_rank="1"';
    for (const line of [
      `headroom_tree_rss_bytes{${base}} ${300 * MiB}`,
      `headroom_tree_pss_bytes{${base}} ${250 * MiB}`,
      `headroom_tree_processes{${base}} 2`,
      `headroom_process_rss_bytes{${base},pid="100",name="python"} ${100 * MiB}`,
      `headroom_process_rss_bytes{${base},pid="101",name="py\\"thon\\\\2"} ${200 * MiB}`,
      `headroom_process_pss_bytes{${base},pid="101",name="py\\"thon\\\\2"} ${160 * MiB}`,
      `headroom_system_memory_total_bytes{${base}} 16000000000`,
      `headroom_system_memory_available_bytes{${base}} 10000000000`,
      `headroom_cgroup_memory_limit_bytes{${base}} 8000000000`,
      `headroom_cgroup_memory_usage_bytes{${base}} 1000000000`,
      `headroom_gpu_memory_used_bytes{${base},gpu="0"} 5000000000`,
      `headroom_gpu_memory_total_bytes{${base},gpu="0"} 141000000000`,
      `headroom_gpu_process_memory_used_bytes{${base},pid="101",gpu="0"} 4000000000`,
      `headroom_tree_gpu_memory_bytes{${base}} 4000000000`,
      `headroom_oom_kills_total{${base},scope="cgroup"} 1`,
      `headroom_oom_kills_total{${base},scope="system"} 3`,
      '# TYPE headroom_oom_kills_total counter',
      '# TYPE headroom_tree_rss_bytes gauge',
      `headroom_last_sample_timestamp_seconds{${base}} 1700000000.5`,
    ])
      assert.ok(text.split('\n').includes(line), `missing line: ${line}\n${text}`);
    assert.ok(!text.includes('headroom_tree_uss_bytes'), 'a figure the tick lacks is left out');
    // Every sample line belongs to a family announced by HELP and TYPE just before it.
    let family = '';
    for (const l of text.trimEnd().split('\n')) {
      if (l.startsWith('# TYPE ')) family = l.split(' ')[2];
      else if (!l.startsWith('#')) assert.ok(l.startsWith(family + '{') || l.startsWith(family + ' '), l);
    }
  });

  it("labels a process and a checkpoint with the rank the process reported, over the monitor's own", () => {
    const ranks = new Map([[101, 5]]);
    const loc = location('after forward', { lastRss: 7, lastDelta: 2, hits: 4, ranks: new Map([[5, { rank: 5, pid: 101, hits: 4, lastDelta: 2, sinceStart: 3, lastRss: 7, peak: 9 }]]) });
    const text = new SessionMetrics({ job: 'j', host: 'h' }).render({ tick, locations: [loc], ranks });
    assert.ok(text.includes('headroom_process_rss_bytes{job="j",host="h",rank="5",pid="101",name="py\\"thon\\\\2"}'), text);
    assert.ok(text.includes('headroom_process_rss_bytes{job="j",host="h",pid="100",name="python"}'), text);
    assert.ok(text.includes('headroom_checkpoint_rss_bytes{job="j",host="h",rank="5",checkpoint="after forward",kind="checkpoint"} 7\n'), text);
    assert.ok(text.includes('headroom_checkpoint_delta_bytes{job="j",host="h",rank="5",checkpoint="after forward",kind="checkpoint"} 2\n'), text);
    assert.ok(text.includes('headroom_checkpoint_hits_total{job="j",host="h",rank="5",checkpoint="after forward",kind="checkpoint"} 4\n'), text);
  });

  it('caps checkpoint labels: a program that labels every step gets N series plus "other", holding the newest figures', () => {
    const m = new SessionMetrics({ job: 'j', host: 'h' }, { maxCheckpointLabels: 4 });
    const locations = Array.from({ length: 1000 }, (_, i) => location(`step ${i}`, { line: i + 1, lastRss: i, lastT: i, hits: 1 }));
    const text = m.render({ tick, locations, ranks: new Map() });
    const rssLines = text.split('\n').filter((l) => l.startsWith('headroom_checkpoint_rss_bytes{'));
    assert.deepEqual(
      rssLines.map((l) => /checkpoint="([^"]*)"/.exec(l)?.[1]),
      ['step 0', 'step 1', 'step 2', 'step 3', 'other'],
    );
    assert.ok(rssLines[4].endsWith(' 999'), rssLines[4]);
    assert.ok(text.includes('headroom_checkpoint_hits_total{job="j",host="h",checkpoint="other",kind="checkpoint"} 996\n'));
    assert.ok(text.includes('headroom_checkpoint_labels_folded_total{job="j",host="h"} 996\n'));
    // The cap holds across renders: new labels later still fold.
    const again = m.render({ tick, locations: [location('late label', { lastRss: 5, lastT: 2000 })], ranks: new Map() });
    assert.ok(again.includes('checkpoint="other"') && !again.includes('late label'), again);
  });

  it('leaves the tree out of a tick that found it gone, rather than exporting zeros', () => {
    const gone: MonitorTick = { ...tick, tree: { ...tick.tree, rootAlive: false, processes: [], rss: 0, vms: 0, pss: undefined } };
    const text = new SessionMetrics(identity).render({ tick: gone, locations: [], ranks: new Map() });
    assert.ok(!text.includes('headroom_tree_rss_bytes'), text);
    assert.ok(text.includes('headroom_system_memory_used_bytes'), text);
  });
});
