"""A real CUDA out-of-memory error under `headroom run`, explained with the allocator's state,
and the guard stopping a program before one. Needs an NVIDIA GPU, a CUDA
torch in this interpreter, Node 20 and dist/cli.js of this checkout (npm run build).

    python bench/cuda_oom_check.py OUT      (or PYTHON=... bench/cuda_oom_check.sh OUT)

Exit 0 when every check passes, 1 when one fails, 2 when it cannot run here (no NVIDIA GPU).
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLI = os.path.join(REPO, "dist", "cli.js")
WORKLOAD = os.path.join(HERE, "cuda_oom_workload.py")


def cannot_run(why):
    print("cuda_oom_check: cannot run: %s" % why, file=sys.stderr)
    sys.exit(2)


def preflight():
    if shutil.which("nvidia-smi") is None:
        cannot_run("no NVIDIA GPU: nvidia-smi is not on PATH")
    gpus = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    if gpus.returncode != 0 or "GPU 0" not in gpus.stdout:
        cannot_run("no NVIDIA GPU: nvidia-smi -L lists none (%s)" % (gpus.stderr.strip() or gpus.stdout.strip() or "no output"))
    try:
        import torch
    except ImportError:
        cannot_run("no NVIDIA GPU for PyTorch: %s has no torch" % sys.executable)
    if not torch.cuda.is_available():
        cannot_run("no NVIDIA GPU for PyTorch: torch.cuda.is_available() is False in %s (a CPU build?)" % sys.executable)
    if shutil.which("node") is None or not os.path.exists(CLI):
        cannot_run("node and %s are needed (npm ci && npm run build)" % CLI)


def headroom_run(out, args, mode):
    """`headroom run` of the workload; (exit code, stderr, summary, recording records)."""
    run = os.path.join(out, mode)
    saved = os.path.join(out, mode + ".saved")
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "src", "python"))
    cmd = ["node", CLI, "run", "--out", run, "--quiet"] + args + ["--", sys.executable, WORKLOAD, mode, saved]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    with open(os.path.join(run, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(run, "recording.ndjson")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    return p.returncode, p.stderr, summary, records, saved


def line_of(text):
    with open(WORKLOAD) as f:
        return next(n for n, line in enumerate(f, 1) if text in line)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    preflight()
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    checks = []

    def check(name, ok, detail=""):
        checks.append((name, bool(ok), detail))

    code, err, s, recs, _ = headroom_run(out, ["--no-gpu"], "oom")
    e = s.get("end") or {}
    fw = e.get("framework") or {}
    ooms = [r for r in recs if r.get("type") == "oom"]
    check("the program died of its OutOfMemoryError (exit 1)", code == 1, "exit %s" % code)
    check("one oom record, from the tracked block", len(ooms) == 1 and ooms[0].get("where") == "region" and ooms[0].get("region") == "fill", json.dumps(ooms)[:300])
    check("the line that raised is the allocating line", ooms and ooms[0].get("line") == line_of("# the allocating line"), str(ooms and ooms[0].get("line")))
    check("the checkpoint before it", ooms and (ooms[0].get("checkpoint") or {}).get("label") == "fragmented")
    check("explained as torch-oom on cuda:0", e.get("kind") == "torch-oom" and fw.get("device") == "cuda:0", json.dumps(e)[:300])
    check("requested 1 GiB", fw.get("requested") == 1 << 30, str(fw.get("requested")))
    alloc = [fw.get(k) for k in ("allocated", "reserved", "free", "total")]
    check("allocated <= reserved <= total, free < total", None not in alloc and alloc[0] <= alloc[1] <= alloc[3] and alloc[2] < alloc[3], str(alloc))
    check("largest free block and fragmentation known", fw.get("largestFree") is not None and fw.get("inactiveSplit") is not None, "%s %s" % (fw.get("largestFree"), fw.get("inactiveSplit")))
    check("the CLI says it", e.get("text") and e["text"] in err.split("\n"), e.get("text", ""))

    code, err, s, recs, saved = headroom_run(out, ["--guard", "interrupt"], "guard")
    actions = (s.get("guard") or {}).get("actions") or []
    check("guard: the program saved and exited 0 before the GPU was full", code == 0 and os.path.exists(saved), "exit %s" % code)
    check("guard: one action, on the GPU gauge, through the client", len(actions) == 1 and actions[0]["gauge"]["key"].startswith("gpu:") and actions[0]["how"] == "client", json.dumps(actions)[:300])
    check("guard: no out-of-memory error", not [r for r in recs if r.get("type") == "oom"])

    width = max(len(c[0]) for c in checks)
    lines = ["%-*s  %s  %s" % (width, n, "PASS" if ok else "FAIL", "" if ok else d) for n, ok, d in checks]
    failed = sum(not ok for _, ok, _ in checks)
    lines.append("%d checks, %d failed" % (len(checks), failed))
    with open(os.path.join(out, "checks.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
