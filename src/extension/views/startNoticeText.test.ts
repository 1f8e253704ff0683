import * as assert from 'node:assert/strict';
import { NoticeGate, noticeText } from './startNoticeText';

describe('the start notification', () => {
  it('names the run, or the runs that started together', () => {
    assert.equal(noticeText(['train.py']), 'Headroom: monitoring train.py');
    assert.equal(noticeText(['a.py', 'b.py']), 'Headroom: monitoring 2 runs: a.py, b.py');
    assert.equal(noticeText(['a.py', 'b.py', 'c.py', 'd.py', 'e.py']), 'Headroom: monitoring 5 runs: a.py, b.py and 3 more');
  });

  it('keeps a name from a program harmless: no link, no icon syntax', () => {
    assert.equal(noticeText(['[x](command:x) $(zap)']), 'Headroom: monitoring [x]\u200b(command:x) $\u200b(zap)');
  });

  it('lets one notification through per quiet spell, so a burst of starts is not a storm', () => {
    const gate = new NoticeGate(15_000);
    assert.equal(gate.admit(1_000), true);
    assert.equal(gate.admit(2_000), false);
    assert.equal(gate.admit(15_999), false);
    assert.equal(gate.admit(16_000), true);
  });
});
