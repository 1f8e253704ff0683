"""A line chart as a standalone SVG document: the memory plot when matplotlib is not installed."""
import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 1000, 600  # matplotlib's figsize=(10, 6) at 100 dpi
LEFT, RIGHT, TOP, BOTTOM = 90, 30, 50, 60


def nice_ticks(lo, hi, count=6):
    """Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten."""
    lo = lo if math.isfinite(lo) else 0.0
    if not math.isfinite(hi) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = [first]
    while ticks[-1] < hi - step * 1e-9 or len(ticks) < 2:  # the last tick at or above hi
        ticks.append(round(first + len(ticks) * step, 12))
    return ticks


def _label(v):
    return ("%.0f" % v) if abs(v - round(v)) < 1e-9 else ("%g" % v)


def _envelope(xs, ys, columns):
    """At most two points per pixel column (its min and max, in time order): a long run
    keeps its spikes without writing every sample."""
    if len(xs) <= 2 * columns:
        return list(zip(xs, ys))
    t0, span = xs[0], (xs[-1] - xs[0]) or 1.0
    out, bucket, current = [], [], None
    for x, y in zip(xs, ys):
        col = int((x - t0) / span * (columns - 1))
        if col != current and bucket:
            out.extend(_min_max(bucket))
            bucket = []
        current = col
        bucket.append((x, y))
    out.extend(_min_max(bucket))
    return out


def _min_max(bucket):
    lo = min(bucket, key=lambda p: p[1])
    hi = max(bucket, key=lambda p: p[1])
    return sorted({lo, hi})


def line_chart(xs, ys, title, xlabel, ylabel):
    """The SVG text of ys over xs with a title, axis labels, ticks and a grid."""
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xt = nice_ticks(min(xs, default=0.0), max(xs, default=1.0))
    yt = nice_ticks(min(min(ys, default=0.0), 0.0), max(ys, default=1.0))
    sx = lambda x: LEFT + (x - xt[0]) / (xt[-1] - xt[0]) * w
    sy = lambda y: TOP + h - (y - yt[0]) / (yt[-1] - yt[0]) * h
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="30" text-anchor="middle" font-size="16">%s</text>' % (LEFT + w // 2, escape(title)),
    ]
    for v in yt:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (LEFT, LEFT + w, sy(v), sy(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (LEFT - 8, sy(v) + 4, _label(v)))
    for v in xt:
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (sx(v), sx(v), TOP, TOP + h))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (sx(v), TOP + h + 20, _label(v)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (LEFT, TOP, w, h))
    out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (LEFT + w // 2, HEIGHT - 15, escape(xlabel)))
    out.append('<text transform="translate(22 %d) rotate(-90)" text-anchor="middle">%s</text>' % (TOP + h // 2, escape(ylabel)))
    points = " ".join("%.1f,%.1f" % (sx(x), sy(y)) for x, y in _envelope(list(xs), list(ys), w))
    out.append('<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="%s"/>' % points)
    out.append("</svg>\n")
    return "\n".join(out)
