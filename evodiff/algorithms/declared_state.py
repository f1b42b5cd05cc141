"""What every optimiser does with its declared state: settings, state, restore, checks.

:class:`DeclaredState` is the base of :class:`~evodiff.algorithms.base.Optimizer`:
the generic checkpointing of a class that declares ``SETTINGS``, ``STATE`` and
``PARTS`` (:mod:`evodiff.state`), with the checks every saved state must pass.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from ..state import InvalidState, restore_state, settings_of, state_of

__all__ = ["DeclaredState"]


class DeclaredState:
    """Generic checkpointing of an optimiser (a mixin of :class:`Optimizer`)."""

    def _largest_generation(self, values):
        """The most values the last generation of a saved run can hold (its popsize)."""
        return values.get("popsize", self.popsize)

    def _check_restored(self, values):
        """Refuse a saved state whose values do not fit together or leave the box.

        Called by :func:`evodiff.state.restore_state` with the decoded
        ``{attribute: value}`` of this optimiser, before anything is assigned.
        """
        last = values.get("_last_values")
        popsize = self._largest_generation(values)
        if last is not None and last.shape[0] > popsize:
            raise InvalidState(f"state 'last_values' holds {last.shape[0]} values, more than a "
                               f"generation of {popsize}")
        if values.get("nfev", 0) < values.get("nit", 0):
            raise InvalidState(f"state 'nfev' ({values.get('nfev')}) is below 'nit' "
                               f"({values.get('nit')}): every generation tells at least one value")
        space = self.space
        if not space.bounded:
            return
        for name, attr in (("best_x", "_best_x"), ("pending_points", "_pending_points")):
            value = values.get(attr)
            if value is None:
                continue
            host = np.asarray(self.backend.to_host(value), dtype=np.float64)
            if np.any(host < space.lower) or np.any(host > space.upper):
                raise InvalidState(f"state {name!r} lies outside the bounds")

    @property
    def _bounds_box(self):
        space = self.space
        return np.stack([space.lower, space.upper], axis=1) if space.bounded else None

    def checkpoint_settings(self):
        """The settings a resumed run must share with the run that saved the checkpoint.

        :func:`evodiff.checkpoint.restore` compares them, key by key, with the
        settings stored in the file and names the first that differs.
        Stopping rules (``maxiter``, ``maxfevals``, ``ftarget``, tolerances)
        are not settings in this sense: they may change, so that a finished
        run can be extended.

        Returns
        -------
        dict
            Setting name -> JSON-compatible value or host NumPy array, as
            declared in ``SETTINGS`` (and the parts' ``SETTINGS``).
        """
        return settings_of(self)

    def state_dict(self):
        """The full state of the run, enough to continue it exactly.

        The fields declared in ``STATE`` (and the parts' ``STATE``, under
        their prefixes): counters, best point, warning state, random
        generator, last values, the pending ``ask`` and each algorithm's own
        arrays, copied to the host.

        Returns
        -------
        dict
            Name -> host NumPy array, ``None`` or a JSON-compatible value.
        """
        return state_of(self)

    def load_state_dict(self, state):
        """Overwrite the state of this optimiser with one from :meth:`state_dict`.

        The optimiser must have been built with the same settings as the one
        that produced ``state`` (see :meth:`checkpoint_settings`).  Every
        field is validated before any is assigned, so a failed restore leaves
        the optimiser as it was.  On CuPy the device generator's state is not
        part of ``state``: it is re-seeded from the restored host generator
        and the generation count, so a resumed run is reproducible but draws
        other device numbers than the uninterrupted run would have.

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict` (possibly after a trip through
            a checkpoint file).

        Raises
        ------
        ValueError
            If the random generator is of another kind, or a field has the
            wrong shape or kind.
        KeyError
            If an entry is missing.
        """
        restore_state(self, state)

    def _after_restore(self):
        if self.backend.name == "cupy":
            text = json.dumps([self.rng.bit_generator.state, self.nit, self.nfev],
                              sort_keys=True, default=str)
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "little")
            self._sampler.reseed_device(seed)
