"""Runs a trainer script from test/fixtures/trainers/ under the project venv (.venv, made by
scripts/ensure-venv.sh with torch and the trainer libraries pinned), reporting to a real
socket listener, whatever interpreter runs the tests."""
import os
import subprocess
import tempfile

from .discovery_helpers import Listener
from .helpers import PY_ROOT, REPO

VENV_PY = os.path.join(REPO, ".venv", "bin", "python")
FIXTURES = os.path.join(REPO, "test", "fixtures", "trainers")


def venv_lacks(*modules):
    """Why these tests cannot run here (a visible skip reason), or None when they can."""
    if not os.path.exists(VENV_PY):
        return "%s is missing: run scripts/ensure-venv.sh (npm test does)" % VENV_PY
    probe = "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in sys.argv[1:]) else 1)"
    if subprocess.run([VENV_PY, "-c", probe] + list(modules)).returncode != 0:
        return ".venv lacks %s: run scripts/ensure-venv.sh (npm test does)" % " and ".join(modules)
    return None


def venv_env(**extra):
    """The environment of a venv child: this checkout's client, offline, one thread per op
    (the machine's cores are shared), no inherited Headroom settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADROOM")}
    env.update(PYTHONPATH=PY_ROOT, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    env.update(extra)
    return env


def run_venv(code_or_script, args=(), env=None, timeout=240):
    """Runs a fixture script (a path) or code (a string) under .venv; returns the completed process."""
    cmd = [VENV_PY, code_or_script] if os.path.exists(code_or_script) else [VENV_PY, "-c", code_or_script]
    p = subprocess.run(cmd + list(args), env=env or venv_env(), capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (cmd[-1][:200], p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
    return p


def run_trainer(name, timeout=240):
    """Runs fixture `name` connected to a real listener: (records, stdout, script path, output dir)."""
    script = os.path.join(FIXTURES, name)
    out = tempfile.mkdtemp(prefix="hr-trainer-")
    listener = Listener()
    try:
        p = run_venv(script, [out], venv_env(HEADROOM_ADDR=listener.addr, HEADROOM_TOKEN="trainer-test"), timeout)
        records = listener.records(wait_for="bye")
    finally:
        listener.close()
    return records, p.stdout, script, out


def line_of(path, text):
    """The 1-based line of `path` holding `text` (the call a test expects records on)."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError("%r not in %s" % (text, path))
