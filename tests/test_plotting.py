"""Figures of evodiff.plotting: valid files of the documented size, and clear errors."""

import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image

from evodiff import DiffusionEvolution
from evodiff.plotting import (
    convergence,
    entropy_fitness_scatter,
    landscape,
    landscape_grid,
    population_gif,
)
from evodiff.problems import himmelblau, rastrigin, sphere

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GENERATIONS = 5


def _record_run(problem, seed, generations=GENERATIONS):
    """A real Diffusion Evolution run with the 64 first individuals tracked."""
    opt = DiffusionEvolution(popsize=64, steps=generations, bounds=problem.bounds, rng=seed)
    best, median, positions = [], [], []
    while not opt.done:
        positions.append(np.array(opt.population[:64]))
        X = opt.ask()
        values = problem(X)
        best.append(values.min())
        median.append(np.median(values))
        opt.tell(values)
    return {"best": np.array(best), "median": np.array(median),
            "positions": np.stack(positions), "final": np.array(opt.x0[:64])}


@pytest.fixture(scope="module")
def runs():
    problems = [himmelblau(), rastrigin(2)]
    traces = {}
    for problem in problems:
        for method in ("diffevo", "cmaes"):
            traces[(method, problem.name)] = [_record_run(problem, seed) for seed in range(2)]
    return problems, traces


def _png(path):
    """Check the PNG signature and return the decoded image."""
    with open(path, "rb") as fh:
        assert fh.read(8) == PNG_MAGIC
    image = Image.open(path)
    image.load()
    assert image.format == "PNG"
    return image


def _grey_fraction(image, level=237):
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return np.mean(np.all(np.abs(rgb - level) <= 1, axis=2))


# -- landscape_grid -----------------------------------------------------------------------


def test_landscape_grid_writes_png_of_default_size(runs, tmp_path):
    problems, traces = runs
    path = landscape_grid(problems, ["diffevo", "cmaes"], traces, tmp_path / "sub" / "grid.png",
                          resolution=60)
    assert path == tmp_path / "sub" / "grid.png"
    image = _png(path)
    # Default figsize (3.6 * n_problems + 0.4, 3.0 * n_methods + 0.3) at 100 dpi.
    assert image.size == (760, 630)
    assert _grey_fraction(image) < 0.05


def test_landscape_grid_missing_trace_gives_not_run_panels(runs, tmp_path):
    problems, traces = runs
    full = _png(landscape_grid(problems, ["diffevo"], traces, tmp_path / "full.png", resolution=40))
    empty = _png(landscape_grid(problems, ["never-ran"], traces, tmp_path / "empty.png",
                                resolution=40))
    # Panels with no trace are left empty (light grey) instead of showing a landscape.
    assert _grey_fraction(empty) > 0.3
    assert _grey_fraction(full) < 0.05


def test_landscape_grid_figsize_dpi_titles_and_single_trace(runs, tmp_path):
    problems, traces = runs
    one = {key: value[0] for key, value in traces.items()}  # a dict instead of a list of seeds
    one[("cmaes", "himmelblau")] = {**one[("cmaes", "himmelblau")], "positions": None}
    path = landscape_grid(problems, ["diffevo", "cmaes"], one, tmp_path / "g.png", resolution=30,
                          titles=["Himmelblau", "Rastrigin 2-D"], figsize=(6, 5), dpi=50)
    assert _png(path).size == (300, 250)


class _Custom:
    """A problem that is not an evodiff Problem: name, bounds and an objective method."""

    name = "bowl"
    bounds = np.array([[-2.0, 2.0], [-1.0, 3.0]])

    def objective(self, X):
        return np.sum((X - 1.0) ** 2, axis=1)


class _CallableOnly:
    name = "tilted"
    bounds = [[0.0, 1.0], [0.0, 1.0]]

    def __call__(self, X):
        return X[:, 0] - 2 * X[:, 1]


def test_landscape_grid_accepts_duck_typed_problems_and_names(tmp_path):
    traces = {("m", "bowl"): {"positions": np.zeros((3, 4, 2)), "final": np.ones((4, 2))},
              ("m", "sphere"): {"positions": None, "final": np.zeros(2)}}
    path = landscape_grid([_Custom(), _CallableOnly(), "sphere"], ["m"], traces,
                          tmp_path / "duck.png", resolution=20)
    assert _png(path).size == (1120, 330)


@pytest.mark.parametrize("trace, match", [
    ({"positions": np.zeros((5, 64, 3)), "final": None}, r"\['positions'\].*\(G, N, 2\)"),
    ({"positions": np.zeros((64, 2)), "final": None}, r"\['positions'\]"),
    ({"positions": None, "final": np.zeros((64, 5))}, r"\['final'\].*\(M, 2\)"),
    ("not a trace", r"traces\[\('diffevo', 'himmelblau'\)\]"),
])
def test_landscape_grid_rejects_bad_traces(tmp_path, trace, match):
    with pytest.raises(ValueError, match=match):
        landscape_grid([himmelblau()], ["diffevo"], {("diffevo", "himmelblau"): trace},
                       tmp_path / "bad.png", resolution=10)
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.parametrize("problem, match", [
    (object(), r"problems\[0\] must be an evodiff Problem"),
    ("no-such-problem", r"problems\[0\]: unknown problem"),
    (rastrigin(3), r"problems\[0\] must be a 2-D problem"),
    (type("NoName", (), {"bounds": [[0, 1], [0, 1]], "__call__": lambda s, X: X[:, 0]})(),
     r"problems\[0\] must have a string 'name'"),
    (type("BadBox", (), {"name": "b", "bounds": [[1, 0], [0, 1]],
                         "__call__": lambda s, X: X[:, 0]})(), r"problems\[0\]\.bounds"),
    (type("NotCallable", (), {"name": "n", "bounds": [[0, 1], [0, 1]]})(),
     r"problems\[0\] \('n'\) has no callable"),
    (type("WrongShape", (), {"name": "w", "bounds": [[0, 1], [0, 1]],
                             "__call__": lambda s, X: X})(), r"problems\[0\].*\(N,\)"),
])
def test_landscape_grid_rejects_unknown_problems(tmp_path, problem, match):
    with pytest.raises(ValueError, match=match):
        landscape_grid([problem], ["diffevo"], {}, tmp_path / "bad.png", resolution=10)


def test_landscape_grid_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="methods"):
        landscape_grid([himmelblau()], "diffevo", {}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="problems"):
        landscape_grid([], ["diffevo"], {}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="titles"):
        landscape_grid([himmelblau()], ["diffevo"], {}, tmp_path / "x.png", titles=["a", "b"])
    with pytest.raises(ValueError, match="resolution"):
        landscape_grid([himmelblau()], ["diffevo"], {}, tmp_path / "x.png", resolution=1)


# -- landscape ----------------------------------------------------------------------------


def test_landscape_single_panel(runs, tmp_path):
    _, traces = runs
    trace = traces[("diffevo", "himmelblau")][0]
    path = landscape(himmelblau(), tmp_path / "one.png", points=trace["final"],
                     trajectories=trace["positions"], resolution=50)
    assert _png(path).size == (500, 420)
    with pytest.raises(ValueError, match="points"):
        landscape(himmelblau(), tmp_path / "bad.png", points=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="color_scale"):
        landscape(himmelblau(), tmp_path / "bad.png", color_scale="cubic")


# -- convergence --------------------------------------------------------------------------


def test_convergence_png_of_default_size(runs, tmp_path):
    _, traces = runs
    path = convergence(traces, tmp_path / "conv.png")
    image = _png(path)
    # Two problems in one row; legend of 2 methods + 2 line styles takes 2 rows of 0.25 in.
    assert image.size == (880, 405)
    # Coloured curves were drawn: the two method colours appear.
    rgb = np.asarray(image.convert("RGB")).astype(int)
    for colour in ((31, 119, 180), (255, 127, 14)):
        assert np.any(np.all(np.abs(rgb - colour) <= 3, axis=2)), colour


def test_convergence_unequal_lengths_negative_values_and_options(tmp_path):
    rng = np.random.default_rng(0)
    traces = {
        ("a", "p"): [{"best": -np.linspace(1, 5, 10), "median": np.zeros(10)},
                     {"best": -np.linspace(1, 4, 7), "median": None}],
        ("b", "p"): {"best": rng.normal(size=12), "median": rng.normal(size=12)},
        ("a", "q"): [{"best": np.array([3.0]), "median": np.array([4.0])}],
        ("b", "r"): [{"best": np.zeros(4)}],
        ("c", "s"): [{"best": np.geomspace(10, 1e-6, 20), "median": np.geomspace(100, 1e-3, 20)}],
    }
    for log, band in ((True, "iqr"), (False, "minmax")):
        path = convergence(traces, tmp_path / f"c{log}.png", log=log, band=band,
                           figsize=(9, 6), dpi=80)
        assert _png(path).size == (720, 480)


@pytest.mark.parametrize("traces, match", [
    ({}, "traces_by_key"),
    ({"diffevo": [{"best": np.ones(3)}]}, "keys must be"),
    ({("a", "p"): []}, r"traces_by_key\[\('a', 'p'\)\]"),
    ({("a", "p"): [{"median": np.ones(3)}]}, r"traces_by_key\[\('a', 'p'\)\]\[0\] has no 'best'"),
    ({("a", "p"): [{"best": np.ones((3, 2))}]}, r"\[0\]\['best'\] must have shape \(G,\)"),
    ({("a", "p"): [{"best": np.ones(3), "median": np.ones((2, 2))}]}, r"\['median'\]"),
])
def test_convergence_rejects_bad_input(tmp_path, traces, match):
    with pytest.raises(ValueError, match=match):
        convergence(traces, tmp_path / "bad.png")


def test_convergence_rejects_unknown_band(runs, tmp_path):
    with pytest.raises(ValueError, match="band"):
        convergence(runs[1], tmp_path / "bad.png", band="stderr")


# -- entropy_fitness_scatter --------------------------------------------------------------


def _rows():
    rng = np.random.default_rng(1)
    return [{"method": m, "problem": p, "entropy": float(rng.uniform(0, 6)),
             "fitness": float(rng.uniform(0.5, 1))}
            for m in ("diffevo", "cmaes", "openes") for p in ("himmelblau", "rastrigin")
            for _ in range(3)]


def test_entropy_fitness_scatter_png(tmp_path):
    rows = _rows() + [{"method": "pepg", "problem": "himmelblau", "entropy": np.float32(2.0),
                       "fitness": float("nan")}]
    path = entropy_fitness_scatter(rows, tmp_path / "scatter.png")
    image = _png(path)
    assert image.size == (800, 380)  # two panels of 4.0 x 3.4 in plus a 0.4 in legend strip
    rgb = np.asarray(image.convert("RGB")).astype(int)
    for colour in ((31, 119, 180), (255, 127, 14), (44, 160, 44)):
        assert np.any(np.all(np.abs(rgb - colour) <= 3, axis=2)), colour


@pytest.mark.parametrize("rows, match", [
    ([], "rows"),
    ({"method": "a"}, "rows"),
    ([{"method": "a", "problem": "p", "entropy": 1.0, "fitness": 0.5},
      {"method": "a", "problem": "p", "entropy": 1.0}], r"rows\[1\] lacks the key\(s\) 'fitness'"),
    ([{"method": "a", "problem": "p", "entropy": "high", "fitness": 0.5}],
     r"rows\[0\]\['entropy'\] must be a real number"),
    ([["a", "p", 1.0, 0.5]], r"rows\[0\] must be a dict"),
])
def test_entropy_fitness_scatter_rejects_bad_rows(tmp_path, rows, match):
    with pytest.raises(ValueError, match=match):
        entropy_fitness_scatter(rows, tmp_path / "bad.png")


# -- population_gif -----------------------------------------------------------------------


def test_population_gif_has_one_frame_per_generation(runs, tmp_path):
    _, traces = runs
    trace = traces[("diffevo", "himmelblau")][0]
    path = population_gif(himmelblau(), trace["positions"], tmp_path / "pop.gif", fps=4,
                          final=trace["final"], resolution=40)
    with open(path, "rb") as fh:
        assert fh.read(6) == b"GIF89a"
    with Image.open(path) as image:
        assert image.format == "GIF"
        assert image.size == (500, 440)
        assert image.n_frames == GENERATIONS
        assert image.info["duration"] == 250
        assert image.info["loop"] == 0
        frames = []
        for k in range(image.n_frames):
            image.seek(k)
            frames.append(np.asarray(image.convert("RGB")))
    # The population moves, so consecutive frames differ.
    assert all(np.any(a != b) for a, b in zip(frames, frames[1:]))


def test_population_gif_custom_size(tmp_path):
    positions = np.random.default_rng(2).uniform(-1, 1, size=(3, 10, 2))
    path = population_gif(sphere(2), positions, tmp_path / "s.gif", figsize=(3, 2.5), dpi=80,
                          resolution=20)
    with Image.open(path) as image:
        assert image.size == (240, 200)
        assert image.n_frames == 3


@pytest.mark.parametrize("kwargs, match", [
    ({"positions": np.zeros((5, 64))}, r"positions must have shape \(G, N, 2\)"),
    ({"positions": np.zeros((5, 64, 3))}, r"positions must have shape \(G, N, 2\)"),
    ({"positions": None}, "positions"),
    ({"positions": np.zeros((5, 4, 2)), "final": np.zeros((4, 3))}, r"final must have shape"),
    ({"positions": np.zeros((5, 4, 2)), "fps": 0}, "fps"),
    ({"positions": np.zeros((5, 4, 2)), "problem": 42}, "problem must be"),
])
def test_population_gif_rejects_bad_input(tmp_path, kwargs, match):
    args = {"problem": himmelblau(), "path": tmp_path / "bad.gif", **kwargs}
    with pytest.raises(ValueError, match=match):
        population_gif(**args)
    assert not (tmp_path / "bad.gif").exists()


# -- no global state ----------------------------------------------------------------------


def test_plotting_leaves_backend_and_pyplot_alone(tmp_path):
    backend = matplotlib.rcParams["backend"]
    had_pyplot = "matplotlib.pyplot" in sys.modules
    landscape(himmelblau(), tmp_path / "l.png", resolution=10)
    assert matplotlib.rcParams["backend"] == backend
    if had_pyplot:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
    else:
        assert "matplotlib.pyplot" not in sys.modules
