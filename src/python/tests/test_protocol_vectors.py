import json
import os
import unittest

from headroom import protocol

from .helpers import REPO

with open(os.path.join(REPO, "test", "fixtures", "protocol", "vectors.json"), encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


class ProtocolVectors(unittest.TestCase):
    """The shared test vectors, through the Python validator (the TypeScript decoder runs them too)."""

    def test_every_vector(self):
        self.assertGreater(len(VECTORS), 30)
        for v in VECTORS:
            with self.subTest(v["name"]):
                if v["ok"]:
                    self.assertEqual(protocol.decode_line(v["line"])["type"], v["type"])
                else:
                    with self.assertRaises(protocol.ProtocolError) as cm:
                        protocol.decode_line(v["line"])
                    self.assertEqual(cm.exception.code, v["code"])

    def test_too_long(self):
        with self.assertRaises(protocol.ProtocolError) as cm:
            protocol.decode_line(b"{" + b" " * protocol.MAX_LINE_BYTES + b"}")
        self.assertEqual(cm.exception.code, "too-long")

    def test_what_the_client_writes_validates(self):
        from .helpers import run_logged

        records, _, _ = run_logged("""
            import headroom
            headroom.checkpoint("a")
            with headroom.track("r"):
                pass
            m = headroom.EpochMonitor(print_fn=None)
            m.on_epoch_start(); m.on_batch_end(0, loss=0.5, batch_size=4); m.on_epoch_end()
            headroom.cleanup()
        """)
        types = [r["type"] for r in records]
        for t in ("hello", "checkpoint", "region_start", "region_end", "epoch_start", "batch_end", "epoch_end", "cleanup_result", "bye"):
            self.assertIn(t, types)
        for r in records:
            protocol.validate(r)
