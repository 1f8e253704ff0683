"""Checks every GPU path of Headroom in one run of under a minute on a machine with an NVIDIA GPU
and torch (no network): bench/README.md says what it checks and how to read the table.

    bench/gpu_check.sh OUT               # the real thing: nvidia-smi, CUDA, the engine
    bench/gpu_check.sh --stand-in OUT    # the same pipeline with the tests' stand-ins (no GPU)
    bench/gpu_check.sh --dry-run OUT     # only the checks, on a folder a run left (from a GPU box)

Writes into OUT: nvidia-smi/*.csv (the engine's exact queries, as fixtures), torch/memory_stats.json,
cost.json, run/ (the `headroom run` reports and recording), workload.json, checks.txt.
Exits 0 when nothing failed, 1 when a check failed, 2 when it could not run (no NVIDIA GPU).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gpu_check_verify import checks, smi_fields, table  # noqa: E402

STANDIN_TORCH = os.path.join(REPO, "src", "python", "tests")
STANDIN_SMI = os.path.join(REPO, "test", "fixtures", "nvidia-smi", "stand-in-nvidia-smi.sh")
RUN_TIMEOUT_S = 180


class CannotRun(Exception):
    """The check cannot start here (no GPU, no torch): exit 2 with the reason."""


def smi(args, timeout=20):
    p = subprocess.run(["nvidia-smi"] + args, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise CannotRun("nvidia-smi %s failed (%d): %s" % (" ".join(args), p.returncode, (p.stderr or p.stdout).strip()[:300]))
    return p.stdout


def smi_loop(args, seconds):
    """What `nvidia-smi ... -lms N` prints in `seconds`: the engine's long-lived form."""
    with tempfile.TemporaryFile("w+") as f:
        p = subprocess.Popen(["nvidia-smi"] + args, stdout=f, stderr=subprocess.DEVNULL, text=True)
        time.sleep(seconds)
        p.terminate()
        p.wait(timeout=10)
        f.seek(0)
        return f.read()


def first_loop(text):
    """The lines of the first loop of `-lms` output: one per GPU, until an index repeats."""
    seen, out = set(), []
    for line in text.splitlines(keepends=True):
        index = line.split(",")[0].strip()
        if index in seen:
            break
        seen.add(index)
        out.append(line)
    return "".join(out)


def preflight(standin, env):
    if standin:
        return "stand-ins: tests/cuda_standin.py for torch, test/fixtures/nvidia-smi/stand-in-nvidia-smi.sh for nvidia-smi"
    if shutil.which("nvidia-smi", path=env["PATH"]) is None:
        raise CannotRun("no NVIDIA GPU: nvidia-smi is not on PATH (this check needs an NVIDIA driver and GPU)")
    listed = smi(["-L"])
    if "GPU" not in listed:
        raise CannotRun("no NVIDIA GPU: nvidia-smi -L lists none")
    probe = "import torch; assert torch.cuda.is_available(), 'torch.cuda.is_available() is False'; print(torch.__version__, torch.version.cuda)"
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    if p.returncode != 0:
        raise CannotRun("no NVIDIA GPU usable from torch in %s: %s" % (sys.executable, p.stderr.strip().splitlines()[-1:] or p.returncode))
    return "%s; torch %s" % (listed.strip().splitlines()[0], p.stdout.strip())


def save_fixtures(out, standin):
    """The engine's own queries (fields read from its parser), saved as test fixtures."""
    fields = smi_fields(REPO)
    gpu = ["--query-gpu=" + ",".join(fields["GPU_QUERY_FIELDS"]), "--format=csv,noheader,nounits"]
    apps = ["--query-compute-apps=" + ",".join(fields["APPS_QUERY_FIELDS"]), "--format=csv,noheader,nounits"]
    d = os.path.join(out, "nvidia-smi")
    os.makedirs(d, exist_ok=True)
    files = {"gpu-loop.csv": smi_loop(gpu + ["-lms", "200"], 1.2), "apps-idle.csv": smi(apps)}
    files["gpu.csv"] = first_loop(files["gpu-loop.csv"]) if standin else smi(gpu)  # the stand-in only loops
    if not standin:
        files["nvidia-smi.txt"] = smi([])
        files["memory.txt"] = smi(["-q", "-d", "MEMORY"])
    for name, text in files.items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)


def cli_for(out, given):
    """The CLI to run: given, else built now from this checkout (so it has this checkout's engine),
    else dist/cli.js (which `npm run build` must have made from this checkout)."""
    if given:
        return given
    esbuild = os.path.join(REPO, "node_modules", ".bin", "esbuild")
    if os.path.exists(esbuild):
        d = os.path.join(out, "cli")
        for entry, name in (("src/cli/main.ts", "cli.js"), ("src/engine/protocol/decodeWorker.ts", "decodeWorker.js")):
            subprocess.run([esbuild, entry, "--bundle", "--platform=node", "--format=cjs", "--target=node20", "--log-level=warning",
                            "--outfile=" + os.path.join(d, name)], cwd=REPO, check=True, timeout=120)
        return os.path.join(d, "cli.js")
    dist = os.path.join(REPO, "dist", "cli.js")
    if not os.path.exists(dist):
        raise CannotRun("no CLI: run `npm run build` (dist/cli.js) or pass --cli")
    print("gpu_check: using dist/cli.js: it must be built from this checkout (npm run build)", file=sys.stderr)
    return dist


def run_workload(out, env, cli):
    node = shutil.which("node", path=env["PATH"])
    if node is None:
        raise CannotRun("node is not on PATH: the workload runs under Headroom's CLI (node dist/cli.js run)")
    cmd = [node, cli, "run", "--out", os.path.join(out, "run"), "--quiet", "--", sys.executable, os.path.join(HERE, "gpu_check_workload.py"), out]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    with open(os.path.join(out, "run.log"), "w", encoding="utf-8") as f:
        f.write("$ %s\n%s\n%s" % (" ".join(cmd), p.stdout, p.stderr))
    if p.returncode != 0:
        return "the workload under headroom run exited %d (see run.log): %s" % (p.returncode, p.stderr.strip()[-300:])
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output folder (created)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--stand-in", action="store_true", help="no GPU: stand-in torch and nvidia-smi, the same pipeline")
    mode.add_argument("--dry-run", action="store_true", help="only check what a run left in OUT")
    ap.add_argument("--cli", help="the Headroom CLI to run the workload under (default: built from this checkout)")
    a = ap.parse_args(argv)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    header = "Headroom GPU check, %s" % ("dry run of " + out if a.dry_run else "STAND-INS, no GPU (not the GPU truth)" if a.stand_in else "real GPU")
    rows = []
    if not a.dry_run:
        env = dict(os.environ)
        env.pop("HEADROOM_LOG", None)
        if a.stand_in:
            bindir = os.path.join(out, "stand-in-bin")
            os.makedirs(bindir, exist_ok=True)
            # A script, not a link: the stand-in finds its recorded files next to its own path.
            with open(os.path.join(bindir, "nvidia-smi"), "w", encoding="utf-8") as f:
                f.write('#!/bin/sh\nexec sh "%s" "$@"\n' % STANDIN_SMI)
            os.chmod(os.path.join(bindir, "nvidia-smi"), 0o755)
            env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
            env["HEADROOM_GPU_CHECK_STANDIN"] = STANDIN_TORCH
        os.environ["PATH"] = env["PATH"]  # smi() runs in this process
        try:
            header += ": " + preflight(a.stand_in, env)
            save_fixtures(out, a.stand_in)
            cost = [sys.executable, os.path.join(HERE, "gpu_check_cost.py"), "--json", os.path.join(out, "cost.json")] + ([] if a.stand_in else ["--cuda"])
            print(subprocess.run(cost, env=env, capture_output=True, text=True, timeout=120).stdout, end="")
            failed = run_workload(out, env, cli_for(out, a.cli))
        except CannotRun as e:
            print("gpu_check: cannot run: %s" % e, file=sys.stderr)
            return 2
        if failed:
            rows.append(("the workload ran under headroom run", "FAIL", failed))
    rows += checks(out, REPO)
    text = table(rows, header)
    print(text)
    with open(os.path.join(out, "checks.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return 1 if any(r[1] == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
