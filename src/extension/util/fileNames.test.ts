import * as assert from 'node:assert/strict';
import { csvName, parquetName } from './fileNames';

describe('file names the dialogs propose', () => {
  const day = new Date(2026, 11, 2, 23, 59);
  it('names an export after the program and the local day', () => {
    assert.equal(csvName('train.py', day), 'train-2026-12-02.csv');
    assert.equal(csvName('2026-12-01T10-00-00-000Z-4242.ndjson', day), '2026-12-01T10-00-00-000Z-4242-2026-12-02.csv');
  });
  it('keeps a hostile or empty name to safe characters', () => {
    assert.equal(csvName('../../etc/passwd', day), 'etc-passwd-2026-12-02.csv');
    assert.equal(csvName('ddp_train.py (2 ranks)', day), 'ddp_train.py-2-ranks-2026-12-02.csv');
    assert.equal(csvName('', day), 'headroom-2026-12-02.csv');
  });
  it('names a Parquet export the same way', () => {
    assert.equal(parquetName('run.ndjson', day), 'run-2026-12-02.parquet');
    assert.equal(parquetName('../x.py', day), 'x-2026-12-02.parquet');
  });
});
