"""Allocates memory in steps, with a checkpoint after each: run it with
"Headroom: Run Python File with Headroom" and watch the CodeLens above each checkpoint.

HEADROOM_EXAMPLE_CYCLES sets how many times it repeats (default: 3).
"""
import os
import time

import headroom

STEP_MB = 200
cycles = int(os.environ.get("HEADROOM_EXAMPLE_CYCLES", "3"))
pause = float(os.environ.get("HEADROOM_EXAMPLE_PAUSE", "1.0"))

for cycle in range(cycles):
    headroom.checkpoint("cycle start")
    held = []
    held.append(b"a" * (STEP_MB << 20))
    headroom.checkpoint("after first 200 MB")
    time.sleep(pause)
    held.append(b"b" * (STEP_MB << 20))
    headroom.checkpoint("after second 200 MB")
    time.sleep(pause)
    with headroom.track("temporary 300 MB buffer"):
        scratch = bytearray(300 << 20)
        scratch[:: 4096] = b"x" * len(scratch[:: 4096])  # touch every page
        del scratch
    held.clear()
    headroom.checkpoint("released")
    time.sleep(pause)

print(headroom.status("done"))
