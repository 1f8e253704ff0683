import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_LINE_BYTES } from './protocol';
import { decodeLine } from './protocolDecode';

interface Vector {
  name: string;
  line: string;
  ok: boolean;
  type?: string;
  code?: string;
}

const { vectors } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'protocol', 'vectors.json'), 'utf8')) as { vectors: Vector[] };

describe('protocol v1 decoder (shared test vectors)', () => {
  for (const v of vectors) {
    it(v.name, () => {
      const r = decodeLine(v.line);
      if (v.ok) {
        assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
        assert.equal(r.record.type, v.type);
      } else {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.code, v.code, r.message);
      }
    });
  }

  it('rejects a line over 1 MiB before parsing it', () => {
    const big = JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 1, seq: 0, mem: { rss: 1 }, label: 'x'.repeat(MAX_LINE_BYTES) });
    const r = decodeLine(big);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.code, 'too-long');
  });

  it('says which version it speaks when refusing another', () => {
    const r = decodeLine('{"v":2,"type":"checkpoint","t":1,"pid":1,"seq":0,"mem":{"rss":1}}');
    assert.ok(!r.ok && /version 2 is not supported.*speaks 1/.test(r.message));
  });
});
