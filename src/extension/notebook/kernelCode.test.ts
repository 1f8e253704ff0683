import * as assert from 'node:assert/strict';
import { monitorKernelCode } from './kernelCode';

describe('the code a notebook kernel runs to report', () => {
  it('connects with the window token and loads the extension', () => {
    const code = monitorKernelCode('unix:/run/user/0/headroom/l.sock', 'tok123', '/ext/dist/python');
    assert.match(code, /_hr\.connect\("unix:\/run\/user\/0\/headroom\/l\.sock", "tok123"\)/);
    assert.match(code, /run_line_magic\("load_ext", "headroom"\)/);
    assert.match(code, /_hr_s\.path\.insert\(0, "\/ext\/dist\/python"\)/);
  });

  it('keeps a hostile path a string: quotes and newlines cannot become code', () => {
    const code = monitorKernelCode('a', 'b', '/x"\nimport os; os.system("rm -rf /")#');
    const line = code.split('\n')[1];
    assert.ok(line.includes('"/x\\"\\nimport os; os.system(\\"rm -rf /\\")#"'), line);
    assert.equal(code.split('\n').length, 7, 'no line was added by the path');
  });
});
