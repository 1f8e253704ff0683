import * as assert from 'node:assert/strict';
import { parseSeriesName, SERIES_FAMILIES, SeriesName, type SeriesFamily } from '../../../src/engine/store/seriesName';

describe('SeriesName', () => {
  it('parses every name it builds back to its family and index', () => {
    const seen = new Set<SeriesFamily>();
    for (const build of Object.values(SeriesName)) {
      if (typeof build === 'string') {
        const parsed = parseSeriesName(build);
        assert.deepEqual(parsed, { family: build }, build);
        seen.add(build as SeriesFamily);
        continue;
      }
      for (const index of [0, 1, 7, 12345]) {
        const name: string = build(index);
        const parsed = parseSeriesName(name);
        assert.equal(parsed?.index, index, name);
        assert.ok(parsed && SERIES_FAMILIES.includes(parsed.family), name);
        assert.equal(build(parsed.index as number), name, 'the family builds the same name again');
        seen.add(parsed.family);
      }
    }
    assert.deepEqual([...seen].sort(), [...SERIES_FAMILIES].sort(), 'every family has a builder, and every builder a family');
  });

  it('names each indexed family as the engine always has', () => {
    assert.deepEqual(
      [SeriesName.procRss(7), SeriesName.protoRss(7), SeriesName.gpuUsed(1), SeriesName.gpuTotal(1), SeriesName.gpuUtil(1), SeriesName.cudaAllocated(2), SeriesName.cudaReserved(2)],
      ['proc.7.rss', 'proto.7.rss', 'gpu.1.used', 'gpu.1.total', 'gpu.1.util', 'torch.cuda:2.allocated', 'torch.cuda:2.reserved'],
    );
    assert.deepEqual(parseSeriesName('torch.cuda:3.reserved'), { family: 'torch.cuda.reserved', index: 3 });
    assert.deepEqual(parseSeriesName('gpu.0.used'), { family: 'gpu.used', index: 0 });
  });

  it('returns undefined for names it does not write', () => {
    for (const name of ['', 'x', 'tree', 'tree.rss.x', 'proc..rss', 'proc.a.rss', 'proc.-1.rss', 'proc.1.5.rss', 'gpu.1.free', 'gpu.1', 'torch.cuda.0.allocated', 'torch.cuda:.reserved', 'loss', 'TREE.RSS']) {
      assert.equal(parseSeriesName(name), undefined, JSON.stringify(name));
    }
  });
});
