"""Array backends: which array library an optimiser computes with.

A :class:`Backend` bundles what an algorithm needs from an array library: the
Array-API namespace (obtained through ``array-api-compat``), the floating
dtype, and moves between the backend and host NumPy.  Random draws on the
backend's device (the Array API has no random module) are made by the
samplers of :mod:`evodiff.randomness`, from the optimiser's own generator.
Algorithms only ever call ``backend.xp`` functions from the Array-API
standard, so the same code runs on NumPy, CuPy and ``array_api_strict``.
"""

from __future__ import annotations

import types

import array_api_compat
import numpy as np

__all__ = ["Backend", "to_numpy", "read_only"]

_DTYPE_NAMES = ("float32", "float64")


def _resolve_namespace(backend):
    """Return ``(name, namespace)`` for a backend argument."""
    if isinstance(backend, str):
        name = backend.lower().replace("-", "_")
        if name == "numpy":
            import array_api_compat.numpy as xp

            return "numpy", xp
        if name == "cupy":
            return "cupy", _import_cupy()
        if name == "array_api_strict":
            try:
                import array_api_strict as xp
            except ImportError as exc:
                raise ImportError(
                    "backend='array_api_strict' needs the package array-api-strict "
                    "(pip install array-api-strict)"
                ) from exc
            return "array_api_strict", xp
        raise ValueError(
            f"backend must be 'numpy', 'cupy', 'array_api_strict' or an array-API "
            f"namespace module; got {backend!r}"
        )
    if isinstance(backend, types.ModuleType):
        if backend is np:
            return _resolve_namespace("numpy")
        if not hasattr(backend, "asarray"):
            raise TypeError(
                f"backend module {backend.__name__!r} is not an array namespace "
                "(it has no asarray)"
            )
        xp = array_api_compat.array_namespace(backend.asarray(0.0))
        return backend.__name__, xp
    raise TypeError(
        f"backend must be a name such as 'numpy' or 'cupy', or a namespace module; "
        f"got {type(backend).__name__} {backend!r}"
    )


def _import_cupy():
    try:
        import cupy
    except ImportError as exc:
        raise ImportError(
            "backend='cupy' needs the package cupy (pip install 'evodiff-toolkit[gpu]' "
            "or cupy-cuda12x) and an NVIDIA GPU; cupy is not installed"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        raise RuntimeError(
            f"backend='cupy': cupy is installed but no usable CUDA GPU was found ({exc})"
        ) from exc
    if count < 1:
        raise RuntimeError("backend='cupy': cupy is installed but no CUDA GPU was found")
    import array_api_compat.cupy as xp

    return xp


class Backend:
    """Array namespace and dtype of one optimiser.

    Parameters
    ----------
    backend : {'numpy', 'cupy', 'array_api_strict'} or module, default 'numpy'
        The array library.  Any Array-API namespace module is accepted (it is
        wrapped by ``array-api-compat`` where needed).
    dtype : {'float64', 'float32'}, default 'float64'
        Floating dtype of every array the optimiser creates.

    Attributes
    ----------
    name : str
        Short name of the backend (``'numpy'``, ``'cupy'``, ...).
    xp : module
        The Array-API namespace.
    dtype : dtype object of ``xp``
        The floating dtype.

    Notes
    -----
    A backend holds no random generator: an optimiser owns its generator and
    draws through a sampler for its backend (:mod:`evodiff.randomness`).
    """

    def __init__(self, backend="numpy", dtype="float64"):
        self.name, self.xp = _resolve_namespace(backend)
        dtype_name = _dtype_name(dtype)
        self.dtype_name = dtype_name
        self.dtype = getattr(self.xp, dtype_name)

    def __repr__(self):
        return f"Backend({self.name!r}, dtype={self.dtype_name!r})"

    @property
    def is_numpy(self):
        """bool : whether arrays are plain :class:`numpy.ndarray`."""
        return self.name == "numpy"

    def asarray(self, values, dtype=None):
        """Move ``values`` (host or device, any array-like) onto this backend.

        Parameters
        ----------
        values : array_like
        dtype : optional
            Target dtype; the backend's floating dtype by default.

        Returns
        -------
        array of ``xp``
        """
        dtype = self.dtype if dtype is None else dtype
        if self.name == "array_api_strict" and not _is_namespace_array(self.xp, values):
            values = np.asarray(values)
        elif self.name == "cupy":
            return self.xp.asarray(values, dtype=dtype)
        return self.xp.asarray(values, dtype=dtype, copy=None)

    def to_host(self, values):
        """Return ``values`` as a NumPy array on the host (see :func:`to_numpy`)."""
        return to_numpy(values)

    def clamp_min_inplace(self, values, lower):
        """Raise every element of ``values`` below ``lower`` to ``lower``, in place where possible.

        Always use the return value.
        """
        if self.name in ("numpy", "cupy"):
            return self.xp.maximum(values, lower, out=values)
        return self.xp.clip(values, min=lower)

    def exp_inplace(self, values):
        """Exponentiate ``values`` in place where the library allows it.

        NumPy and CuPy take ``out=``; other namespaces get a new array.  Always
        use the return value.
        """
        if self.name in ("numpy", "cupy"):
            return self.xp.exp(values, out=values)
        return self.xp.exp(values)


def to_numpy(values):
    """Return any supported array (NumPy, CuPy, array_api_strict) as a host NumPy array.

    NumPy arrays pass through unchanged; device arrays are copied to the host.

    Parameters
    ----------
    values : array or array_like

    Returns
    -------
    numpy.ndarray
    """
    if isinstance(values, np.ndarray):
        return values
    if array_api_compat.is_cupy_array(values):
        return values.get()
    try:
        return np.asarray(values)
    except TypeError:
        if hasattr(values, "__dlpack__"):  # a library without __array__
            return np.from_dlpack(values)
        raise


def _dtype_name(dtype):
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    name = str(name).rsplit(".", 1)[-1]
    if name not in _DTYPE_NAMES:
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
    return name


def _is_namespace_array(xp, values):
    try:
        return array_api_compat.array_namespace(values) is xp
    except TypeError:
        return False


def read_only(array):
    """A read-only view of a NumPy array (no copy); other arrays are returned as they are."""
    if isinstance(array, np.ndarray):
        view = array.view()
        view.flags.writeable = False
        return view
    return array
