// What "Install Python Client into the Selected Interpreter" runs and what it says when pip
// refuses: pure, so the words are unit-tested. The wheel ships in the VSIX (dist/python-wheel/).

/** pip's arguments: the bundled wheel only (the client needs nothing else), replacing an older copy. */
export function pipArgs(wheel: string): string[] {
  return ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-deps', '--force-reinstall', wheel];
}

/** The one line that checks the install from the same interpreter: version and where it landed. */
export const VERIFY_CODE = 'import headroom, sys; sys.stdout.write(headroom.__version__ + "\\n" + headroom.__file__)';

/** Why pip failed, in words that say what to do; undefined when its output says nothing we know. */
export function pipFailureReason(output: string): string | undefined {
  if (/externally-managed-environment/.test(output)) {
    return 'this interpreter is managed by the system (PEP 668), so pip may not install into it. Select a virtual environment (Python: Select Interpreter), or create one with `python3 -m venv .venv`.';
  }
  if (/No module named pip/.test(output)) return 'this interpreter has no pip. Install it (`python -m ensurepip`, or the python3-pip package), or select another interpreter.';
  if (/Permission denied|EACCES|\[Errno 13\]/.test(output)) return 'pip may not write into this interpreter\'s site-packages (permission denied). Select a virtual environment you own.';
  if (/requires a different Python|Requires-Python/.test(output)) return 'the client needs Python 3.8 or newer; this interpreter is older.';
  if (/is not a supported wheel on this platform/.test(output)) return 'pip rejected the wheel for this interpreter.';
  return undefined;
}

/** The bundled wheel among the files of dist/python-wheel/, newest version first by name. */
export function pickWheel(names: readonly string[]): string | undefined {
  return names
    .filter((n) => /^headroom_client-[\w.+-]+-py3-none-any\.whl$/.test(n))
    .sort()
    .reverse()[0];
}
