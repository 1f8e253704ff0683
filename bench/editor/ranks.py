"""Eight ranks of one launch, as torchrun would start them: a launcher process and N children
with RANK/WORLD_SIZE/LOCAL_RANK set, each growing and freeing real memory (bytearrays) and
reporting a checkpoint every 100 ms through the Headroom client (HEADROOM_ADDR/HEADROOM_TOKEN
and PYTHONPATH come from the window). The window adopts the ranks into one session rooted at
the launcher and samples the whole tree.

    python3 ranks.py [ranks=8] [seconds=10]
"""

import os
import subprocess
import sys
import time

MB = 1024 * 1024


def rank_main(rank: int, seconds: float) -> None:
    import headroom

    held = []
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        # Grow to ~64 MB, then free it all: a saw the sampler sees at every tick.
        if len(held) < 16:
            held.append(bytearray(4 * MB))
            held[-1][:: 4096] = b"x" * len(held[-1][:: 4096])
        else:
            held.clear()
        headroom.checkpoint(f"rank {rank} step {step % 10}")
        step += 1
        time.sleep(0.1)
    headroom.flush()


def launcher_main(ranks: int, seconds: float) -> int:
    children = []
    for r in range(ranks):
        env = dict(os.environ, RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE=str(ranks), LOCAL_WORLD_SIZE=str(ranks))
        children.append(subprocess.Popen([sys.executable, __file__, "--rank", str(r), str(seconds)], env=env))
    return max(c.wait() for c in children)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--rank":
        rank_main(int(sys.argv[2]), float(sys.argv[3]))
    else:
        n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
        secs = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
        sys.exit(launcher_main(n, secs))
