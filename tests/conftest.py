"""Shared fixtures: every algorithm test runs on NumPy and on array_api_strict.

``array_api_strict`` implements the Array API standard and nothing else, so a
test that passes on it proves that no NumPy-only call hides in the code path.
CuPy runs only where a GPU is present (tests marked ``gpu`` skip otherwise).
"""

import importlib.util

import pytest

BACKENDS = ["numpy", "array_api_strict"]


def cupy_available():
    """Whether CuPy is installed and sees at least one CUDA device."""
    if importlib.util.find_spec("cupy") is None:
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


@pytest.fixture(params=BACKENDS)
def backend_name(request):
    """Name of an array backend available on every machine."""
    return request.param


def pytest_collection_modifyitems(config, items):
    if cupy_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
