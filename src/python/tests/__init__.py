# The suite never reports to a window of the machine it runs on: no address or log from the
# shell that started it, and an empty runtime folder of its own for connection files.
import atexit
import os
import shutil
import tempfile

for _name in ("HEADROOM_ADDR", "HEADROOM_TOKEN", "HEADROOM_LOG"):
    os.environ.pop(_name, None)
_root = tempfile.mkdtemp(prefix="headroom-tests-")
atexit.register(shutil.rmtree, _root, True)
os.environ["HEADROOM_RUNTIME_DIR"] = os.path.join(_root, "runtime")
