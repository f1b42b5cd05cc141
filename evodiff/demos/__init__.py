"""Runnable experiments behind ``evodiff demo`` and the scripts in ``demos/``."""
