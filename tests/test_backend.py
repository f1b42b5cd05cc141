import importlib.util

import numpy as np
import pytest

from evodiff.backend import Backend


def test_numpy_backend_defaults():
    b = Backend()
    assert b.name == "numpy" and b.dtype == np.float64 and b.is_numpy
    a = b.asarray([1, 2, 3])
    assert isinstance(a, np.ndarray) and a.dtype == np.float64


def test_float32(backend_name):
    b = Backend(backend_name, dtype="float32")
    assert b.asarray([1.0]).dtype == b.xp.float32


def test_dtype_objects_are_accepted():
    assert Backend(dtype=np.float32).dtype_name == "float32"
    assert Backend(dtype=np.dtype("float64")).dtype_name == "float64"


def test_to_host_round_trip(backend_name):
    b = Backend(backend_name)
    host = b.to_host(b.asarray([[1.0, 2.0]]))
    assert isinstance(host, np.ndarray)
    np.testing.assert_array_equal(host, [[1.0, 2.0]])


def test_namespace_module_is_accepted():
    import array_api_strict

    b = Backend(array_api_strict)
    assert b.xp is array_api_strict
    assert Backend(np).name == "numpy"


def test_in_place_helpers(backend_name):
    b = Backend(backend_name)
    out = b.to_host(b.exp_inplace(b.clamp_min_inplace(b.asarray([-1000.0, 0.0, 1.0]), -500.0)))
    np.testing.assert_allclose(out, [np.exp(-500.0), 1.0, np.e])


@pytest.mark.parametrize("backend, error, match", [
    ("torch", ValueError, "backend must be"),
    (3, TypeError, "backend must be"),
])
def test_bad_backend(backend, error, match):
    with pytest.raises(error, match=match):
        Backend(backend)


def test_bad_dtype():
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        Backend(dtype="int32")


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="cupy is installed")
def test_missing_cupy_names_the_package():
    with pytest.raises(ImportError, match="cupy"):
        Backend("cupy")
