"""Who a notebook cell is, from inside the kernel (docs/protocol.md, "Notebook cells").

Three handles reach the kernel, each reliable in a different way, so a cell run carries all
of them and the editor tries them in order:

- the front end's cell id: `metadata.cellId` of the execute_request (VS Code sends the cell
  document's `vscode-notebook-cell:` URI, JupyterLab the nbformat cell id); IPython passes it
  on as `ExecutionInfo.cell_id`. Stable across edits and re-runs while the notebook is open.
- a hash of the source: the editor can compute it from a cell's text, so it survives a
  reload of the notebook (new URIs) as long as the text is unchanged.
- the file the code was compiled as (ipykernel: `<tmp>/ipykernel_<pid>/<murmur2 of source>.py`):
  what `co_filename` says in every frame of the cell, so checkpoints inside the cell, and
  inside functions defined in it, point back to it.

Nothing here imports IPython; the shell and its objects are passed in.
"""
import hashlib

from . import _diagnostics

PREVIEW_CHARS = 60
MAX_ID_CHARS = 1000
# How far back the compiler's name table is searched for this run's name; a re-run of an old
# source keeps its old place in the table, so this bounds the cost, not the answer's age.
_SCAN = 4096


def source_hash(source):
    """The first 16 hex digits of SHA-256 of the cell's source as the kernel received it (UTF-8)."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def preview(source):
    """The first non-blank line, stripped, control characters as spaces, at most 60 characters
    (cut ones end in an ellipsis). Untrusted text: the editor shows it as plain text."""
    for line in source.splitlines():
        line = line.strip()
        if line:
            break
    else:
        return ""
    if len(line) > PREVIEW_CHARS:
        line = line[:PREVIEW_CHARS - 1] + "\u2026"
    if not line.isprintable():
        line = "".join(ch if ch.isprintable() else " " for ch in line)
    return line


def frontend_cell_id(info, shell):
    """The execute_request's `metadata.cellId`, or None: IPython's ExecutionInfo carries it
    (as IPython 8 does; None for a run started from code, such as %rerun inside a cell); with an older
    IPython, the kernel's current request says it."""
    if hasattr(info, "cell_id"):
        cid = info.cell_id
    else:
        get_parent = getattr(shell, "get_parent", None)  # ipykernel's ZMQInteractiveShell
        parent = (get_parent() if get_parent is not None else None) or {}
        cid = (parent.get("metadata") or {}).get("cellId")
    if isinstance(cid, str) and cid:
        return cid[:MAX_ID_CHARS]
    return None


def compiled_name(compiler, number):
    """The file name the cell numbered `number` was compiled as, or None when it never got
    one (its input transformation failed).

    IPython's CachingCompiler records every name it made with the execution count it was made
    for (`_filename_map`), and a re-run source keeps its entry, with the count updated. The
    newest entry with this count is the run's: computing the name instead would mean hashing
    the source again with ipykernel's pure-Python murmur2 (about 0.15 ms per kB).
    """
    table = getattr(compiler, "_filename_map", None)
    if not table:
        return None
    for i, (name, n) in enumerate(reversed(table.items())):
        if n == number:
            return name
        if i >= _SCAN:
            break
    return None


def describe_error(result):
    """`ZeroDivisionError: division by zero` for a run that raised (in execution, or before it:
    a syntax error), else None. Capped: an exception's text can be any size."""
    e = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if e is None:
        return None
    try:
        message = str(e)
    except Exception as err:  # an exception's own __str__ can raise
        _diagnostics.note("cell-error-text", err)
        message = ""
    text = "%s: %s" % (type(e).__name__, message) if message else type(e).__name__
    return text if len(text) <= 500 else text[:499] + "\u2026"
