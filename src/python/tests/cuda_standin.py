"""A stand-in `torch` module for the CUDA paths of the client: no GPU exists where the tests run.

It exposes the torch.cuda calls the client makes, with torch 2.13's semantics: memory_stats()
flattens the nested dict of the caching allocator's counters the way torch's does (so its
cost is of the same kind), memory_allocated() and its siblings each build that dict again as
torch's do, reset_peak_memory_stats() sets each peak to its current value, mem_get_info()
sees the allocator's segments plus a CUDA context and other processes. The figures are those
of an H100 80GB (its total, a 527 MiB context, a 20 MiB segment rounding), not a recording.

    torch = StandInTorch(devices=2)
    torch.cuda.alloc(0, 300 * MiB); torch.cuda.free(0, 300 * MiB)
    with mock.patch.dict(sys.modules, {"torch": torch}): ...
"""
import collections
import sys
import types

MiB = 1024 * 1024
TOTAL = 85_520_809_984  # torch.cuda.get_device_properties(0).total_memory of an H100 80GB HBM3
CONTEXT = 527 * MiB  # what the CUDA context and cuBLAS take outside the allocator
SEGMENT = 20 * MiB  # the caching allocator reserves large blocks in segments of about this size
STATS = ("allocated", "allocated_bytes", "segment", "reserved_bytes", "active", "active_bytes", "inactive_split", "inactive_split_bytes", "requested_bytes")
POOLS = ("all", "large_pool", "small_pool")


class _Device:
    def __init__(self):
        self.cur = {s: 0 for s in STATS}
        self.peak = {s: 0 for s in STATS}
        self.num_alloc_retries = 0
        self.num_ooms = 0
        self.other_processes = 0  # bytes other programs hold on this GPU

    def set(self, stat, value):
        self.cur[stat] = value
        self.peak[stat] = max(self.peak[stat], value)


class StandInCuda:
    """torch.cuda's memory API over a simple caching-allocator model, counting the calls made."""

    def __init__(self, devices=1, initialized=True):
        self.devices = [_Device() for _ in range(devices)]
        self.initialized = initialized
        self.calls = collections.Counter()

    # what the workload does
    def alloc(self, i, nbytes):
        d = self.devices[i]
        allocated = d.cur["allocated_bytes"] + nbytes
        d.set("allocated_bytes", allocated)
        d.set("active_bytes", allocated)
        d.set("requested_bytes", allocated)
        d.set("allocated", d.cur["allocated"] + 1)
        if allocated > d.cur["reserved_bytes"]:
            reserved = -(-allocated // SEGMENT) * SEGMENT
            d.set("reserved_bytes", reserved)
            d.set("segment", reserved // SEGMENT)
        d.set("inactive_split_bytes", min(d.cur["inactive_split_bytes"], d.cur["reserved_bytes"] - allocated))

    def free(self, i, nbytes, split=0):
        """Frees `nbytes`; `split` of them stay as an inactive split block (fragmentation)."""
        d = self.devices[i]
        allocated = d.cur["allocated_bytes"] - nbytes
        d.set("allocated_bytes", allocated)
        d.set("active_bytes", allocated)
        d.set("requested_bytes", allocated)
        d.set("allocated", max(0, d.cur["allocated"] - 1))
        d.set("inactive_split_bytes", d.cur["inactive_split_bytes"] + split)

    def retry_and_oom(self, i, retries=1, ooms=1):
        self.devices[i].num_alloc_retries += retries
        self.devices[i].num_ooms += ooms

    # torch.cuda
    def is_initialized(self):
        return self.initialized

    def device_count(self):
        return len(self.devices)

    def get_device_properties(self, i):
        return types.SimpleNamespace(name="NVIDIA H100 80GB HBM3 (stand-in)", total_memory=TOTAL)

    def memory_stats_as_nested_dict(self, i=None):
        self.calls["memory_stats_as_nested_dict"] += 1
        return self._nested(i)

    def _nested(self, i):
        d = self.devices[i or 0]
        nested = {}
        for s in STATS:
            # The pools split as torch's do for large tensors: everything in the large pool.
            figures = {"current": d.cur[s], "peak": d.peak[s], "allocated": d.peak[s], "freed": d.peak[s] - d.cur[s]}
            nested[s] = {"all": dict(figures), "large_pool": dict(figures), "small_pool": {"current": 0, "peak": 0, "allocated": 0, "freed": 0}}
        for s in ("oversize_allocations", "oversize_segments"):
            nested[s] = {"current": 0, "peak": 0, "allocated": 0, "freed": 0}
        nested.update(num_alloc_retries=d.num_alloc_retries, num_ooms=d.num_ooms, max_split_size=-1, num_sync_all_streams=0,
                      num_device_alloc=d.cur["segment"], num_device_free=0)
        return nested

    def memory_stats(self, i=None):
        """torch 2.13's memory_stats(): the nested dict flattened to dotted keys, sorted."""
        self.calls["memory_stats"] += 1
        result = []

        def add(prefix, obj):
            if isinstance(obj, dict):
                if prefix:
                    prefix += "."
                for k, v in obj.items():
                    add(prefix + str(k), v)
            else:
                result.append((prefix, obj))

        add("", self._nested(i))
        result.sort()
        return collections.OrderedDict(result)

    def memory_allocated(self, i=None):
        return self.memory_stats(i).get("allocated_bytes.all.current", 0)

    def memory_reserved(self, i=None):
        return self.memory_stats(i).get("reserved_bytes.all.current", 0)

    def max_memory_allocated(self, i=None):
        return self.memory_stats(i).get("allocated_bytes.all.peak", 0)

    def max_memory_reserved(self, i=None):
        return self.memory_stats(i).get("reserved_bytes.all.peak", 0)

    def reset_peak_memory_stats(self, i=None):
        self.calls["reset_peak_memory_stats"] += 1
        d = self.devices[i or 0]
        d.peak = dict(d.cur)

    def mem_get_info(self, i=None):
        self.calls["mem_get_info"] += 1
        d = self.devices[i or 0]
        used = d.cur["reserved_bytes"] + CONTEXT + d.other_processes
        return TOTAL - used, TOTAL


class Without:
    """torch.cuda of an older or third-party torch: the stand-in less the calls named."""

    def __init__(self, cuda, *missing):
        self._c = cuda
        self.calls = cuda.calls
        for name in ("is_initialized", "device_count", "get_device_properties", "memory_allocated", "memory_reserved",
                     "max_memory_allocated", "max_memory_reserved", "reset_peak_memory_stats", "memory_stats",
                     "memory_stats_as_nested_dict", "mem_get_info"):
            if name not in missing:
                setattr(self, name, getattr(cuda, name))


class StandInTensor:
    """A CUDA tensor of `nbytes`: allocated when made, freed when the last reference goes, as torch's are."""

    def __init__(self, cuda, index, nbytes):
        self._cuda, self._index, self.nbytes = cuda, index, nbytes
        cuda.alloc(index, nbytes)

    def __del__(self):
        self._cuda.free(self._index, self.nbytes)


def StandInTorch(devices=1, initialized=True, cuda=None):
    """A module object standing in for `torch` with the given torch.cuda (no MPS). Enough of
    torch for bench/gpu_check_workload.py: torch.empty(n, dtype=torch.uint8, device="cuda:i")."""
    torch = types.ModuleType("torch")
    torch.__version__ = "2.13.0+standin"
    torch.cuda = c = cuda or StandInCuda(devices, initialized)
    torch.backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: False))
    torch.uint8 = "uint8"
    c.is_available = lambda: True
    c.synchronize = lambda device=None: None
    c.get_device_name = lambda i=0: c.get_device_properties(i).name

    def empty(n, dtype=None, device="cuda"):
        if dtype != torch.uint8:
            raise TypeError("the stand-in makes uint8 tensors only")
        index = int(device.partition(":")[2] or 0)
        return StandInTensor(c, index, n)

    torch.empty = empty
    return torch


def install(devices=1):
    """For a child interpreter: puts a stand-in torch in sys.modules and returns its torch.cuda."""
    torch = StandInTorch(devices)
    sys.modules["torch"] = torch
    return torch.cuda
