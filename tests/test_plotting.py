"""Figures of evodiff.plotting: valid files of the documented size, and clear errors."""

import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image

from evodiff import DiffusionEvolution, plotting
from evodiff.plotting import (
    convergence,
    entropy_fitness_scatter,
    landscape,
    landscape_grid,
    population_gif,
    series_plot,
)
from evodiff.problems import Problem, himmelblau, rastrigin, sphere

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
            "positions": np.stack(positions), "final": np.array(opt.estimates[:64])}


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


def _square_problem(name, fn):
    """A 2-D Problem on [0, 1]^2 with the given raw function."""
    return Problem(name, 2, [0.0, 0.0], [1.0, 1.0], [[0.5, 0.5]], 0.0, "min", fn)


def test_landscape_grid_accepts_problems_and_names(tmp_path):
    tilted = _square_problem("tilted", lambda X: X[:, 0] - 2 * X[:, 1])
    traces = {("m", "tilted"): {"positions": np.zeros((3, 4, 2)), "final": np.ones((4, 2))},
              ("m", "sphere"): {"positions": None, "final": np.zeros(2)},
              ("m", "two_peaks"): {"positions": None, "final": None}}
    path = landscape_grid([tilted, "sphere", "two_peaks"], ["m"], traces,
                          tmp_path / "names.png", resolution=20)
    assert _png(path).size == (1120, 330)


class _DuckTyped:
    """Looks like a problem (name, bounds, objective) but is not an evodiff Problem."""

    name = "bowl"
    bounds = np.array([[-2.0, 2.0], [-1.0, 3.0]])

    def objective(self, X):
        return np.sum((X - 1.0) ** 2, axis=1)


def _infinite_box():
    problem = himmelblau()
    # A Problem checks its own box; force a bad one to reach the plot's own check.
    object.__setattr__(problem, "upper", np.array([np.inf, 5.0]))
    return problem


def _failing(X):
    raise RuntimeError("no evaluations today")


@pytest.mark.parametrize("problem, error, match", [
    (object(), TypeError,
     r"problems\[0\] must be an evodiff Problem or a problem name; got object"),
    (_DuckTyped(), TypeError, r"problems\[0\] must be an evodiff Problem.*_DuckTyped"),
    (("sphere", 2), TypeError, r"problems\[0\] must be an evodiff Problem"),
    ("no-such-problem", ValueError, r"problems\[0\]: unknown problem"),
    (rastrigin(3), ValueError, r"problems\[0\] must be a 2-D problem, got dim=3"),
    (_infinite_box(), ValueError, r"problems\[0\]\.bounds must be finite"),
    (_square_problem("w", lambda X: X), ValueError, r"problems\[0\].*\(N,\)"),
    (_square_problem("f", _failing), ValueError, r"problems\[0\] \('f'\) failed.*no evaluations"),
])
def test_landscape_grid_rejects_unusable_problems(tmp_path, problem, error, match):
    with pytest.raises(error, match=match):
        landscape_grid([problem], ["diffevo"], {}, tmp_path / "bad.png", resolution=10)
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.parametrize("trace, error, match", [
    ({"positions": np.zeros((5, 64, 3)), "final": None}, ValueError,
     r"\['positions'\].*\(G, N, 2\)"),
    ({"positions": np.zeros((64, 2)), "final": None}, ValueError, r"\['positions'\]"),
    ({"positions": None, "final": np.zeros((64, 5))}, ValueError, r"\['final'\].*\(M, 2\)"),
    ({"positions": None, "final": [["a", "b"]]}, TypeError, r"\['final'\] must be a numeric"),
    ("not a trace", TypeError, r"traces\[\('diffevo', 'himmelblau'\)\] must be a trace dict"),
])
def test_landscape_grid_rejects_bad_traces(tmp_path, trace, error, match):
    with pytest.raises(error, match=match):
        landscape_grid([himmelblau()], ["diffevo"], {("diffevo", "himmelblau"): trace},
                       tmp_path / "bad.png", resolution=10)
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([himmelblau()], "diffevo", {}), {}, TypeError, "methods must be a sequence"),
    (([himmelblau()], [], {}), {}, ValueError, "methods must be a non-empty"),
    (([himmelblau()], ["diffevo", 3], {}), {}, TypeError, "methods must hold strings"),
    (([], ["diffevo"], {}), {}, ValueError, "problems must be a non-empty"),
    ((himmelblau(), ["diffevo"], {}), {}, TypeError, "problems must be a sequence"),
    (([himmelblau()], ["diffevo"], []), {}, TypeError, "traces must be a mapping"),
    (([himmelblau()], ["diffevo"], {}), {"titles": ["a", "b"]}, ValueError, "titles"),
    (([himmelblau()], ["diffevo"], {}), {"titles": "ab"}, TypeError, "titles"),
    (([himmelblau()], ["diffevo"], {}), {"resolution": 1}, ValueError, "resolution must be >= 2"),
    (([himmelblau()], ["diffevo"], {}), {"resolution": 20.0}, TypeError,
     "resolution must be an int"),
    (([himmelblau()], ["diffevo"], {}), {"color_scale": "cubic"}, ValueError, "color_scale"),
    (([himmelblau()], ["diffevo"], {}), {"show_optima": "yes"}, TypeError, "show_optima"),
    (([himmelblau()], ["diffevo"], {}), {"dpi": 0}, ValueError, "dpi must be > 0"),
    (([himmelblau()], ["diffevo"], {}), {"dpi": "100"}, TypeError, "dpi must be a number"),
    (([himmelblau()], ["diffevo"], {}), {"dpi": float("inf")}, ValueError, "dpi must be finite"),
    (([himmelblau()], ["diffevo"], {}), {"figsize": (6, -1)}, ValueError,
     r"figsize\[1\] must be > 0"),
    (([himmelblau()], ["diffevo"], {}), {"figsize": ("6", 4)}, TypeError, r"figsize\[0\]"),
    (([himmelblau()], ["diffevo"], {}), {"figsize": (6, 4, 2)}, ValueError, "two values"),
    (([himmelblau()], ["diffevo"], {}), {"figsize": 6}, TypeError, "figsize must be a pair"),
])
def test_landscape_grid_rejects_bad_arguments(tmp_path, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        landscape_grid(*args, tmp_path / "x.png", **kwargs)
    assert not (tmp_path / "x.png").exists()


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
    with pytest.raises(TypeError, match="problem must be an evodiff Problem"):
        landscape(_DuckTyped(), tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_landscape_by_name_and_maximisation(tmp_path):
    path = landscape("two_peaks", tmp_path / "peaks.png", resolution=20, title="Two peaks",
                     color_scale="linear", show_optima=False, figsize=(4, 3), dpi=50)
    assert _png(path).size == (200, 150)


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


@pytest.mark.parametrize("traces, error, match", [
    ({}, ValueError, "traces_by_key must be a non-empty"),
    ([{"best": np.ones(3)}], TypeError, "traces_by_key must be a mapping"),
    ({"diffevo": [{"best": np.ones(3)}]}, TypeError, "keys must be"),
    ({("a", "p"): []}, ValueError, r"traces_by_key\[\('a', 'p'\)\] must be a non-empty"),
    ({("a", "p"): "best"}, TypeError, r"traces_by_key\[\('a', 'p'\)\] must be a trace dict"),
    ({("a", "p"): [3.0]}, TypeError, r"traces_by_key\[\('a', 'p'\)\]\[0\] must be a trace dict"),
    ({("a", "p"): [{"median": np.ones(3)}]}, ValueError,
     r"traces_by_key\[\('a', 'p'\)\]\[0\] has no 'best'"),
    ({("a", "p"): [{"best": np.ones((3, 2))}]}, ValueError,
     r"\[0\]\['best'\] must have shape \(G,\)"),
    ({("a", "p"): [{"best": ["x", "y"]}]}, TypeError, r"\[0\]\['best'\] must be a numeric"),
    ({("a", "p"): [{"best": np.ones(3), "median": np.ones((2, 2))}]}, ValueError, r"\['median'\]"),
])
def test_convergence_rejects_bad_input(tmp_path, traces, error, match):
    with pytest.raises(error, match=match):
        convergence(traces, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"band": "stderr"}, ValueError, "band must be one of 'iqr', 'minmax'"),
    ({"log": "yes"}, TypeError, "log must be True or False"),
    ({"dpi": -5}, ValueError, "dpi"),
    ({"figsize": (0, 3)}, ValueError, r"figsize\[0\]"),
])
def test_convergence_rejects_bad_options(runs, tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        convergence(runs[1], tmp_path / "bad.png", **kwargs)


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


@pytest.mark.parametrize("rows, error, match", [
    ([], ValueError, "rows must be a non-empty"),
    ({"method": "a"}, TypeError, "rows must be a list"),
    ([{"method": "a", "problem": "p", "entropy": 1.0, "fitness": 0.5},
      {"method": "a", "problem": "p", "entropy": 1.0}], ValueError,
     r"rows\[1\] lacks the key\(s\) 'fitness'"),
    ([{"method": "a", "problem": "p", "entropy": "high", "fitness": 0.5}], TypeError,
     r"rows\[0\]\['entropy'\] must be a real number"),
    ([{"method": "a", "problem": "p", "entropy": 1.0, "fitness": True}], TypeError,
     r"rows\[0\]\['fitness'\] must be a real number"),
    ([["a", "p", 1.0, 0.5]], TypeError, r"rows\[0\] must be a dict"),
])
def test_entropy_fitness_scatter_rejects_bad_rows(tmp_path, rows, error, match):
    with pytest.raises(error, match=match):
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


@pytest.mark.parametrize("kwargs, error, match", [
    ({"positions": np.zeros((5, 64))}, ValueError, r"positions must have shape \(G, N, 2\)"),
    ({"positions": np.zeros((5, 64, 3))}, ValueError, r"positions must have shape \(G, N, 2\)"),
    ({"positions": None}, TypeError, "positions must be an array"),
    ({"positions": np.zeros((5, 4, 2)), "final": np.zeros((4, 3))}, ValueError,
     r"final must have shape"),
    ({"positions": np.zeros((5, 4, 2)), "fps": 0}, ValueError, "fps must be > 0"),
    ({"positions": np.zeros((5, 4, 2)), "fps": "fast"}, TypeError, "fps must be a number"),
    ({"positions": np.zeros((5, 4, 2)), "problem": 42}, TypeError, "problem must be"),
    ({"positions": np.zeros((5, 4, 2)), "resolution": 0}, ValueError, "resolution"),
])
def test_population_gif_rejects_bad_input(tmp_path, kwargs, error, match):
    args = {"problem": himmelblau(), "path": tmp_path / "bad.gif", **kwargs}
    with pytest.raises(error, match=match):
        population_gif(**args)
    assert not (tmp_path / "bad.gif").exists()


# -- series_plot ----------------------------------------------------------------------------


def _colour_present(image, colour):
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return bool(np.any(np.all(np.abs(rgb - colour) <= 3, axis=2)))


def test_series_plot_panels_lines_and_references(tmp_path):
    panels = {
        "returns": {"latent-diffevo": [10.0, 60.0, 200.0, 500.0],
                    "cmaes": np.array([9.0, 12, 30, 44]), "goal": 475.0},
        "sweep": {"custom": ([1, 2, 4, 8], [0.1, 0.5, 2.0, 9.0])},
        "nothing ran": {},
    }
    path = series_plot(panels, tmp_path / "lines" / "s.png", ylabel="median return",
                       ylim=(0, 520))
    assert path == tmp_path / "lines" / "s.png"
    image = _png(path)
    assert image.size == (1800, 400)  # three panels of 6 x 4 inches in one row
    # Registered methods keep their usual colours: CMA-ES orange, latent diffevo purple.
    assert _colour_present(image, (255, 127, 14))
    assert _colour_present(image, (148, 103, 189))


def test_series_plot_log_axes_and_rows(tmp_path):
    panels = {f"p{k}": {"a": ([1, 2, 4, 8], [1.0, 0.1, 0.01, 0.001]), "b": 0.05} for k in range(4)}
    path = series_plot(panels, tmp_path / "log.png", xlabel="d", log=True, log_x=2, dpi=50)
    assert _png(path).size == (900, 400)  # 3 panels per row, 2 rows, at 50 dpi


def test_series_plot_draws_the_lines(tmp_path):
    empty = _png(series_plot({"t": {}}, tmp_path / "empty.png", figsize=(4, 3)))
    full = _png(series_plot({"t": {"diffevo": [1.0, 3.0, 2.0]}}, tmp_path / "full.png",
                            figsize=(4, 3)))
    blue = (31, 119, 180)  # Diffusion Evolution
    assert _colour_present(full, blue) and not _colour_present(empty, blue)


@pytest.mark.parametrize("panels, kwargs, error, match", [
    ({}, {}, ValueError, "panels must hold at least one panel"),
    ([1.0, 2.0], {}, TypeError, "panels must be a mapping"),
    ({"t": [1.0, 2.0]}, {}, TypeError, "panels must map str titles to mappings"),
    ({"t": {3: [1.0]}}, {}, TypeError, r"panels\['t'\] labels must be strings"),
    ({"t": {"a": []}}, {}, ValueError, r"panels\['t'\]\['a'\] must have shape \(G,\)"),
    ({"t": {"a": np.ones((2, 2))}}, {}, ValueError, r"panels\['t'\]\['a'\] must have shape"),
    ({"t": {"a": ["x"]}}, {}, TypeError, r"panels\['t'\]\['a'\] must be a numeric"),
    ({"t": {"a": ([1, 2], [1.0])}}, {}, ValueError, "x and y of one length"),
    ({"t": {"a": ([1], [1.0], [2.0])}}, {}, ValueError, r"must be a pair \(x, y\)"),
    ({"t": {"a": float("nan")}}, {}, ValueError, r"panels\['t'\]\['a'\] must be finite"),
    ({"t": {"a": [1.0]}}, {"log": 1}, TypeError, "log must be True or False"),
    ({"t": {"a": [1.0]}}, {"log_x": 1}, ValueError, "log_x must be > 1"),
    ({"t": {"a": [1.0]}}, {"ylim": (5, 1)}, ValueError, "low < high"),
    ({"t": {"a": [1.0]}}, {"ylim": (0, 1, 2)}, ValueError, "two values"),
    ({"t": {"a": [1.0]}}, {"ylim": 3}, TypeError, "ylim must be a pair"),
    ({"t": {"a": [1.0]}}, {"xlabel": None}, TypeError, "xlabel must be a string"),
    ({"t": {"a": [1.0]}}, {"dpi": 0}, ValueError, "dpi"),
])
def test_series_plot_rejects_bad_input(tmp_path, panels, kwargs, error, match):
    with pytest.raises(error, match=match):
        series_plot(panels, tmp_path / "bad.png", **kwargs)
    assert not (tmp_path / "bad.png").exists()


# -- the package ----------------------------------------------------------------------------


def test_package_exports_the_figures_and_no_label_table():
    assert set(plotting.__all__) == {"convergence", "entropy_fitness_scatter", "landscape",
                                     "landscape_grid", "population_gif", "series_plot"}
    assert all(callable(getattr(plotting, name)) for name in plotting.__all__)
    # Display names come from evodiff.registry, not from a table of the plotting package.
    assert not hasattr(plotting, "METHOD_LABELS")


# -- no global state ----------------------------------------------------------------------


def test_plotting_leaves_backend_and_pyplot_alone(tmp_path):
    backend = matplotlib.rcParams["backend"]
    had_pyplot = "matplotlib.pyplot" in sys.modules
    landscape(himmelblau(), tmp_path / "l.png", resolution=10)
    series_plot({"t": {"a": [1.0, 2.0]}}, tmp_path / "s.png")
    assert matplotlib.rcParams["backend"] == backend
    if had_pyplot:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
    else:
        assert "matplotlib.pyplot" not in sys.modules
