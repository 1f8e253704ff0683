"""Stand-in for tqdm (seed 003's progress bar), put on the path only where tqdm is not installed."""


def tqdm(iterable=None, *args, **kwargs):
    return iterable
