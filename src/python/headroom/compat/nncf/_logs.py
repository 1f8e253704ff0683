"""The memory monitor's files: the .txt log (NNCF's format, read back for plotting) and the
plot, a PNG through matplotlib when it is installed, else an SVG written here."""
from pathlib import Path

from . import _svg

EMPTY = "No measurements recorded.\nPlease make sure logging duration or interval were enough."


def write_log(path, time_values, memory_values, unit):
    """`<time> <memory>` per line, then `Total time: ...` and `Max memory: ... (<unit>)`.
    Returns False (and writes EMPTY) when there are no measurements."""
    with open(path, "w") as f:
        if len(time_values) == 0:
            f.write(EMPTY)
            return False
        for t, v in zip(time_values, memory_values):
            f.write("%s %.3f\n" % (t, v))
        f.writelines(["Total time: %s\n" % (time_values[-1] - time_values[0]), "Max memory: %.3f (%s)" % (max(memory_values), unit)])
    return True


def read_log(path):
    """(times, values) from a log that write_log wrote; ValueError naming the line otherwise."""
    with open(path) as f:
        lines = f.readlines()
    times, values = [], []
    for n, line in enumerate(lines[:-2], 1):
        try:
            t, v = map(float, line.split(" "))
        except ValueError:
            raise ValueError("%s:%d is not a memory log line (`<seconds> <memory>`): %r" % (path, n, line.strip())) from None
        times.append(t)
        values.append(v)
    if not times:
        raise ValueError("%s holds no measurements to plot" % (path,))
    return times, values


def plot(log_path, filename_suffix, title, xlabel, ylabel):
    """Plots a log next to it (<log stem><suffix>.png, or .svg without matplotlib); returns the path."""
    times, values = read_log(log_path)
    stem = str(Path(log_path).with_suffix("")) + filename_suffix
    figure = _matplotlib_figure()
    if figure is None:
        path = stem + ".svg"
        with open(path, "w", encoding="utf-8") as f:
            f.write(_svg.line_chart(times, values, title, xlabel, ylabel))
        return path
    # The object API, not pyplot: no backend switch, no window, nothing left in pyplot's state.
    fig = figure(figsize=(10, 6))
    ax = fig.subplots()
    ax.plot(times, values)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True)
    fig.tight_layout()
    path = stem + ".png"
    fig.savefig(path)
    return path


def _matplotlib_figure():
    try:
        from matplotlib.figure import Figure  # optional: PNG plots like NNCF's when installed
    except ImportError:
        return None
    return Figure
