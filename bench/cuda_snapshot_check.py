"""CUDA allocation sites on a real GPU: the allocator's history started by the client, its
snapshot reduced in the program, the sites on this script's own lines with the sizes torch says.
The unit tests run the reduction on a hand-written stand-in (src/python/tests/fixtures/
cuda_snapshot_standin.json); this checks the live path and the layout assumptions (frames
innermost first, `frames` on blocks) against the real thing, and saves the real snapshot so it
can replace the stand-in. Needs an NVIDIA GPU and a CUDA torch in this interpreter.

    python bench/cuda_snapshot_check.py OUT      (or PYTHON=... bench/cuda_snapshot_check.sh OUT)

Exit 0 when every check passes, 1 when one fails, 2 when it cannot run here (no CUDA).
"""
import json
import os
import pickle
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src", "python"))
MB = 1 << 20


def main(out):
    try:
        import torch
    except ImportError:
        print("cuda_snapshot_check: cannot run: no torch", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("cuda_snapshot_check: cannot run: torch sees no CUDA device", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    os.environ["HEADROOM_LOG"] = os.path.join(out, "records.ndjson")
    import headroom
    from headroom import _alloc_cuda, protocol

    torch.zeros(1, device="cuda")  # CUDA initialised by the program, as the client requires
    failures = []
    check = lambda ok, what: ok or failures.append(what)
    state = _alloc_cuda.record_history()
    check(bool(state), "the allocator's history did not start")
    big = torch.empty(256 * MB, dtype=torch.uint8, device="cuda")  # SITE_BIG
    model = torch.nn.Sequential(torch.nn.Linear(4096, 4096), torch.nn.ReLU(), torch.nn.Linear(4096, 4096)).cuda()  # SITE_MODEL
    opt = torch.optim.Adam(model.parameters())
    loss = model(torch.randn(512, 4096, device="cuda")).sum()  # SITE_FORWARD
    loss.backward()
    opt.step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    r = headroom.cuda_allocations("after step", top=20, save=os.path.join(out, "snapshot.pickle"))
    took = time.perf_counter() - t0
    check(r is not None, "no record")
    src = open(__file__).read().splitlines()
    line = lambda tag: next(i for i, s in enumerate(src, 1) if s.endswith("# " + tag))
    by_line = {}
    for s in r["sites"]:
        if os.path.basename(s["file"]) == os.path.basename(__file__):
            by_line[s["line"]] = by_line.get(s["line"], 0) + s["size"]
    print("sites:", json.dumps(r["sites"][:8], indent=1))
    check(by_line.get(line("SITE_BIG"), 0) >= 256 * MB, "the 256 MB tensor is not on its line: %s" % by_line)
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    check(by_line.get(line("SITE_MODEL"), 0) >= params, "the model's parameters (%d B) are not on its line: %s" % (params, by_line))
    protocol.validate(dict(v=1, type="allocations", t=1.0, pid=1, seq=0, **r))
    check(len(json.dumps(r)) < 256 * 1024, "the record is over its bound")
    # The layout the reduction assumes: frames innermost first, a block's own `frames`.
    with open(os.path.join(out, "snapshot.pickle"), "rb") as f:
        snap = pickle.load(f)
    blocks = [b for seg in snap["segments"] for b in seg["blocks"] if b["state"] == "active_allocated"]
    check(any("frames" in b for b in blocks), "no block carries frames")
    py = [fr for b in blocks for fr in b.get("frames", []) if fr["filename"].endswith(".py")]
    check(bool(py), "no Python frames recorded")
    summary = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "reduce_s": took, "blocks": len(blocks), "sites": len(r["sites"]), "failures": failures}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "cuda-snapshot-out"))
