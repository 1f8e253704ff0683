"""Sizes, durations and percentages as the editor and the CLI print them.

A line-for-line mirror of src/shared/format.ts (formatBytes, formatPair, formatDuration,
formatPercent): the client's printed lines must show the same figure as the status bar and
the table for the same bytes. test/fixtures/format/vectors.json holds the strings both
languages must produce; docs/formatting.md states the rules. Standard library only, and it
imports nothing of headroom's, so any module may use it.
"""
import math
import numbers
import re

_STEPS = {
    "GB": (1000, ("B", "kB", "MB", "GB", "TB")),
    "GiB": (1024, ("B", "KiB", "MiB", "GiB", "TiB")),
}

_DECIMAL = re.compile(r"^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$")


def _steps(units):
    try:
        return _STEPS[units]
    except (KeyError, TypeError):
        raise ValueError('units must be "GB" or "GiB", not %r' % (units,)) from None


def _number(x):
    """x as a float when it is a finite real number (not a bool), else None."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):  # numpy scalars register as Real
        return None
    try:
        f = float(x)
    except (OverflowError, ValueError, TypeError):
        return None
    return f if math.isfinite(f) else None


def round_decimal(x, digits):
    """The digits of the integer nearest to x*10**digits (x >= 0, finite), ties away from zero,
    taken on x's shortest decimal form (repr; JavaScript's String(x) gives the same digits).
    Rounding the decimal rather than the binary double is what makes 1.005 round up here and
    in TypeScript alike; Python's % format and JavaScript's toFixed disagree on ties."""
    m = _DECIMAL.match(repr(float(x)))
    if m is None:
        raise ValueError("round_decimal needs a finite number >= 0, not %r" % (x,))
    all_digits = m.group(1) + (m.group(2) or "")
    point = len(m.group(1)) + int(m.group(3) or 0) + digits
    if point <= 0:
        whole = ""
    elif point >= len(all_digits):
        whole = all_digits + "0" * (point - len(all_digits))
    else:
        whole = all_digits[:point]
    nxt = 0 if point < 0 or point >= len(all_digits) else int(all_digits[point])
    if nxt >= 5:
        whole = str(int(whole or "0") + 1)
    whole = whole.lstrip("0")
    return whole or "0"


def _fixed(n, digits):
    """The integer digit string n read as n*10**-digits: _fixed('1205', 2) is '12.05'."""
    if digits == 0:
        return n
    padded = n.rjust(digits + 1, "0")
    return "%s.%s" % (padded[:-digits], padded[-digits:])


def format_bytes(value, units="GB", signed=False):
    """'1.20 GB', '800 MB', '-35.2 MB'; with signed, a leading + for positive values; '?' when
    not a finite number. Three significant digits (two decimals below 10, one below 100, none
    from 100), rounded as round_decimal does; a value that rounds up to the next step is written
    in that step (999.6 MB is '1.00 GB', 99.96 MB is '100 MB'). Zero has no sign."""
    base, names = _steps(units)
    b = _number(value)
    if b is None:
        return "?"
    a = abs(b)
    i = 0
    while i < len(names) - 1 and a >= base ** (i + 1):
        i += 1
    while True:
        v = a / base ** i
        d = 0 if i == 0 or v >= 100 else 1 if v >= 10 else 2
        n = round_decimal(v, d)
        # 9.996 rounds to 10.00 and 99.96 to 100.0: one digit fewer keeps three significant ones.
        while d > 0 and int(n) >= 1000:
            d -= 1
            n = round_decimal(v, d)
        if d == 0 and int(n) >= base and i < len(names) - 1:
            i += 1
            continue
        sign = "" if n == "0" else "-" if b < 0 else "+" if signed else ""
        return "%s%s %s" % (sign, _fixed(n, d), names[i])


def format_pair(used, total, units="GB"):
    """'11.8/80 GB': both in the unit of the larger (total). One decimal, dropped from a whole
    number of 10 or more ('80', '3.0'); none from 100. '?' without a total to choose the unit
    by, '?/80 GB' without a used figure."""
    base, names = _steps(units)
    tot = _number(total)
    if tot is None:
        return "?"
    t = abs(tot)
    i = 0
    while i < len(names) - 1 and t >= base ** (i + 1):
        i += 1
    if i < len(names) - 1 and int(round_decimal(t / base ** i, 0)) >= base:
        i += 1

    def part(x):
        x = _number(x)
        if x is None:
            return "?"
        v = abs(x) / base ** i
        d = 0 if i == 0 or v >= 100 else 1
        n = round_decimal(v, d)
        if d == 1 and int(n) >= 1000:
            d = 0
            n = round_decimal(v, d)
        s = n[:-1] if d == 1 and int(n) >= 100 and n.endswith("0") else _fixed(n, d)
        return ("-" if x < 0 and n != "0" else "") + s

    return "%s/%s %s" % (part(used), part(total), names[i])


def format_duration(seconds):
    """'250 ms' below a second, '12.34 s' below a minute, then '2 min 5 s'; rounded as
    round_decimal does, and written in the next unit when rounding reaches it (0.9996 s is
    '1.00 s', 59.996 s is '1 min 0 s'). '?' when not a finite number."""
    s = _number(seconds)
    if s is None:
        return "?"
    a = abs(s)
    sign = "-" if s < 0 else ""
    ms = round_decimal(a, 3)
    if int(ms) < 1000:
        return "0 ms" if ms == "0" else "%s%s ms" % (sign, ms)
    cs = round_decimal(a, 2)
    if int(cs) < 6000:
        return "%s%s s" % (sign, _fixed(cs, 2))
    whole = int(round_decimal(a, 0))
    m = whole // 60
    return "%s%d min %d s" % (sign, m, whole - m * 60)


def format_percent(percent):
    """'80%' for 80.4 (a percentage, not a fraction): whole percent, rounded as round_decimal does."""
    p = _number(percent)
    if p is None:
        return "?"
    n = round_decimal(abs(p), 0)
    return "%s%s%%" % ("-" if p < 0 and n != "0" else "", n)
