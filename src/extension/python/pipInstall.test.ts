import * as assert from 'node:assert/strict';
import { pickWheel, pipArgs, pipFailureReason } from './pipInstall';

describe('installing the client with pip', () => {
  it('installs the bundled wheel alone, replacing an older copy, never asking', () => {
    assert.deepEqual(pipArgs('/ext/dist/python-wheel/headroom_client-0.1.0-py3-none-any.whl'), [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--no-deps',
      '--force-reinstall',
      '/ext/dist/python-wheel/headroom_client-0.1.0-py3-none-any.whl',
    ]);
  });

  it('says what to do when pip refuses', () => {
    assert.match(pipFailureReason('error: externally-managed-environment\n\n× This environment is externally managed')!, /PEP 668.*virtual environment/);
    assert.match(pipFailureReason('/usr/bin/python3: No module named pip')!, /has no pip/);
    assert.match(pipFailureReason("ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/usr/lib/python3/dist-packages/headroom'")!, /permission denied/);
    assert.equal(pipFailureReason('some other failure'), undefined);
  });

  it('finds the wheel among the files beside it', () => {
    assert.equal(pickWheel(['README', 'headroom_client-0.1.0-py3-none-any.whl', 'headroom_client-0.2.0-py3-none-any.whl']), 'headroom_client-0.2.0-py3-none-any.whl');
    assert.equal(pickWheel(['headroom-0.1.0.tar.gz']), undefined);
  });
});
