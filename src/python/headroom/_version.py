"""The Python client's version: the one place it is written (the extension's package.json carries the same)."""
__version__ = "0.1.0"
