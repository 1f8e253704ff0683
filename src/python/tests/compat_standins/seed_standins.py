"""Stand-ins for what the seed documents' examples use without defining (a model and its data,
images and their helpers, a dataloader, a trainer...). Small but real: each allocates and
touches memory, so the examples' readings and regions move as they would with the real thing.
test_compat_seeds.py star-imports this module before each example."""
MB = 1 << 20


def _block(mb):
    """mb megabytes, written (resident), not merely reserved."""
    return bytearray(b"\x01") * (mb * MB)


class StandInModel:
    def __init__(self, name="model", mb=32):
        self.name = name
        self.weights = _block(mb)

    def predict(self, data):
        activations = _block(4)
        return len(activations) + (len(data) if hasattr(data, "__len__") else 1)


def load_model(name="model"):
    return StandInModel(name)


def load_vlm_model():
    return StandInModel("vlm", mb=48)


def load_large_model():
    return StandInModel("large", mb=96)


model = StandInModel()
input_data = list(range(1000))
large_dataset = list(range(100000))
test_data = [list(range(8)) for _ in range(3)]


def process_item(item):
    return _block(1)


class StandInImage:
    def __init__(self, width=64, height=48):
        self.size = (width, height)
        self.pixels = _block(1)


image = StandInImage()
image_paths = ["image_%d.png" % i for i in range(6)]


def load_image(path):
    return StandInImage()


def process_image(path):
    return load_image(path)


def colorize_image(image):
    return _block(2)


device = "cpu"

# Seed 002: a training loop's pieces.
batch_idx = 0
loss = 0.0125
dataloader = [list(range(16)) for _ in range(6)]


class HybridDataset:
    def __init__(self, *args, **kwargs):
        self.samples = _block(8)


def train_model(config):
    return _block(config["mb"])


config_A = {"mb": 8}
config_B = {"mb": 16}


class Trainer:
    """The `self` of the documents' `_train_epoch(self)` methods."""


trainer = Trainer()
