"""Adapters that make evodiff's optimisers usable from other optimisation libraries.

Each submodule imports its library on import and raises an ``ImportError``
naming the extra to install when it is missing.
"""
