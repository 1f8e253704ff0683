"""headroom.integrations.lightning with the real Lightning Trainer: a tiny LightningModule for
two epochs of 8 batches on the CPU, with its sanity check, a validation and a checkpoint save
per epoch, reporting to a real listener. Runs under .venv, whichever interpreter runs the suite."""
import json
import os
import shutil
import unittest

from headroom import protocol

from .integration_helpers import line_of, run_trainer, venv_lacks

WHY_NOT = venv_lacks("lightning")


@unittest.skipIf(WHY_NOT, WHY_NOT)
class LightningTrainer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.records, out, cls.script, cls.out = run_trainer("lightning_tiny.py")
        cls.losses = json.loads(out.strip().splitlines()[-1])
        cls.fit_line = line_of(cls.script, "trainer.fit(")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def of(self, type_):
        return [r for r in self.records if r["type"] == type_]

    def test_each_batch_is_a_batch_record_with_the_modules_loss_and_the_global_step(self):
        batches = self.of("batch_end")
        self.assertEqual([b["step"] for b in batches], list(range(1, 17)))
        self.assertEqual([(b["epoch"], b["batch"]) for b in batches], [(e, i) for e in (0, 1) for i in range(8)])
        self.assertEqual(len(self.losses), 16)
        for b, loss in zip(batches, self.losses):
            self.assertAlmostEqual(b["loss"], loss, places=5)
            self.assertEqual(b["batch_size"], 4)
            self.assertGreater(b["peak"]["rss"], 0)

    def test_two_epochs_with_their_steps_and_mean_loss(self):
        self.assertEqual([(e["epoch"], e["step"]) for e in self.of("epoch_start")], [(0, 0), (1, 8)])
        ends = self.of("epoch_end")
        self.assertEqual([(e["epoch"], e["step"], e["batches"]) for e in ends], [(0, 8, 8), (1, 16, 8)])
        for e, losses in zip(ends, (self.losses[:8], self.losses[8:])):
            self.assertAlmostEqual(e["loss"], sum(losses) / 8, places=5)

    def test_sanity_check_validation_and_saves_are_regions_in_order(self):
        starts = self.of("region_start")
        ends = {r["id"]: r for r in self.of("region_end")}
        self.assertEqual([r["label"] for r in starts], ["fit", "sanity check", "validate", "save", "validate", "save"])
        self.assertEqual(sorted(ends), sorted(r["id"] for r in starts), "every region ends")
        for r in starts:
            self.assertNotIn("error", ends[r["id"]])
        # Each epoch's validation and save come after its last batch, before the next epoch.
        order = [(r["type"], r.get("label") or r.get("step")) for r in self.records if r["type"] in ("region_start", "batch_end")]
        self.assertLess(order.index(("batch_end", 8)), order.index(("region_start", "validate")))
        self.assertLess(order.index(("region_start", "save")), order.index(("batch_end", 9)))
        self.assertEqual(os.listdir(os.path.join(self.out, "checkpoints")), ["epoch=1-step=16.ckpt"], "the saves really happened")

    def test_epochs_batches_and_regions_are_on_the_fit_call_line(self):
        for r in self.records:
            if r["type"] in ("epoch_start", "epoch_end", "batch_end", "region_start", "region_end"):
                self.assertEqual((r["file"], r["line"], r["func"]), (self.script, self.fit_line, "main"), r)

    def test_every_record_validates_and_the_client_counted_no_error(self):
        for r in self.records:
            protocol.validate(r)
        self.assertEqual(self.records[-1]["type"], "bye")
        self.assertNotIn("errors", self.records[-1])


if __name__ == "__main__":
    unittest.main()
