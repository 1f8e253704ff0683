import json
import math
import os
import unittest

from headroom import _format

from .helpers import REPO

with open(os.path.join(REPO, "test", "fixtures", "format", "vectors.json"), encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

# JSON has no NaN or infinities: the vectors spell them as strings.
SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
FUNCTIONS = {
    "bytes": _format.format_bytes,
    "pair": _format.format_pair,
    "duration": _format.format_duration,
    "percent": _format.format_percent,
}


def _arg(x):
    return SPECIAL.get(x, x) if isinstance(x, str) else x


class FormatVectors(unittest.TestCase):
    """The shared vectors through the Python formatter (src/shared/format.test.ts runs them in TypeScript)."""

    def test_every_vector(self):
        for fn in FUNCTIONS:
            self.assertGreaterEqual(len([v for v in VECTORS if v["fn"] == fn]), 8, fn)
        for v in VECTORS:
            args = [_arg(a) for a in v["args"]]
            with self.subTest(fn=v["fn"], args=v["args"]):
                if "error" in v:
                    with self.assertRaisesRegex(ValueError, v["error"]):
                        FUNCTIONS[v["fn"]](*args)
                else:
                    self.assertEqual(FUNCTIONS[v["fn"]](*args), v["out"], v.get("why"))

    def test_rounds_the_decimal_where_percent_format_rounds_the_double(self):
        self.assertEqual("%.2f" % 1.005, "1.00", "the premise: 1.005 is stored as 1.00499...")
        self.assertEqual("%.0f" % 754.5, "754", "and % rounds ties to even")
        self.assertEqual(_format.round_decimal(1.005, 2), "101")
        self.assertEqual(_format.round_decimal(754.5, 0), "755")
        self.assertEqual(_format.round_decimal(1e-7, 3), "0")
        self.assertEqual(_format.round_decimal(1.5e21, 0), "1500000000000000000000")
        with self.assertRaisesRegex(ValueError, "finite number >= 0"):
            _format.round_decimal(-1, 0)

    def test_python_numbers_the_vectors_cannot_spell(self):
        self.assertEqual(_format.format_bytes(10 ** 9), "1.00 GB", "an int")
        self.assertEqual(_format.format_bytes(10 ** 400), "?", "an int too large for a float")
        self.assertEqual(_format.format_bytes(1j), "?", "a complex number is not a size")
        from fractions import Fraction

        self.assertEqual(_format.format_bytes(Fraction(2005, 2)), "1.00 kB", "a Real that is not a float")

    def test_a_leaf_every_module_may_import(self):
        from .test_structure import import_graph

        self.assertEqual(import_graph()["headroom._format"], set())
