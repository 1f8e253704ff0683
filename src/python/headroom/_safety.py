"""safe_operation: a block that cleans up before it runs under pressure and after it grows."""
from ._cleanup import cleanup
from ._format import format_bytes
from ._status import GB, pressure
from ._tracking import region_line, track


class safe_operation:
    """Seed 000's memory-safe operation: cleans up first when under pressure, measures the
    block as a region, and cleans up afterwards when it grew by more than `cleanup_gb`."""

    def __init__(self, name, threshold_gb=12.0, cleanup_gb=2.0, verbose=True):
        self.name, self.threshold_gb, self.cleanup_gb, self.verbose = name, threshold_gb, cleanup_gb, verbose
        self.before_cleanup = self.after_cleanup = None
        self._track = track(name)

    def __enter__(self):
        if pressure(threshold_gb=self.threshold_gb):
            self.before_cleanup = cleanup(reason="before %s: under pressure" % self.name)
        self.region = self._track.__enter__()
        return self

    def __exit__(self, *exc):
        self._track.__exit__(*exc)
        r = self.region
        if r.delta > self.cleanup_gb * GB:
            self.after_cleanup = cleanup(reason="after %s: grew %s" % (self.name, format_bytes(r.delta)))
        if self.verbose:
            print(region_line(self.name, r) + (", cleaned up" if self.after_cleanup else ""), flush=True)
        return False


memory_safe_operation = safe_operation
