"""A real IPython kernel (ipykernel, started and driven by jupyter_client) that executes cells
the way a notebook front end does: execute_request messages carrying `metadata.cellId`, as
VS Code's notebook editor and JupyterLab send them."""
import os
import queue
import time

# jupyter_client finds the python3 kernel through ipykernel.kernelspec, which imports debugpy,
# whose pydevd warns on stderr about frozen modules once per process (kernels too: see kernel_env).
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

try:
    import ipykernel  # noqa: F401  (the kernel runs in a child process; it must be importable there)
    from jupyter_client.manager import KernelManager
    WHY_NO_KERNEL = None
except ImportError as e:
    KernelManager = None
    WHY_NO_KERNEL = "ipykernel/jupyter_client are not installed (%s): run scripts/ensure-system-deps.sh as root" % e

from .helpers import PY_ROOT


def kernel_env(**extra):
    """The kernel's environment: the client on PYTHONPATH, no Headroom settings but `extra`."""
    env = dict(os.environ, PYTHONPATH=PY_ROOT)
    for k in ("HEADROOM_ADDR", "HEADROOM_TOKEN", "HEADROOM_LOG", "HEADROOM", "HEADROOM_DISABLE", "HEADROOM_DEBUG", "IPYKERNEL_CELL_NAME"):
        env.pop(k, None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(extra)
    return env


class Reply:
    """One execute request's outcome: the reply's status and count, and what the cell printed."""

    def __init__(self, content, stdout, error):
        self.status = content.get("status")
        self.count = content.get("execution_count")
        self.stdout = stdout
        self.error = error  # the ename of an `error` message on iopub, if any


class Kernel:
    """A started kernel with its client; `run` executes one cell as a front end would."""

    def __init__(self, env, cwd=None):
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=env, cwd=cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    @property
    def pid(self):
        return self.km.provisioner.pid if getattr(self.km, "provisioner", None) else self.km.kernel.pid

    def run(self, code, cell_id=None, timeout=60, store_history=True):
        """Sends an execute_request with `metadata.cellId` = cell_id (when given); waits for its
        reply and for the kernel to go idle, collecting the cell's stdout."""
        content = {"code": code, "silent": False, "store_history": store_history, "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id} if cell_id is not None else {})
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        deadline = time.monotonic() + timeout
        reply = None
        while reply is None:
            m = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if m["parent_header"].get("msg_id") == msg_id:
                reply = m["content"]
        out, error = [], None
        while True:  # iopub: the cell's output, until the kernel is idle again
            try:
                m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("no idle status for %r within %ss" % (code[:40], timeout))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            t = m["msg_type"]
            if t == "stream" and m["content"]["name"] == "stdout":
                out.append(m["content"]["text"])
            elif t == "error":
                error = m["content"]["ename"]
            elif t == "status" and m["content"]["execution_state"] == "idle":
                break
        return Reply(reply, "".join(out), error)

    def restart(self):
        self.km.restart_kernel(now=False)  # as a front end restarts: a shutdown_request first
        self.kc.wait_for_ready(timeout=60)

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=False)
            # Dropped now, not at interpreter exit, when its __del__ would log into a torn-down logging
            self.kc = None
