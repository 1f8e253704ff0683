"""Fills GPU 0 with PyTorch until it runs out of memory (bench/cuda_oom_check.py runs it under
`headroom run`). argv[1]: `oom` (1 GiB blocks inside a tracked block until OutOfMemoryError,
left uncaught) or `guard` (to 80% at once, then 512 MiB every 0.25 s, stopping cleanly on KeyboardInterrupt);
argv[2]: the file the KeyboardInterrupt handler writes."""
import sys
import time

import torch

import headroom

mode, saved = sys.argv[1], sys.argv[2]
blocks = []
headroom.checkpoint("cuda ready")
if mode == "oom":
    # Odd sizes first, half of them freed: the allocator's cache is left fragmented.
    for i in range(8):
        blocks.append(torch.empty(96 << 20, dtype=torch.uint8, device="cuda"))
    del blocks[::2]
    headroom.checkpoint("fragmented")
    with headroom.track("fill"):
        while True:
            blocks.append(torch.empty(1 << 30, dtype=torch.uint8, device="cuda"))  # the allocating line
else:
    free, total = torch.cuda.mem_get_info(0)
    try:
        # Quickly to 80% of the GPU, then 512 MiB every 0.25 s: the guard (95%) has seconds to act.
        while torch.cuda.mem_get_info(0)[0] > 0.2 * total:
            blocks.append(torch.ones(1 << 30, dtype=torch.uint8, device="cuda"))
        while True:
            blocks.append(torch.ones(512 << 20, dtype=torch.uint8, device="cuda"))
            headroom.checkpoint("block %d" % len(blocks))
            time.sleep(0.25)
    except KeyboardInterrupt:
        with open(saved, "w") as f:
            f.write("saved with %d blocks\n" % len(blocks))
        sys.exit(0)
