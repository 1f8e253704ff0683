"""The checks of bench/gpu_check.py, read from what a run left in its output folder (so
`--dry-run OUT` can check a folder brought back from a GPU machine). Each check returns
(status, detail) with status PASS, FAIL or SKIP; a SKIP is never a pass: it says why the
check could not apply (the container case and the usual case exclude each other).
"""
import json
import os
import re

MiB = 1 << 20
TOLERANCE = 8 * MiB  # torch rounds allocations up (512 B, 2 MiB blocks): peaks within this of the expected
ATTRIBUTION = 0.05  # per-process attribution within 5% of nvidia-smi's own answer


def smi_fields(repo):
    """The query fields the engine asks nvidia-smi for, read from its parser (the one source)."""
    with open(os.path.join(repo, "src", "engine", "gpu", "nvidiaSmiParser.ts"), encoding="utf-8") as f:
        text = f.read()
    out = {}
    for name in ("GPU_QUERY_FIELDS", "APPS_QUERY_FIELDS"):
        m = re.search(name + r"\s*=\s*\[(.*?)\]", text, re.S)
        if not m:
            raise SystemExit("gpu_check: cannot find %s in nvidiaSmiParser.ts" % name)
        out[name] = re.findall(r"'([^']+)'", m.group(1))
    return out


def _lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def check_fixtures(out, fields):
    d = os.path.join(out, "nvidia-smi")
    n_gpu = len(fields["GPU_QUERY_FIELDS"])
    problems = []
    for name in ("gpu.csv", "gpu-loop.csv", "apps-idle.csv", "apps-busy.csv"):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            problems.append("%s missing" % name)
            continue
        lines = _lines(path)
        if name.startswith("gpu") and not lines:
            problems.append("%s is empty" % name)
        for line in lines:
            cells = [c.strip() for c in line.split(",")]
            if name.startswith("gpu"):
                ok = len(cells) >= n_gpu and cells[0].isdigit() and cells[1].startswith(("GPU-", "MIG-")) and cells[4].isdigit()
            else:
                ok = line.startswith("No running") or (len(cells) >= 3 and cells[0].isdigit())
            if not ok:
                problems.append("%s: unexpected line %r" % (name, line[:80]))
    if problems:
        return "FAIL", "; ".join(problems[:3])
    gpus, loop = len(_lines(os.path.join(d, "gpu.csv"))), len(_lines(os.path.join(d, "gpu-loop.csv")))
    if loop < 2 * gpus:
        return "FAIL", "gpu-loop.csv holds %d lines: fewer than two loops of -lms for %d GPU(s)" % (loop, gpus)
    return "PASS", "%d GPU(s), %d lines of -lms, in the engine's --query-gpu/--query-compute-apps formats" % (gpus, loop)


def load(out):
    """(records of the workload's process, gpu records, workload.json, summary.json or None)."""
    with open(os.path.join(out, "workload.json"), encoding="utf-8") as f:
        work = json.load(f)
    recs, gpu = [], []
    with open(os.path.join(out, "run", "recording.ndjson"), encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("type") == "gpu":
                gpu.append(r)
            elif r.get("pid") == work["pid"] and "v" in r:
                recs.append(r)
    summary = None
    path = os.path.join(out, "run", "summary.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    return recs, gpu, work, summary


def _cuda(record, where="mem"):
    devs = [d for d in (record.get(where) or {}).get("devices", []) if d.get("kind") == "cuda"]
    return devs[0] if devs else None


def _near(value, expected):
    return value is not None and abs(value - expected) <= TOLERANCE


def checks(out, repo):
    """[(name, status, detail)] for everything the run left in `out`."""
    rows = [("nvidia-smi output saved as fixtures", *check_fixtures(out, smi_fields(repo)))]
    try:
        recs, gpu, w, summary = load(out)
    except (OSError, ValueError, KeyError) as e:
        return rows + [("the run's recording and workload.json", "FAIL", str(e))]
    base, step, steps = w["base_mib"] * MiB, w["step_mib"] * MiB, w["steps"]
    cuda = [d for d in (_cuda(r) for r in recs if "mem" in r) if d]
    rows.append(("CUDA figures in the recording", *(
        ("PASS", "%d records of pid %d with CUDA figures" % (len(cuda), w["pid"])) if any(d.get("reserved", 0) > 0 for d in cuda)
        else ("FAIL", "no record of the workload carries CUDA reserved > 0"))))

    peaks = [(_cuda(r) or {}).get("max_allocated") for r in recs if r["type"] == "batch_end"]
    want = [base + (steps - k) * step for k in range(steps)]
    ok = len(peaks) == steps and all(_near(p, e) for p, e in zip(peaks, want)) and len(set(peaks)) == steps
    rows.append(("per-step peaks (reset_peaks): each step its own", "PASS" if ok else "FAIL",
                 "max_allocated per step %s MiB, expected %s" % ([p // MiB if p else p for p in peaks], [e // MiB for e in want])))
    ends = [r for r in recs if r["type"] == "epoch_end"]
    epoch = (_cuda(ends[0], "peak") or {}).get("allocated") if ends else None
    rows.append(("the epoch's peak kept across step resets", "PASS" if _near(epoch, want[0]) else "FAIL",
                 "epoch_end peak %s MiB, expected %d" % (epoch and epoch // MiB, want[0] // MiB)))
    blocks = [r for r in recs if r["type"] == "region_end" and r.get("label") == "block"]
    block = (_cuda(blocks[0], "peak") or {}).get("allocated") if blocks else None
    rows.append(("a block's peak with reset_peaks is its own", "PASS" if _near(block, base + w["block_mib"] * MiB) else "FAIL",
                 "region_end peak %s MiB, expected %d" % (block and block // MiB, (base + w["block_mib"] * MiB) // MiB)))

    breakdown = ("active", "inactive_split", "num_alloc_retries", "num_ooms")
    has = [k for k in breakdown + ("device_used", "device_total") if any(k in d for d in cuda)]
    rows.append(("allocator breakdown fields", "PASS" if len(has) == 6 else "FAIL", "present: %s" % ", ".join(has)))
    outside = max((d["device_used"] - d["reserved"] for d in cuda if "device_used" in d), default=None)
    rows.append(("memory outside the allocator > 0 (device_used - reserved)", "PASS" if outside and outside > 0 else "FAIL",
                 "%s MiB (the CUDA context and libraries, plus other processes on the GPU)" % (outside and outside // MiB)))

    t0, t1 = w["hold"][0] * 1000, w["hold"][1] * 1000
    # The engine asks nvidia-smi about processes every 2 s: from 2.5 s into the hold its answer is the hold's.
    held = [g for g in gpu if t0 + 2500 <= g["t"] <= t1]
    seen = w["smi_own_used"] is not None
    procs = [sum(p[2] or 0 for p in g.get("procs", []) if p[0] == w["pid"]) for g in held if any(p[0] == w["pid"] for p in g.get("procs", []))]
    if not seen:
        rows.append(("per-process attribution matches nvidia-smi within 5%", "SKIP", "nvidia-smi lists no row for the workload's pid (a container's PID namespace?)"))
    elif not procs:
        rows.append(("per-process attribution matches nvidia-smi within 5%", "FAIL", "nvidia-smi listed pid %d, the recording never attributed it" % w["pid"]))
    else:
        err = max(abs(v - w["smi_own_used"]) for v in procs) / w["smi_own_used"]
        rows.append(("per-process attribution matches nvidia-smi within 5%", "PASS" if err <= ATTRIBUTION else "FAIL",
                     "recording %s MiB vs nvidia-smi %d MiB (%.1f%%)" % (sorted({v // MiB for v in procs}), w["smi_own_used"] // MiB, err * 100)))
    trees = [g["tree"] for g in held if g.get("tree")]
    if seen:
        outs = [t.get("outside") for t in trees if t.get("src") == "nvidia-smi" and t.get("outside") is not None]
        rows.append(("engine: outside-allocator memory per process > 0", "PASS" if outs and max(outs) > 0 else "FAIL",
                     "nvidia-smi used - reserved: %s MiB" % sorted({o // MiB for o in outs})))
        rows.append(("engine: program's figures when nvidia-smi cannot see its pids", "SKIP", "nvidia-smi sees this program's pids here"))
    else:
        rows.append(("engine: outside-allocator memory per process > 0", "SKIP", "needs nvidia-smi's row for the pid"))
        client = [t["used"] for t in trees if t.get("src") == "client"]
        want_c = w["reserved_in_hold"]
        ok = bool(client) and all(abs(c - want_c) <= ATTRIBUTION * want_c for c in client)
        rows.append(("engine: program's figures when nvidia-smi cannot see its pids", "PASS" if ok else "FAIL",
                     "tree GPU (src client) %s MiB vs reserved %d MiB" % (sorted({c // MiB for c in client}), want_c // MiB)))
    gpu_peak = ((summary or {}).get("peak") or {}).get("gpu")
    rows.append(("the session's GPU series in the run summary", "PASS" if gpu_peak and gpu_peak > 0 else "FAIL",
                 "summary.json peak.gpu = %s MiB" % (gpu_peak and gpu_peak // MiB)))
    return rows


def table(rows, header):
    """The PASS/FAIL table as text, with the totals."""
    w = max(len(r[0]) for r in rows)
    lines = [header, "-" * len(header)]
    lines += ["%-4s  %-*s  %s" % (s, w, n, d) for n, s, d in rows]
    counts = {s: sum(1 for r in rows if r[1] == s) for s in ("PASS", "FAIL", "SKIP")}
    lines.append("%d passed, %d failed, %d skipped (a skip is not a pass)" % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    return "\n".join(lines)
