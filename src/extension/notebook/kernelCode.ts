// The Python a notebook kernel runs to report to this window: pure, so it is unit-tested.
// Every value goes in as a JSON string literal (valid Python), never pasted as code.

/**
 * Puts the bundled client on the kernel's path (unless `headroom` is already importable),
 * connects it to this window's listener with the window token, and loads the IPython
 * extension, which reports every cell run from the next one on. Prints one line saying so.
 */
export function monitorKernelCode(addr: string, token: string, pythonPath: string): string {
  const s = (x: string) => JSON.stringify(x);
  return [
    'import importlib.util as _hr_u, sys as _hr_s',
    `if _hr_u.find_spec("headroom") is None and ${s(pythonPath)} not in _hr_s.path: _hr_s.path.insert(0, ${s(pythonPath)})`,
    'import headroom as _hr',
    `_hr_ok = _hr.connect(${s(addr)}, ${s(token)})`,
    'get_ipython().run_line_magic("load_ext", "headroom")',
    'print("Headroom: this kernel reports its cell runs" if _hr_ok else "Headroom: could not reach the editor; cell runs are not reported")',
    'del _hr_u, _hr_s, _hr, _hr_ok',
  ].join('\n');
}
