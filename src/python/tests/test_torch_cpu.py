import unittest

from .helpers import MB, run_logged

try:
    import torch  # noqa: F401  Debian's python3-torch, CPU build

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


@unittest.skipUnless(HAVE_TORCH, "python3-torch is not installed")
class TorchCpu(unittest.TestCase):
    def test_training_loop_reports_without_initialising_cuda(self):
        records, out, _ = run_logged("""
            import torch, headroom
            model = torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
            opt = torch.optim.SGD(model.parameters(), lr=0.01)
            mon = headroom.EpochMonitor(verbose_batches=1)
            for epoch in range(2):
                mon.on_epoch_start()
                for b in range(4):
                    with headroom.track("step"):
                        x = torch.randn(64, 256); y = torch.randint(0, 10, (64,))
                        loss = torch.nn.functional.cross_entropy(model(x), y)
                        opt.zero_grad(); loss.backward(); opt.step()
                    mon.on_batch_end(b, loss=loss, batch_size=64)
                mon.on_epoch_end()
            headroom.checkpoint("trained")
            big = torch.zeros(64 << 20, dtype=torch.uint8) + 1
            headroom.checkpoint("after 64 MB tensor")
            print(torch.cuda.is_initialized())
        """)
        self.assertEqual(out.strip().splitlines()[-1], "False")
        hello = records[0]
        self.assertIn("torch", hello["frameworks"])
        batches = [r for r in records if r["type"] == "batch_end"]
        self.assertEqual(len(batches), 8)
        self.assertTrue(all(isinstance(b["loss"], float) and b["batch_size"] == 64 for b in batches))
        cps = {r["label"]: r for r in records if r["type"] == "checkpoint"}
        grown = cps["after 64 MB tensor"]["mem"]["rss"] - cps["trained"]["mem"]["rss"]
        self.assertGreater(grown, 0.9 * 64 * MB)
        self.assertTrue(all("devices" not in r.get("mem", {}) for r in records), "no CUDA figures on a CPU build")
        self.assertEqual(records[-1]["type"], "bye")
        self.assertNotIn("errors", records[-1], "no internal errors with torch imported")

    def test_dataloader_workers_report_under_their_own_pid(self):
        records, _, _ = run_logged("""
            import os, torch, headroom
            from torch.utils.data import DataLoader, Dataset
            class DS(Dataset):
                def __len__(self): return 8
                def __getitem__(self, i):
                    headroom.checkpoint("load item")
                    return torch.tensor([i])
            parent = os.getpid()
            for batch in DataLoader(DS(), batch_size=2, num_workers=2):
                pass
            headroom.checkpoint("done")
        """)
        loads = [r for r in records if r.get("label") == "load item"]
        self.assertEqual(len(loads), 8)
        main_pid = [r for r in records if r.get("label") == "done"][0]["pid"]
        worker_pids = {r["pid"] for r in loads}
        self.assertEqual(len(worker_pids), 2)
        self.assertNotIn(main_pid, worker_pids)
        hellos = {r["pid"]: r for r in records if r["type"] == "hello"}
        for w in worker_pids:
            self.assertEqual(hellos[w]["ppid"], main_pid)


if __name__ == "__main__":
    unittest.main()
