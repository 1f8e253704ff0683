"""Cobra's batch-processing MemoryManager (seed 001), name for name, built on Headroom.

    from headroom.compat.cobra import MemoryManager     # was: from batch_processing.memory import MemoryManager

    manager = MemoryManager(torch.device("cuda"), memory_threshold=0.8)
    for image_path in image_paths:
        result = process_image(image_path)
        manager.clear_cache()
        manager.trigger_gc_if_needed()

check_memory_usage() is the device's fullness, 0..1 (CUDA: reserved / total; MPS: driver
allocated / recommended maximum), and 0.0 on the CPU, on a device the program has not
initialised, or when it cannot be read. In a Headroom window each usage check and each
trigger_gc_if_needed() is also a checkpoint on its line (per-image growth shows in the
editor), and a triggered collection is a cleanup with what it freed. torch is not needed:
the device may be a torch.device or a string ("cuda", "cuda:1", "mps", "cpu").
"""
import logging
import numbers
from typing import Tuple

from .._cleanup import cleanup
from ..manager import clear_device_cache, device_usage, estimate_image_memory
from . import _report

__all__ = ["MemoryManager"]

logger = logging.getLogger(__name__)


def _parse_device(device):
    """(type, index or None) of a torch.device or a device string."""
    kind = getattr(device, "type", None)
    if isinstance(kind, str):
        return kind, getattr(device, "index", None)
    if isinstance(device, str) and device.strip():
        kind, _, index = device.strip().partition(":")
        if not index:
            return kind, None
        if index.isdigit():
            return kind, int(index)
    raise TypeError("device must be a torch.device or a string such as 'cuda', 'cuda:1', 'mps' or 'cpu', got %r" % (device,))


class MemoryManager:
    """Cache clearing, usage checks, garbage collection past a threshold, and image estimates
    for one device."""

    def __init__(self, device, memory_threshold: float = 0.8):
        self.device = device
        self.memory_threshold = memory_threshold
        if isinstance(memory_threshold, bool) or not isinstance(memory_threshold, (int, float)):
            raise TypeError("memory_threshold must be a number between 0 and 1, got %r" % (memory_threshold,))
        if not 0 < memory_threshold <= 1:
            raise ValueError("memory_threshold must be between 0 and 1, got %s" % (memory_threshold,))
        self._kind, self._index = _parse_device(device)
        logger.info("MemoryManager initialized for device: %s, threshold: %s", device, memory_threshold)

    def clear_cache(self) -> None:
        """Empties the CUDA or MPS allocator cache; nothing on the CPU."""
        clear_device_cache(self._kind, self._index)

    def check_memory_usage(self) -> float:
        """The device's memory in use, 0..1; 0.0 on the CPU or when it cannot be read."""
        _report.checkpoint()
        return self._usage()

    def _usage(self):
        if self._kind not in ("cuda", "mps"):
            return 0.0
        usage = device_usage(self._kind, self._index)
        return 0.0 if usage is None else usage

    def trigger_gc_if_needed(self) -> None:
        """Collects garbage and empties the device caches when usage is at the threshold or above."""
        _report.checkpoint()
        usage = self._usage()
        if usage < self.memory_threshold:
            logger.debug("Memory usage (%.2f%%) below threshold (%.2f%%)", usage * 100, self.memory_threshold * 100)
            return
        logger.info("Memory usage (%.2f%%) exceeds threshold (%.2f%%), triggering GC", usage * 100, self.memory_threshold * 100)
        cleanup(reason="%s memory usage %.0f%% >= threshold %.0f%%" % (self._kind, usage * 100, self.memory_threshold * 100))
        logger.info("Memory usage after GC: %.2f%%", self._usage() * 100)

    def estimate_memory_required(self, image_size: Tuple[int, int]) -> int:
        """Bytes to process one image of (width, height): the RGB float32 input, four
        references, the latent and its activations, times 1.5 (1024x1024: about 91 MB)."""
        try:
            width, height = image_size
            valid = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0 for v in (width, height))
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError("image_size must be (width, height) in pixels, two non-negative integers, got %r" % (image_size,))
        return estimate_image_memory((width, height))
