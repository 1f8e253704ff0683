"""A small PyTorch training loop on the CPU, instrumented with Headroom: checkpoints,
regions, a decorated function and epoch/batch events. It also keeps a growing history
list, so one CodeLens shows "growing .../hit" like a real leak would.

HEADROOM_EXAMPLE_EPOCHS sets the number of epochs (default: 3).
"""
import os

import torch
from torch.utils.data import DataLoader, TensorDataset

import headroom

torch.manual_seed(0)
epochs = int(os.environ.get("HEADROOM_EXAMPLE_EPOCHS", "3"))

headroom.checkpoint("start")
data = TensorDataset(torch.randn(4096, 256), torch.randint(0, 10, (4096,)))
loader = DataLoader(data, batch_size=128, shuffle=True)
model = torch.nn.Sequential(torch.nn.Linear(256, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
headroom.checkpoint("model and optimizer built")

history = []  # grows every epoch: the kind of slow leak Headroom makes visible


@headroom.track("evaluate")
def evaluate():
    with torch.no_grad():
        x, y = data.tensors
        return (model(x).argmax(1) == y).float().mean().item()


monitor = headroom.EpochMonitor(verbose_batches=2)
for epoch in range(epochs):
    monitor.on_epoch_start()
    for batch, (x, y) in enumerate(loader):
        with headroom.track("forward + backward"):
            loss = torch.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        monitor.on_batch_end(batch, loss=loss, batch_size=len(x))
    history.append(torch.randn(4096, 4096))  # 64 MB kept per epoch
    headroom.checkpoint("epoch done")
    monitor.on_epoch_end()
    print("accuracy", evaluate())

headroom.checkpoint("trained")
print(headroom.status("end"))
