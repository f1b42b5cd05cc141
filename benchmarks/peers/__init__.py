"""The implementations that ``benchmarks/compare_peers.py`` compares evodiff with.

One module per implementation, each with the same two entry points:

- a *timer* class (``EvodiffTimer``, ``DiffevoTimer``, ``EvosaxTimer``):
  one run of Diffusion Evolution, timed generation by generation
  (``timer.generation()`` returns the seconds of one generation);
- ``quality(problem, latent, steps, seed, ...)``: one run on the quality
  problem, returning a :class:`~peers.quality.QualityRecord`;

and ``cma_adapter.measure`` for CMA-ES against pycma.  :mod:`peers.timing`
holds what the timers share (the interleaved timing loop, the objective),
:mod:`peers.quality` the diagnostics of the quality runs.

The peers (PyTorch with ``diffevo``, JAX with ``evosax``, and ``cma``) form
the optional extra ``compare``; :func:`load_peers` says which are installed,
and the adapters import them only when they run.  The package is imported
as ``peers`` by the scripts of ``benchmarks/``, whose folder is on
``sys.path`` when a script there is run.
"""

from __future__ import annotations

import importlib
import importlib.metadata

#: Peer name -> the modules it needs.
PEERS = {
    "diffevo": ("torch", "diffevo"),
    "evosax": ("jax", "evosax"),
    "cma": ("cma",),
}


def version_of(module):
    """The installed version of a module's distribution, or ``'?'``.

    Parameters
    ----------
    module : module

    Returns
    -------
    str
    """
    try:
        return importlib.metadata.version(module.__name__)
    except importlib.metadata.PackageNotFoundError:
        return getattr(module, "__version__", "?")


def load_peers():
    """Import the optional peers that are installed and say which are missing.

    Returns
    -------
    dict
        Peer name (``'diffevo'``, ``'evosax'``, ``'cma'``) to its version
        string, for the peers that could be imported.
    """
    found = {}
    for name, modules in PEERS.items():
        try:
            loaded = [importlib.import_module(module) for module in modules]
        except Exception as exc:  # ImportError, or a broken install of a large package
            print(f"peer {name!r} is missing ({type(exc).__name__}: {exc}); "
                  f"the comparisons with it are skipped (pip install {' '.join(modules)})")
            continue
        found[name] = " + ".join(f"{module.__name__} {version_of(module)}" for module in loaded)
    return found
