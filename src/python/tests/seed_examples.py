"""The seed documents' Python examples, ready to run against headroom.compat: extraction, the
one-line import change, the stand-ins and calls that complete them, and what each reports."""
import ast
import os
import re

from .helpers import PY_ROOT, REPO

SEEDS_DIR = os.path.join(REPO, "test", "fixtures", "seeds")
STANDINS = os.path.join(PY_ROOT, "tests", "compat_standins")

# Seed document -> (the compat module, the module the document imports).
SEEDS = {
    "000": ("headroom.compat.vlm", "src.testing.utils.memory_monitor"),
    "001": ("headroom.compat.cobra", "batch_processing.memory"),
    "002": ("headroom.compat.training", "src.utils.memory_monitor"),
    "003": ("headroom.compat.nncf", "memory_monitor"),
}
# How many ```python blocks each document holds: a block lost by the extraction fails here.
BLOCKS = {"000": 17, "001": 3, "002": 9, "003": 2, "004": 0}

# Seed 003's arrays are this many times smaller in the test (see program()).
SEED_003_SHRINK = 8

# Functions an example defines but never calls, and the call that runs them (stand-in arguments).
CALLS = {
    "test_model_performance": "test_model_performance()",
    "switch_models": 'switch_models("tiny")',
    "process_large_batch": "process_large_batch(list(range(3)))",
    "process_batch": "process_batch(image_paths, device)",
    "_train_epoch": "_train_epoch(trainer)",
}

# A call in an example -> the records it must produce.
REGION = {"region_start", "region_end"}
CALL_RECORDS = [
    (r"\.memory_safe_operation\(", REGION),
    (r"\.force_cleanup\(", {"cleanup_result"}),
    (r"\.(print_memory_status|get_memory_gb|get_memory_info|check_memory_pressure)\(", {"checkpoint"}),
    (r"\.(check_memory_usage|trigger_gc_if_needed)\(", {"checkpoint"}),
    (r"\.(print_memory_usage|get_cpu_memory_mb|get_gpu_memory_mb)\(", {"checkpoint"}),
    (r"\b(tracker\.record|profiler\.checkpoint)\(", {"checkpoint"}),
    (r"\.on_epoch_start\(", {"epoch_start"}),
    (r"\.on_batch_end\(", {"batch_end"}),
    (r"\.on_epoch_end\(", {"epoch_end"}),
    (r"@monitor_memory\(", {"call"}),
    (r"\b(track_memory|memory_monitor_context)\(", REGION),
    (r"\.start\(at_exit_fn=", REGION),
]


def seed_files():
    """{seed number: path} of the fixture copies."""
    return {name[:3]: os.path.join(SEEDS_DIR, name) for name in sorted(os.listdir(SEEDS_DIR)) if name.endswith(".txt")}


def python_blocks(text):
    """The bodies of the ```python blocks of a Markdown document, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def documented_output(text):
    """Lines a document shows as printed: `# Output: ...` comments and a plain ``` block
    after an "Example Output" heading."""
    lines = re.findall(r"^\s*# Output: (.+)$", text, re.M)
    m = re.search(r"^#+ Example Output\s*\n+```\n(.*?)^```", text, re.S | re.M)
    if m:
        lines += [line for line in m.group(1).splitlines() if line.strip()]
    return lines


def shape(documented):
    """A regex for a documented line with its numbers free (same decimals): `2.45GB` -> `\\d+\\.\\d{2}GB`."""
    out, pos = "", 0
    for m in re.finditer(r"\d+(?:\.(\d+))?", documented):
        out += re.escape(documented[pos:m.start()]) + r"[-+]?\d+" + (r"\.\d{%d}" % len(m.group(1)) if m.group(1) else "")
        pos = m.end()
    return re.compile("^" + out + re.escape(documented[pos:]) + "$")


def rewrite_import(code, original, module):
    """The example with `from <original> import` made `from <module> import`; nothing else changes."""
    return re.sub(r"^(\s*from )%s( import )" % re.escape(original), r"\g<1>%s\g<2>" % module, code, flags=re.M)


def uncalled_functions(code):
    """Top-level functions the example defines and never uses (calls, or passes on)."""
    tree = ast.parse(code)
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return [name for name in defined if name not in used]


# Where an example's call runs only under a condition the test machine does not meet.
CONDITIONAL = {("000", 5): {"cleanup_result"}}  # force_cleanup() only under memory pressure (12 GB)


def expected_records(code, key=None):
    """The record types the example's calls must produce."""
    out = set()
    for pattern, types in CALL_RECORDS:
        if re.search(pattern, code):
            out |= types
    return out - CONDITIONAL.get(key, set())


def program(seed, code):
    """The script that runs one example: the names the document assumes imported, the
    stand-ins, the example (import line changed), then calls to what it only defines."""
    module, original = SEEDS[seed]
    head = ["from %s import *" % module, "from seed_standins import *"]
    if seed == "002":
        head.append("trainer.memory_monitor = EpochMemoryMonitor(enabled=True, verbose_batches=5)")
    if seed == "003":
        # The examples hold ten 256 MiB arrays and sleep 11 s in all: they run at an eighth of
        # the size and a twentieth of the time (their text unchanged), the same shape.
        head += [
            "import time as _time, numpy as _np",
            "_sleep, _random = _time.sleep, _np.random.random",
            "_time.sleep = lambda s: _sleep(s / 20)",
            "_np.random.random = lambda size=None: _random(tuple(max(1, d // %d) for d in size) if isinstance(size, tuple) else size)" % SEED_003_SHRINK,
        ]
    if re.search(r"\btorch\.", code) and not re.search(r"^\s*import torch", code, re.M):
        head.append("import torch")
    tail = [CALLS[name] for name in uncalled_functions(code)]
    if re.search(r"^max_memory_usage\b", code, re.M):  # seed 003 reads the context's result: show it
        tail.append('print("max_memory_usage", repr(max_memory_usage))')
    return "\n".join(head) + "\n\n" + rewrite_import(code, original, module) + "\n\n" + "\n".join(tail) + "\n"
