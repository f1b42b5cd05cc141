"""The version of evodiff (the bottom layer: anything may import it)."""

__version__ = "0.1.0"
