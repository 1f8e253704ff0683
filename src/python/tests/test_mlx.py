"""Real MLX (the CPU build on Linux): live arrays grouped by role with sizes equal to their
nbytes, device memory from MLX's own allocator, its peak reset at a checkpoint, and Force
Cleanup emptying its cache. Each case runs in a program of its own: importing mlx here would
leave `mlx.core` loaded for every later test of this process, and the client reads exactly
that to decide whether MLX is in use."""
import importlib.util
import json
import unittest

from headroom import protocol

from .helpers import run_logged

HAVE_MLX = importlib.util.find_spec("mlx") is not None
HAVE_TORCH = importlib.util.find_spec("torch") is not None
MiB = 1024 * 1024

TRAIN_STEP = """
    import json
    import mlx.core as mx, mlx.nn as nn, mlx.optimizers as optim
    from mlx.utils import tree_flatten
    import headroom

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(256, 512), nn.Linear(512, 10)]

        def __call__(self, x):
            return self.layers[1](nn.relu(self.layers[0](x)))

    def nbytes(tree):
        return sum(a.nbytes for _, a in tree_flatten(tree))

    batches = [mx.zeros((7, 3)) for _ in range(3)]  # a global list of arrays: no gradient tree
    ids = [[i] for i in range(200000)]  # a big global container, not walked as a tree

    def step():
        mx.random.seed(0)
        model, opt = MLP(), optim.Adam(learning_rate=1e-3)
        x, y = mx.random.normal((64, 256)), mx.zeros((64,), dtype=mx.int32)
        loss_fn = lambda m, x, y: nn.losses.cross_entropy(m(x), y).mean()
        loss, grads = nn.value_and_grad(model, loss_fn)(model, x, y)
        opt.update(model, grads)
        mx.eval(model.parameters(), opt.state, grads)
        hidden = mx.zeros((128, 512), dtype=mx.float16)  # an activation only this frame holds
        found = headroom.tensors(frame_locals=locals())
        passed = headroom.tensors(modules=[model], optimizers=[opt])
        hurried = headroom.tensors(budget_s=0.0)
        print(json.dumps({
            "found": found, "passed": passed, "hurried": hurried,
            "params": nbytes(model.parameters()), "state": nbytes(opt.state), "grads": nbytes(grads),
            "n_params": len(tree_flatten(model.parameters())), "n_state": len(tree_flatten(opt.state)),
            "paths": [k for k, _ in tree_flatten(model.parameters())],
            "device": mx.default_device().type.name,
        }))

    step()
"""


def last_json(out):
    return json.loads(out.strip().splitlines()[-1])


def by_role(r, role):
    return [g for g in r["tensors"] if g["role"] == role]


def names(groups):
    return sorted(n for g in groups for n in g.get("names", ()))


@unittest.skipUnless(HAVE_MLX, "mlx not installed")
class LiveArrays(unittest.TestCase):
    """A two-layer mlx.nn model after one Adam step, as a training script has it."""

    @classmethod
    def setUpClass(cls):
        cls.records, out, _ = run_logged(TRAIN_STEP)
        cls.x = last_json(out)
        cls.r = cls.x["found"]

    def test_the_records_are_sent_and_validate(self):
        sent = [r for r in self.records if r["type"] == "allocations"]
        self.assertEqual(len(sent), 3)
        for r in sent:
            protocol.validate(r)
        self.assertNotIn("truncated", self.r)

    def test_every_group_is_mlx_on_the_default_device(self):
        self.assertTrue(self.r["tensors"])
        for g in self.r["tensors"]:
            self.assertEqual((g["framework"], g["device"]), ("mlx", self.x["device"]), g)

    def test_parameters_by_name_and_exact_size(self):
        p = by_role(self.r, "parameter")
        self.assertEqual(sum(g["size"] for g in p), self.x["params"])
        self.assertEqual(sum(g["count"] for g in p), self.x["n_params"])
        # Named as mlx.utils.tree_flatten names them, under the module's class.
        self.assertEqual(names(p), sorted("MLP." + k for k in self.x["paths"]))
        self.assertIn("MLP.layers.0.weight", names(p))
        w1 = next(g for g in p if g["shape"] == [512, 256])
        self.assertEqual((w1["dtype"], w1["size"]), ("float32", 512 * 256 * 4))

    def test_adam_state_is_apart(self):
        o = by_role(self.r, "optimizer")
        self.assertEqual(sum(g["size"] for g in o), self.x["state"])
        self.assertEqual(sum(g["count"] for g in o), self.x["n_state"])
        m_v = next(g for g in o if g["shape"] == [512, 256])
        self.assertEqual((m_v["count"], sorted(m_v["names"])), (2, ["layers.0.weight.m", "layers.0.weight.v"]))
        self.assertIn("step", names(o))

    def test_gradients_held_by_a_local_mirror_the_parameters(self):
        g = by_role(self.r, "gradient")
        self.assertEqual(sum(x["size"] for x in g), self.x["grads"])
        self.assertEqual(names(g), sorted("grads." + k for k in self.x["paths"]))

    def test_the_rest_is_other_and_named_by_the_frame(self):
        other = {(tuple(g["shape"]), g["dtype"]): g for g in by_role(self.r, "other")}
        self.assertEqual(other[((128, 512), "float16")]["names"], ["hidden"])
        self.assertEqual(other[((128, 512), "float16")]["size"], 128 * 512 * 2)
        self.assertIn("x", other[((64, 256), "float32")]["names"])
        self.assertEqual(other[((7, 3), "float32")]["count"], 3)
        self.assertEqual(self.r["total"]["size"], sum(g["size"] for g in self.r["tensors"]))

    def test_modules_and_optimizers_passed_are_named_from_their_root(self):
        p = self.x["passed"]
        self.assertEqual(names(by_role(p, "parameter")), sorted(self.x["paths"]))
        self.assertEqual(sum(g["size"] for g in by_role(p, "optimizer")), self.x["state"])
        # No frame's locals passed: the gradient tree is no one's name, its arrays are `other`.
        self.assertEqual(by_role(p, "gradient"), [])

    def test_the_heap_walk_stops_at_its_budget(self):
        self.assertTrue(self.x["hurried"]["truncated"])


@unittest.skipUnless(HAVE_MLX, "mlx not installed")
@unittest.skipUnless(HAVE_TORCH, "torch not installed")
class BesideTorch(unittest.TestCase):
    def test_one_record_holds_both_frameworks_told_apart(self):
        records, _, _ = run_logged("""
            import torch, mlx.core as mx, headroom
            weights = torch.zeros(300, 7)
            table = mx.zeros((300, 7))
            headroom.tensors()
        """)
        r = next(r for r in records if r["type"] == "allocations")
        protocol.validate(r)
        mine = {g["names"][0]: g for g in r["tensors"] if g.get("names", [None])[0] in ("weights", "table")}
        self.assertNotIn("framework", mine["weights"])
        self.assertEqual(mine["table"]["framework"], "mlx")
        self.assertEqual(mine["weights"]["size"], mine["table"]["size"])
        self.assertEqual(mine["table"]["size"], 300 * 7 * 4)


@unittest.skipUnless(HAVE_MLX, "mlx not installed")
class AllocatorFigures(unittest.TestCase):
    def test_active_memory_grows_by_what_an_array_holds_and_the_peak_resets(self):
        records, out, _ = run_logged("""
            import json, mlx.core as mx, headroom
            from headroom import _devices

            def mlx_memory():
                return next(d for d in _devices.device_memory() if d["kind"] == "mlx")

            warm = mx.ones((16,)); mx.eval(warm)
            before = mlx_memory()
            big = mx.zeros((16 * 1024 * 1024,), dtype=mx.float32)  # 64 MiB
            mx.eval(big)
            holding = mlx_memory()
            headroom.checkpoint("holding")
            del big
            headroom.checkpoint("freed", reset_peaks=True)
            headroom.checkpoint("after the reset")
            print(json.dumps({"before": before, "holding": holding, "real": mx.get_active_memory()}))
        """)
        x = last_json(out)
        self.assertGreater(x["before"]["active"], 0)
        grew = x["holding"]["active"] - x["before"]["active"]
        self.assertLess(abs(grew - 64 * MiB), 0.05 * 64 * MiB, grew)
        self.assertEqual(x["holding"]["active"] >= 64 * MiB, True)
        peaks = {}
        for r in records:
            if r["type"] == "checkpoint":
                protocol.validate(r)
                peaks[r["label"]] = next(d for d in r["mem"]["devices"] if d["kind"] == "mlx")["peak"]
        self.assertGreaterEqual(peaks["holding"], 64 * MiB)
        self.assertGreaterEqual(peaks["freed"], 64 * MiB, "the checkpoint is taken before its reset")
        self.assertLess(peaks["after the reset"], peaks["holding"] - 60 * MiB)

    def test_force_cleanup_empties_the_cache(self):
        _, out, _ = run_logged("""
            import json, mlx.core as mx, headroom
            arrays = [mx.ones((1024, 1024)) for _ in range(8)]
            mx.eval(arrays)
            del arrays
            cached = mx.get_cache_memory()  # MLX keeps freed buffers for reuse
            res = headroom.cleanup()
            print(json.dumps({"cached": cached, "after": mx.get_cache_memory(), "actions": res.actions, "devices": res.devices, "errors": res.errors}))
        """)
        x = last_json(out)
        self.assertGreater(x["cached"], 16 * MiB)
        self.assertEqual(x["after"], 0)
        self.assertIn("mlx.clear_cache", x["actions"])
        self.assertEqual(x["errors"], [])
        cache = next(d for d in x["devices"] if (d["kind"], d["field"]) == ("mlx", "cache"))
        self.assertGreaterEqual(cache["freed"], x["cached"])
        self.assertEqual(cache["after"], 0)

    def test_the_vlm_monitor_says_it_cleared_mlx(self):
        _, out, _ = run_logged("""
            import mlx.core as mx
            from headroom.compat.vlm import memory_monitor
            mx.eval(mx.ones((1024, 1024)))
            memory_monitor.force_cleanup("vision model")
        """)
        self.assertIn("  🔧 MLX Metal cache cleared", out.splitlines())
        self.assertIn("  🔧 MLX memory cleared", out.splitlines())
        self.assertNotIn("MLX cleanup warning", out)


if __name__ == "__main__":
    unittest.main()
