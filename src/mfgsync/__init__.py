"""mfgsync: the manufacturing integration hub."""

__version__ = "0.1.0"
