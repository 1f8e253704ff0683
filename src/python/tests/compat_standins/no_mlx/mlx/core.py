"""The two mlx.core calls seed 000 makes: zeros() and eval(). No allocator figures: Headroom reads none."""


def zeros(shape):
    n = 1
    for d in shape:
        n *= d
    return [0.0] * n


def eval(*arrays):
    return None
