"""Live tensors of a real PyTorch model on CPU: parameters, gradients, optimizer state and
activations told apart, sizes equal to numel * element_size."""
import gc
import unittest

from headroom import _tensors, protocol

try:
    import torch

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def groups_of(r, role):
    return {(tuple(g["shape"]), g["dtype"]): g for g in r["tensors"] if g["role"] == role}


@unittest.skipUnless(HAVE_TORCH, "torch is not installed for this Python")
class LiveTensors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = torch.nn.Linear(256, 512)
                self.fc2 = torch.nn.Linear(512, 10)
                self.register_buffer("scale", torch.ones(10, dtype=torch.float64))

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(x))) * self.scale

        cls.model = Net()
        cls.opt = torch.optim.Adam(cls.model.parameters())
        x = torch.randn(64, 256)
        cls.model(x).sum().backward()
        cls.opt.step()
        # Activations the program keeps: an input batch and a hidden layer's output (half precision).
        cls.batch = torch.randn(128, 256)
        cls.hidden = torch.zeros(128, 512, dtype=torch.float16)
        gc.collect()
        cls.r = _tensors.take()

    def test_the_record_validates(self):
        protocol.validate(dict(v=1, type="allocations", t=1.0, pid=1, seq=0, **self.r))
        self.assertNotIn("truncated", self.r)

    def test_parameters_with_their_names_and_sizes(self):
        p = groups_of(self.r, "parameter")
        w1 = p[((512, 256), "float32")]
        self.assertEqual(w1["size"], 512 * 256 * 4)
        self.assertEqual(w1["names"], ["Net.fc1.weight"])
        self.assertEqual(p[((10, 512), "float32")]["size"], 10 * 512 * 4)
        self.assertEqual(sum(g["count"] for g in p.values()), 4)

    def test_gradients_mirror_the_parameters(self):
        g = groups_of(self.r, "gradient")
        self.assertEqual(g[((512, 256), "float32")]["names"], ["Net.fc1.weight.grad"])
        self.assertEqual(sum(x["size"] for x in g.values()), sum(p.numel() * p.element_size() for p in self.model.parameters()))

    def test_optimizer_state_is_apart(self):
        o = groups_of(self.r, "optimizer")
        # Adam keeps exp_avg and exp_avg_sq per parameter, the size of each.
        self.assertEqual(o[((512, 256), "float32")]["count"], 2)
        self.assertEqual(sorted(o[((512, 256), "float32")]["names"]), ["exp_avg", "exp_avg_sq"])
        n_state = sum(v.numel() * v.element_size() for s in self.opt.state.values() for v in s.values() if torch.is_tensor(v))
        self.assertEqual(sum(x["size"] for x in o.values()), n_state)

    def test_buffers_and_activations(self):
        self.assertEqual(groups_of(self.r, "buffer")[((10,), "float64")]["size"], 80)
        other = groups_of(self.r, "other")
        self.assertGreaterEqual(other[((128, 256), "float32")]["size"], 128 * 256 * 4)
        self.assertGreaterEqual(other[((128, 512), "float16")]["size"], 128 * 512 * 2)

    def test_the_heap_walk_stops_at_its_budget(self):
        r = _tensors.take(budget_s=0.0)
        self.assertTrue(r["truncated"])

    def test_a_frames_locals_name_the_tensors_it_holds(self):
        def paused_here():
            attention_scores = torch.zeros(33, 77)  # held only by this frame, as in a paused debugger
            return _tensors.take(frame_locals=locals()), attention_scores

        r, _kept = paused_here()
        self.assertEqual(groups_of(r, "other")[((33, 77), "float32")]["names"], ["attention_scores"])

    def test_modules_passed_are_named_from_the_root(self):
        r = _tensors.take(modules=[self.model], optimizers=[self.opt])
        self.assertEqual(groups_of(r, "parameter")[((512, 256), "float32")]["names"], ["fc1.weight"])


@unittest.skipUnless(HAVE_TORCH, "torch is not installed for this Python")
class InAProgram(unittest.TestCase):
    def test_a_script_s_globals_name_its_tensors_and_the_record_is_sent(self):
        from .helpers import run_logged

        records, _, _ = run_logged("""
            import torch, headroom
            embeddings = torch.zeros(1000, 64)
            headroom.tensors()
        """)
        r = next(r for r in records if r["type"] == "allocations")
        protocol.validate(r)
        g = next(g for g in r["tensors"] if g["shape"] == [1000, 64])
        self.assertEqual((g["role"], g["size"], g["names"]), ("other", 1000 * 64 * 4, ["embeddings"]))


if __name__ == "__main__":
    unittest.main()
