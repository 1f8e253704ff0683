import * as assert from 'node:assert/strict';
import { MemoryStore } from '../../engine/store/memoryStore';
import { SeriesName } from '../../engine/store/seriesName';
import { newStepPoints, stepCount, stepPoints } from './stepData';

function storeWithSteps(n: number): MemoryStore {
  const store = new MemoryStore();
  for (let i = 1; i <= n; i++) store.append(SeriesName.trainStep, 1000 + i * 10, i);
  return store;
}

describe('timeline step data', () => {
  it('is absent for a run without steps', () => {
    assert.equal(stepPoints(new MemoryStore()), undefined);
    assert.equal(newStepPoints(new MemoryStore(), new Map()), undefined);
    assert.equal(stepCount(new MemoryStore()), 0);
  });

  it('sends a short run’s step records as they are, shifted for a compared run', () => {
    const p = stepPoints(storeWithSteps(5), 500)!;
    assert.deepEqual([...p.t], [1510, 1520, 1530, 1540, 1550]);
    assert.deepEqual([...p.step], [1, 2, 3, 4, 5]);
  });

  it('thins a long run to the budget, each point the step reached at its time, and ends at the last record', () => {
    const p = stepPoints(storeWithSteps(100_000), 0, 1000)!;
    assert.ok(p.t.length <= 1000, `${p.t.length} points`);
    for (let i = 0; i < p.t.length; i++) assert.equal(p.step[i], (p.t[i] - 1000) / 10, `point ${i} lies on the run's steps`);
    assert.deepEqual([p.t[0], p.step[0]], [1010, 1]);
    assert.deepEqual([p.t[p.t.length - 1], p.step[p.step.length - 1]], [1000 + 100_000 * 10, 100_000]);
  });

  it('live, sends only the records since the last message, and asks for a snapshot when they are gone', () => {
    const store = storeWithSteps(3);
    const sent = new Map([[SeriesName.trainStep, stepCount(store)]]);
    assert.equal(newStepPoints(store, sent), undefined, 'nothing new');
    store.append(SeriesName.trainStep, 2000, 4);
    store.append(SeriesName.trainStep, 2010, 5);
    const p = newStepPoints(store, sent)!;
    assert.deepEqual([[...p.t], [...p.step]], [
      [2000, 2010],
      [4, 5],
    ]);
    assert.equal(sent.get(SeriesName.trainStep), 5);
    assert.equal(newStepPoints(store, new Map([[SeriesName.trainStep, -1e9]])), null, 'more than the raw tier holds');
  });
});
