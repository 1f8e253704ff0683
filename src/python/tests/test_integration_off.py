"""What the trainer callbacks cost when nobody asked for them: `import headroom` loads no
framework, and with HEADROOM=off the callbacks install nothing, patch nothing and write
nothing. Runs under .venv (where the frameworks are), whichever interpreter runs the suite."""
import json
import os
import tempfile
import unittest

from .integration_helpers import run_venv, venv_env, venv_lacks

WHY_NOT = venv_lacks("torch", "transformers", "accelerate", "lightning")

IMPORTS = """
import json, sys
import headroom, headroom.integrations
headroom.checkpoint("imported")
print(json.dumps(sorted(m for m in ("torch", "transformers", "accelerate", "lightning", "pytorch_lightning") if m in sys.modules)))
"""

OFF = """
import json, os, types, torch
import lightning.pytorch as pl
import transformers
import headroom
from headroom.integrations.transformers import HeadroomCallback as HF
from headroom.integrations.lightning import HeadroomCallback as PL

model = torch.nn.Linear(2, 2)
args = types.SimpleNamespace(per_device_train_batch_size=4, gradient_accumulation_steps=1, save_strategy="steps")
state = types.SimpleNamespace(epoch=0.0, global_step=1, best_metric=None)
control = types.SimpleNamespace(should_evaluate=True, should_save=True)
hf = HF()
hf.on_train_begin(args, state, control, model=model)
hooks = len(model._forward_hooks)
for hook in ("on_epoch_begin", "on_step_begin", "on_prediction_step", "on_step_end", "on_save", "on_epoch_end", "on_train_end"):
    getattr(hf, hook)(args, state, control, model=model)
hf.on_evaluate(args, state, control, metrics={"eval_loss": 1.0})
model(torch.zeros(1, 2))

def save_checkpoint(*a, **k):
    pass

trainer = types.SimpleNamespace(current_epoch=0, global_step=1, sanity_checking=False, save_checkpoint=save_checkpoint)
lc = PL()
lc.on_fit_start(trainer, None)
lc.on_train_epoch_start(trainer, None)
lc.on_train_batch_start(trainer, None, torch.zeros(4, 2), 0)
lc.on_train_batch_end(trainer, None, {"loss": torch.tensor(1.0)}, torch.zeros(4, 2), 0)
lc.on_validation_start(trainer, None)
lc.on_validation_end(trainer, None)
patched = trainer.save_checkpoint is not save_checkpoint
lc.on_fit_end(trainer, None)
try:
    HF(step_loss="yes")
    refused = None
except TypeError as e:
    refused = str(e)
headroom.flush()
print(json.dumps({
    "forward_hooks": hooks, "patched_save": patched, "enabled": headroom.enabled(),
    "log_written": os.path.exists(os.environ["HEADROOM_LOG"]), "errors": headroom.diagnostics()["errors"],
    "hf_is_callback": isinstance(hf, transformers.TrainerCallback), "pl_is_callback": isinstance(lc, pl.Callback),
    "refused": refused,
}))
"""


@unittest.skipIf(WHY_NOT, WHY_NOT)
class CallbacksCostNothingUnasked(unittest.TestCase):
    def test_importing_headroom_loads_no_framework(self):
        log = os.path.join(tempfile.mkdtemp(prefix="hr-import-"), "run.ndjson")
        p = run_venv(IMPORTS, env=venv_env(HEADROOM_LOG=log))  # a file: the hello and a checkpoint really go out
        self.assertEqual(json.loads(p.stdout.strip().splitlines()[-1]), [])
        with open(log) as f:
            self.assertIn('"checkpoint"', f.read())

    def test_with_headroom_off_the_callbacks_install_patch_and_write_nothing(self):
        log = os.path.join(tempfile.mkdtemp(prefix="hr-off-"), "run.ndjson")
        p = run_venv(OFF, env=venv_env(HEADROOM="off", HEADROOM_LOG=log))
        got = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(got["forward_hooks"], 0, "no hook on the model")
        self.assertFalse(got["patched_save"], "the trainer's save_checkpoint untouched")
        self.assertFalse(got["enabled"])
        self.assertFalse(got["log_written"], "HEADROOM=off wins over HEADROOM_LOG")
        self.assertFalse(got["errors"], "no error counted: every hook returned at once")
        self.assertTrue(got["hf_is_callback"] and got["pl_is_callback"], "each is its framework's Callback")
        self.assertIn("step_loss", got["refused"] or "", "a wrong argument is refused with its name")


if __name__ == "__main__":
    unittest.main()
