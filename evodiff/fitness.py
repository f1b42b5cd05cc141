"""From objective values to the log-weights of Diffusion Evolution.

Direction is settled in exactly one place, :func:`to_cost`: whatever the user
asked for (minimise or maximise), optimisers work with a *cost* that is lower
for better points, with every non-finite objective value turned into ``+inf``
(the worst).  The mappings below then turn costs into ``log g``, the log of the
non-negative weight ``g`` that Diffusion Evolution gives each individual.  A
cost of ``+inf`` always maps to ``log g = -inf`` (weight zero).

Mappings work on the *fitness* ``phi = -cost``, which is the objective itself
when maximising and its negative when minimising.
"""

from __future__ import annotations

import warnings

from .validation import check_real

__all__ = [
    "FitnessMapping",
    "Rank",
    "Energy",
    "Identity",
    "Power",
    "make_fitness",
    "to_cost",
    "centered_ranks",
    "NonFiniteObjectiveWarning",
]


class NonFiniteObjectiveWarning(RuntimeWarning):
    """The objective returned NaN or infinity; those points count as the worst."""


def to_cost(xp, values, sense, warn_state=None):
    """Turn objective values into costs (lower is better), the one direction flip.

    Parameters
    ----------
    xp : module
        Array namespace of ``values``.
    values : array, shape (N,)
        Objective values, already validated for shape and dtype.
    sense : {'min', 'max'}
        Whether the objective is minimised or maximised.
    warn_state : dict, optional
        Mutable dict shared across calls; a warning about non-finite values is
        issued only while ``warn_state.get('warned')`` is false, so a run warns
        once.

    Returns
    -------
    array, shape (N,)
        ``values`` (minimise) or ``-values`` (maximise), with NaN and infinities
        replaced by ``+inf``.  A new array; the input is not modified.
    """
    cost = values if sense == "min" else -values
    finite = xp.isfinite(cost)
    if not bool(xp.all(finite)):
        if warn_state is None or not warn_state.get("warned"):
            bad = int(xp.sum(xp.astype(~finite, xp.int64)))
            warnings.warn(
                f"the objective returned {bad} non-finite value(s) (NaN or inf); "
                "they are treated as the worst possible value. This warning is shown "
                "once per run.",
                NonFiniteObjectiveWarning,
                stacklevel=3,
            )
            if warn_state is not None:
                warn_state["warned"] = True
        cost = xp.where(finite, cost, xp.asarray(float("inf"), dtype=cost.dtype))
    elif sense == "min":
        cost = xp.asarray(cost, copy=True)
    return cost


def _dead_to_minus_inf(xp, cost, log_g):
    """Give weight zero (``log g = -inf``) to every point whose cost is ``+inf``."""
    minus_inf = xp.asarray(float("-inf"), dtype=log_g.dtype)
    return xp.where(xp.isfinite(cost), log_g, minus_inf)


class FitnessMapping:
    """Base class: maps costs (lower is better) to log-weights ``log g``.

    Subclasses implement :meth:`log_weights`.  Any callable with the same
    signature can serve as a mapping.
    """

    name = "mapping"

    def log_weights(self, xp, cost):
        """Return ``log g`` for ``cost`` (shape (N,)); ``-inf`` where cost is ``+inf``."""
        raise NotImplementedError

    def __call__(self, xp, cost):
        return self.log_weights(xp, cost)


class Rank(FitnessMapping):
    """Rank-based weights: ``log g = -strength * rank / (N - 1)``.

    The best point (rank 0) gets ``g = 1`` and the worst ``g = exp(-strength)``.
    Ranks depend only on the order of the objective values, so the run is the
    same, bit for bit, on ``f`` and on any increasing transform such as
    ``1000 f + 7``: this is the scale-free default.  Ties are broken by index.

    Parameters
    ----------
    strength : float, default 10.0
        Log-ratio of the best to the worst weight.
    """

    name = "rank"

    def __init__(self, strength=10.0):
        self.strength = check_real("strength", strength, minimum=0, strict=True)

    def log_weights(self, xp, cost):
        n = cost.shape[0]
        order = xp.argsort(cost, stable=True)
        ranks = xp.argsort(order, stable=True)
        scale = self.strength / max(n - 1, 1)
        log_g = -xp.astype(ranks, cost.dtype) * scale
        return _dead_to_minus_inf(xp, cost, log_g)

    def __repr__(self):
        return f"Rank(strength={self.strength})"


class Energy(FitnessMapping):
    """Boltzmann weights ``g = exp(-cost / temperature)``.

    For minimisation this is ``exp(-f / T)``.  Not scale-free: the temperature
    is in the units of the objective.

    Parameters
    ----------
    temperature : float, default 1.0
    """

    name = "energy"

    def __init__(self, temperature=1.0):
        self.temperature = check_real("temperature", temperature, minimum=0, strict=True)

    def log_weights(self, xp, cost):
        log_g = -cost / self.temperature
        return _dead_to_minus_inf(xp, cost, log_g)

    def __repr__(self):
        return f"Energy(temperature={self.temperature})"


class Power(FitnessMapping):
    """Weights ``g = phi ** exponent`` of a non-negative fitness ``phi = -cost``.

    With ``exponent = 1`` this is the identity mapping of the paper, where the
    fitness itself is the density.  Meant for maximising a non-negative
    objective (``phi = f``); when minimising, ``phi = -f`` must be non-negative.

    Parameters
    ----------
    exponent : float, default 1.0

    Raises
    ------
    ValueError
        From :meth:`log_weights` when a finite fitness is negative.
    """

    name = "power"

    def __init__(self, exponent=1.0):
        self.exponent = check_real("exponent", exponent, minimum=0, strict=True)

    def log_weights(self, xp, cost):
        phi = -cost
        finite = xp.isfinite(cost)
        if bool(xp.any(finite & (phi < 0))):
            worst = float(xp.min(xp.where(finite, phi, xp.asarray(0.0, dtype=phi.dtype))))
            raise ValueError(
                f"the {self.name} fitness mapping needs a non-negative fitness (the objective "
                f"when maximising, its negative when minimising); got a value of {worst!r}. "
                "Use fitness='rank' or 'energy' for objectives of any sign."
            )
        positive = finite & (phi > 0)
        log_g = self.exponent * xp.log(xp.where(positive, phi, xp.asarray(1.0, dtype=phi.dtype)))
        # A fitness of exactly zero is a weight of exactly zero.
        return xp.where(positive, log_g, xp.asarray(float("-inf"), dtype=phi.dtype))

    def __repr__(self):
        return f"Power(exponent={self.exponent})"


class Identity(Power):
    """The paper's mapping ``g = phi``: the (non-negative) fitness is the density."""

    name = "identity"

    def __init__(self):
        super().__init__(1.0)

    def __repr__(self):
        return "Identity()"


_NAMED = {"rank": Rank, "energy": Energy, "identity": Identity, "power": Power}


def make_fitness(fitness="rank"):
    """Return a fitness mapping from a name or an existing mapping.

    Parameters
    ----------
    fitness : {'rank', 'energy', 'identity', 'power'}, FitnessMapping or callable
        A name gives the mapping with default parameters; a callable
        ``(xp, cost) -> log_g`` is used as it is.

    Returns
    -------
    FitnessMapping or callable
    """
    if isinstance(fitness, str):
        key = fitness.lower()
        if key not in _NAMED:
            raise ValueError(f"fitness must be one of {sorted(_NAMED)}; got {fitness!r}")
        return _NAMED[key]()
    if callable(fitness):
        return fitness
    raise TypeError(
        f"fitness must be a name, a FitnessMapping or a callable; got {type(fitness).__name__}"
    )


def centered_ranks(xp, cost):
    """Fitness shaping of the evolution strategies: ranks mapped to [-0.5, 0.5].

    The best point (lowest cost) gets +0.5, the worst -0.5, evenly spaced in
    between (Salimans et al. 2017; as in estool).  Non-finite costs are ranked
    last.  Invariant to any increasing transform of the objective.

    Parameters
    ----------
    xp : module
    cost : array, shape (N,)

    Returns
    -------
    array, shape (N,)
        Utilities, higher is better.
    """
    n = cost.shape[0]
    order = xp.argsort(cost, stable=True)
    ranks = xp.astype(xp.argsort(order, stable=True), cost.dtype)
    return 0.5 - ranks / max(n - 1, 1)
