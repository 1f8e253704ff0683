"""Device memory management for batch jobs (seed 001), estimates, and leak checks."""
import gc
import sys

from . import _devices, _diagnostics, _procmem
from ._cleanup import cleanup
from ._format import format_bytes


class MemoryManager:
    """Watches one device ("cuda", "cuda:1", "mps", "cpu" or a torch.device).

    check_memory_usage(): fraction 0..1 of the device's memory in use (cuda: reserved /
    total; mps: driver allocated / recommended maximum; cpu: the cgroup limit or the system).
    """

    def __init__(self, device="cpu", memory_threshold=0.8):
        if not 0 < memory_threshold <= 1:
            raise ValueError("memory_threshold must be between 0 and 1, got %r" % (memory_threshold,))
        d = str(device)
        self.kind, _, idx = d.partition(":")
        self.index = int(idx) if idx else 0
        self.memory_threshold = memory_threshold

    def clear_cache(self):
        clear_device_cache(self.kind, self.index)

    def check_memory_usage(self):
        usage = device_usage(self.kind, self.index)
        if usage is not None:
            return usage
        cg = _procmem.cgroup_limit()
        if cg:
            return cg[1] / cg[0]
        s = _procmem.system_memory()
        return (s["percent"] / 100.0) if s and s.get("percent") is not None else 0.0

    def trigger_gc_if_needed(self):
        """Collects garbage (and clears the device cache) when usage is past the threshold."""
        if self.check_memory_usage() <= self.memory_threshold:
            return False
        gc.collect()
        self.clear_cache()
        return True

    def estimate_memory_required(self, image_size, **kw):
        return estimate_image_memory(image_size, **kw)


def _cuda_index(torch, index):
    return torch.cuda.current_device() if index is None else index


def device_usage(kind, index=None):
    """Fraction 0..1 of a GPU's memory in use (cuda: reserved / total; mps: driver allocated /
    recommended maximum), or None when the program does not use that device (CUDA not
    initialised, no MPS) or it cannot be read. `index` None: the current CUDA device."""
    torch = sys.modules.get("torch")
    try:
        if kind == "cuda" and _devices.cuda_ready(torch):
            i = _cuda_index(torch, index)
            return torch.cuda.memory_reserved(i) / torch.cuda.get_device_properties(i).total_memory
        if kind == "mps" and _devices.mps_ready(torch):
            limit = torch.mps.recommended_max_memory()
            return torch.mps.driver_allocated_memory() / limit if limit else None
    except Exception as e:
        _diagnostics.note("device-usage", e)
    return None


def clear_device_cache(kind, index=None):
    """Empties one device's allocator cache, if the program uses that device (else nothing)."""
    torch = sys.modules.get("torch")
    if kind == "cuda" and _devices.cuda_ready(torch):
        with torch.cuda.device(_cuda_index(torch, index)):
            torch.cuda.empty_cache()
    elif kind == "mps" and _devices.mps_ready(torch):
        torch.mps.empty_cache()


def estimate_image_memory(image_size, channels=3, bytes_per_value=4, references=4, latent_downsample=8, latent_channels=4, activation_factor=2, overhead=1.5):
    """Bytes to process one image of (width, height): the input, its reference images, a
    latent, activations (`activation_factor` latents), and an overhead factor for
    intermediates (seed 001's figures: 512x512 -> about 23 MB, 2048x2048 -> about 365 MB)."""
    w, h = image_size
    pixels = int(w) * int(h)
    image = pixels * channels * bytes_per_value
    latent = (pixels // (latent_downsample * latent_downsample)) * latent_channels * bytes_per_value
    return int((image * (1 + references) + latent * (1 + activation_factor)) * overhead)


def suggest_batch_size(per_item_bytes, fixed_bytes=0, budget_fraction=0.85, device="cpu"):
    """Largest batch that fits: (budget - fixed) // per_item, where the budget is a fraction
    of what is free on the device (cuda: total - reserved; cpu: cgroup limit or available)."""
    if per_item_bytes <= 0:
        raise ValueError("per_item_bytes must be positive")
    free = None
    torch = sys.modules.get("torch")
    kind, _, idx = str(device).partition(":")
    if kind == "cuda" and _devices.cuda_ready(torch):
        i = int(idx or 0)
        free = torch.cuda.get_device_properties(i).total_memory - torch.cuda.memory_reserved(i)
    if free is None:
        cg = _procmem.cgroup_limit()
        s = _procmem.system_memory() or {}
        free = (cg[0] - cg[1]) if cg else (s.get("available") or 0)
    return max(0, int((free * budget_fraction - fixed_bytes) // per_item_bytes))


class LeakReport:
    def __init__(self, samples, slope, r2, threshold):
        self.samples = samples  # RSS after each iteration, bytes
        self.bytes_per_iteration = slope
        self.r2 = r2
        self.leaking = slope > threshold and r2 > 0.8

    def __repr__(self):
        return "LeakReport(%s: %s/iteration, r2=%.2f)" % ("leaking" if self.leaking else "stable", format_bytes(self.bytes_per_iteration, signed=True), self.r2)


def leak_check(fn, iterations=20, warmup=3, threshold_bytes=64 * 1024, collect=True):
    """Calls fn repeatedly and fits RSS growth per call; `leaking` when it keeps growing."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        fn()
        if collect:
            cleanup(reason="leak_check")
        samples.append(_procmem.rss_vms()[0])
    n = len(samples)
    xs = range(n)
    mx = (n - 1) / 2.0
    my = sum(samples) / n
    sxx = sum((x - mx) ** 2 for x in xs) or 1.0
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, samples))
    slope = sxy / sxx
    ss_tot = sum((y - my) ** 2 for y in samples)
    ss_res = sum((y - (my + slope * (x - mx))) ** 2 for x, y in zip(xs, samples))
    r2 = 1 - ss_res / ss_tot if ss_tot else 0.0
    return LeakReport(samples, slope, r2, threshold_bytes)
