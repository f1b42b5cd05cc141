"""The paper's CartPole-v1 experiment: :mod:`evodiff.demos.control` on its default task.

Kept under this name for ``evodiff demo cartpole`` and for code written
against it; every name is that of :mod:`evodiff.demos.control`.
"""

from .control import (
    METHODS,
    NETWORKS,
    CartPoleSettings,
    MethodResult,
    main,
    plot,
    run_method,
    run_network,
    summary,
)

__all__ = ["NETWORKS", "METHODS", "CartPoleSettings", "MethodResult", "run_method", "run_network",
           "plot", "summary", "main"]
