import json
import os
import subprocess
import sys
import tempfile
import textwrap

PY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(PY_ROOT))
MB = 1024 * 1024


def run_logged(code, extra_env=None, timeout=120):
    """Runs `code` in a fresh /usr/bin/python3 with HEADROOM_LOG set; returns (records, stdout, path)."""
    records, out, _err, path = run_logged_full(code, extra_env, timeout)
    return records, out, path


def run_logged_full(code, extra_env=None, timeout=120):
    """run_logged, with stderr too: (records, stdout, stderr, path)."""
    fd, log = tempfile.mkstemp(suffix=".ndjson")
    os.close(fd)
    os.unlink(log)
    script = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
    script.write(textwrap.dedent(code))
    script.close()
    env = dict(os.environ, HEADROOM_LOG=log, PYTHONPATH=PY_ROOT)
    env.pop("HEADROOM_ADDR", None)
    env.pop("HEADROOM_DEBUG", None)
    env.update(extra_env or {})
    p = subprocess.run([sys.executable, script.name], env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("script failed (%d):\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
    records = []
    if os.path.exists(log):
        with open(log) as f:
            records = [json.loads(line) for line in f if line.strip()]
        os.unlink(log)
    return records, p.stdout, p.stderr, script.name
