"""headroom.integrations.transformers with the real Trainer: a tiny BERT built from a config,
20 steps on the CPU (two epochs of 10), one evaluation and one save at step 20, reporting
to a real listener. Runs under .venv, whichever interpreter runs the suite."""
import json
import math
import os
import shutil
import unittest

from headroom import protocol

from .integration_helpers import line_of, run_trainer, venv_lacks

WHY_NOT = venv_lacks("transformers", "accelerate")


@unittest.skipIf(WHY_NOT, WHY_NOT)
class HuggingFaceTrainer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.records, out, cls.script, cls.out = run_trainer("hf_tiny_bert.py")
        cls.logged = {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}
        cls.train_line = line_of(cls.script, "trainer.train()")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def of(self, type_):
        return [r for r in self.records if r["type"] == type_]

    def test_each_of_the_20_steps_is_a_batch_record_with_the_trainers_own_loss(self):
        batches = self.of("batch_end")
        self.assertEqual([b["step"] for b in batches], list(range(1, 21)))
        self.assertEqual([b["batch"] for b in batches], list(range(10)) * 2, "batch counts within its epoch")
        self.assertEqual([b["epoch"] for b in batches], [0] * 10 + [1] * 10)
        # The Trainer logged every step's loss (logging_steps=1): the callback's are the same numbers.
        self.assertEqual(sorted(self.logged), list(range(1, 21)))
        for b in batches:
            self.assertAlmostEqual(b["loss"], self.logged[b["step"]], places=5, msg="step %d" % b["step"])
            self.assertEqual(b["batch_size"], 4)
            self.assertGreaterEqual(b["peak"]["rss"], b["mem"]["rss"] * 0.9, "a peak is at least about the memory after the step")

    def test_two_epochs_with_their_steps_and_mean_loss(self):
        starts, ends = self.of("epoch_start"), self.of("epoch_end")
        self.assertEqual([(e["epoch"], e["step"]) for e in starts], [(0, 0), (1, 10)])
        self.assertEqual([(e["epoch"], e["step"], e["batches"]) for e in ends], [(0, 10, 10), (1, 20, 10)])
        for e in ends:
            steps = range(e["step"] - 9, e["step"] + 1)
            self.assertAlmostEqual(e["loss"], sum(self.logged[s] for s in steps) / 10, places=5)
            self.assertGreater(e["duration"], 0)
            self.assertGreater(e["peak"]["rss"], 0)

    def test_the_evaluation_and_the_save_are_regions_after_step_20(self):
        starts = [r for r in self.of("region_start")]
        ends = {r["id"]: r for r in self.of("region_end")}
        self.assertEqual([r["label"] for r in starts], ["train", "evaluate", "save"])
        self.assertEqual(sorted(ends), sorted(r["id"] for r in starts), "every region ends")
        seq = {(r["type"], r.get("label"), r.get("step")): r["seq"] for r in self.records}
        last_step = seq[("batch_end", None, 20)]
        ev, save, train = (next(r for r in starts if r["label"] == k) for k in ("evaluate", "save", "train"))
        self.assertLess(last_step, ev["seq"])
        self.assertLess(ends[ev["id"]]["seq"], save["seq"], "the Trainer evaluates, then saves")
        self.assertEqual(ends[train["id"]]["seq"], max(r["seq"] for r in self.records if r["type"] != "bye"), "train ends last")
        for r in starts:
            self.assertGreater(ends[r["id"]]["duration"], 0)
            self.assertNotIn("error", ends[r["id"]])
        self.assertTrue(os.path.isdir(os.path.join(self.out, "checkpoint-20")), "the save really happened")

    def test_epochs_steps_and_regions_are_on_the_train_call_line(self):
        for r in self.records:
            if r["type"] in ("epoch_start", "epoch_end", "batch_end", "region_start", "region_end"):
                self.assertEqual((r["file"], r["line"], r["func"]), (self.script, self.train_line, "main"), r)

    def test_every_record_validates_and_the_client_counted_no_error(self):
        for r in self.records:
            protocol.validate(r)
            for k in ("loss", "duration"):
                if k in r:
                    self.assertTrue(math.isfinite(r[k]))
        self.assertEqual(self.records[-1]["type"], "bye")
        self.assertNotIn("errors", self.records[-1])


if __name__ == "__main__":
    unittest.main()
