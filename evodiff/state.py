"""Declared optimiser state: each class lists its fields once, generic code saves and restores them.

An optimiser class (and each component it holds, such as a gradient stepper
or a latent encoder) declares

- ``SETTINGS``: a tuple of :class:`Setting`, the constructor choices a
  resumed run must share with the run that was saved;
- ``STATE``: a tuple of :class:`Field`, everything that changes during a run;
- ``PARTS``: a tuple of :class:`Part`, components with declarations of their own.

:func:`settings_of`, :func:`state_of` and :func:`restore_state` turn those
declarations into the dicts of :mod:`evodiff.checkpoint` (host NumPy arrays
and JSON values) and back.  A restore validates every field first and only
then assigns them, so a failed restore leaves the optimiser untouched.

Field kinds
-----------
``'array'``: an array on the optimiser's backend (saved as a host copy,
restored with ``backend.asarray``).  ``'host'``: a float64 NumPy array.
``'int'``, ``'float'``, ``'bool'``, ``'str'``: scalars.  ``'floats'``: a list
of floats (saved as a float64 array).  ``'strings'``: a list of strings.
``'json'``: plain JSON data (see :func:`evodiff.jsonvalues.to_plain`).
``'rng'``: a :class:`numpy.random.Generator`, saved as its bit generator's state.

Shapes are tuples whose entries are ints, ``None`` (any length) or names:
a name is looked up first among the fields being restored (so a population
size saved with the state fixes the shape of the arrays saved with it), then
as an attribute of the component, then of the optimiser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .jsonvalues import to_plain

__all__ = ["Field", "Setting", "Part", "settings_of", "state_of", "restore_state",
           "InvalidState", "fingerprint", "setting_mismatch"]

_KINDS = ("array", "host", "int", "float", "bool", "str", "floats", "strings", "json", "rng")


#: Largest counter (generations, evaluations, steps...) a saved state may hold.
MAX_COUNT = 2**53

#: Largest step size or rate a saved state may hold: beyond it a sample overflows to inf.
MAX_STEP = 1e100

#: The domains a field's values may be declared to lie in, and what each means.
DOMAINS = {
    "cost": "a number or +inf (no value yet); never NaN or -inf",
    "costs": "numbers or +inf; never NaN or -inf",
    "step": f"positive and at most {MAX_STEP:g}",
    "steps": f"positive and at most {MAX_STEP:g}",
    "condition": "at least 1 and at most 1e16 (CMA-ES keeps C's condition below that)",
    "nonnegative": "at least 0 and finite",
    "mapping": "a dict (JSON object)",
}


def _check_domain(where, domain, values):
    """Raise :class:`InvalidState` when ``values`` (a float or an array) leave ``domain``."""
    array = np.asarray(values, dtype=np.float64)
    if domain in ("cost", "costs"):
        bad = np.isnan(array) | (array == -np.inf)
    elif domain in ("step", "steps"):
        bad = ~((array > 0) & (array <= MAX_STEP))
    elif domain == "condition":
        bad = ~((array >= 1) & (array <= 1e16))
    else:
        bad = ~((array >= 0) & np.isfinite(array))
    if np.any(bad):
        shown = float(array) if array.ndim == 0 else float(array[bad][0])
        raise InvalidState(f"{where} must be {DOMAINS[domain]}; got {shown!r}")


def fingerprint(kind, function, probe):
    """A text that tells callables apart: their name and their values on a fixed input.

    A checkpoint cannot compare two user functions, but it can refuse to
    continue a run with one that has another name or gives other values on
    a fixed probe (``probe()`` calls the function; its result is rounded to
    12 significant digits).  A probe that raises gives ``'probe failed'``.

    Parameters
    ----------
    kind : str
        Leading word (``'callable'``).
    function : callable
    probe : callable
        ``probe() -> host array``: the function evaluated on the fixed input.

    Returns
    -------
    str
    """
    name = getattr(function, "__qualname__", None) or type(function).__name__
    module = getattr(function, "__module__", None) or ""
    try:
        values = np.asarray(probe(), dtype=np.float64).reshape(-1)
        text = " ".join(f"{v:.12g}" for v in values)
    except Exception:
        text = "probe failed"
    return f"{kind} {module}.{name} probe [{text}]"


class InvalidState(ValueError):
    """A saved state that does not fit the optimiser; the message names the field."""

    def __init__(self, message):
        super().__init__(f"not a valid evodiff checkpoint: {message}")


@dataclass(frozen=True)
class Field:
    """One entry of an optimiser's state.

    Parameters
    ----------
    name : str
        Key in the state dict.
    kind : str
        One of the kinds of the module docstring.
    shape : tuple, optional
        Expected shape of an array (see the module docstring).
    attr : str, optional
        Attribute that holds the value (default: ``name``).
    optional : bool, default False
        The value may be ``None``.
    finite : bool, default True
        For arrays: every entry must be finite (``False`` for values the
        objective returned, which may be NaN or infinite).
    domain : str, optional
        The values a run can produce (see :data:`DOMAINS`), checked on
        restore: for ``'float'`` fields and the entries of ``'array'``,
        ``'host'`` and ``'floats'`` ones; ``'mapping'`` for a ``'json'``
        field that must be a dict.  ``None``: any value of the kind.
    """

    name: str
    kind: str
    shape: tuple | None = None
    attr: str | None = None
    optional: bool = False
    finite: bool = True
    domain: str | None = None

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)}; got {self.kind!r}")
        if self.domain is not None and self.domain not in DOMAINS:
            raise ValueError(f"domain must be one of {', '.join(DOMAINS)}; got {self.domain!r}")

    @property
    def attribute(self):
        """str : the attribute holding the value."""
        return self.attr or self.name


@dataclass(frozen=True)
class Setting:
    """One setting: a value of the optimiser a resumed run must have too.

    Parameters
    ----------
    name : str
        Key in the settings dict.
    kind : {'int', 'float', 'bool', 'str', 'host', 'json'}
    attr : str, optional
        Attribute that holds the value (default: ``name``); a dotted path
        such as ``'space.center'`` is followed.
    """

    name: str
    kind: str
    attr: str | None = None

    def value(self, owner):
        """The setting's value on ``owner``, as plain data or a host array."""
        value = owner
        for part in (self.attr or self.name).split("."):
            value = getattr(value, part)
        if value is None:
            return None
        return _encode(self.kind, value, f"setting {self.name!r}")


@dataclass(frozen=True)
class Part:
    """A component with declarations of its own (e.g. a gradient stepper).

    Parameters
    ----------
    attr : str
        Attribute holding the component (``None`` there means no component).
    prefix : str
        Prefix of the component's fields in the optimiser's state dict.
    """

    attr: str
    prefix: str


def _declared(owner, name):
    return getattr(type(owner), name, ())


def _encode(kind, value, where):
    if kind == "host":
        return np.array(value, dtype=np.float64, copy=True)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    if kind == "str":
        return str(value)
    if kind == "floats":
        return np.array(value, dtype=np.float64)
    if kind == "strings":
        return [str(item) for item in value]
    if kind == "rng":
        return to_plain(value.bit_generator.state, where)
    return to_plain(value, where)


def settings_of(owner):
    """The settings dict of ``owner``: its :class:`Setting` values, then its parts'.

    Parameters
    ----------
    owner : object
        An optimiser or component with ``SETTINGS`` / ``PARTS`` declarations.

    Returns
    -------
    dict
        Name -> JSON value or host array, in declaration order.
    """
    settings = {}
    for setting in _declared(owner, "SETTINGS"):
        settings[setting.name] = setting.value(owner)
    for part in _declared(owner, "PARTS"):
        component = getattr(owner, part.attr)
        if component is not None:
            settings.update(settings_of(component))
    return settings


def state_of(owner, backend=None):
    """The state dict of ``owner``: every declared field, parts' fields under their prefix.

    Parameters
    ----------
    owner : object
        An optimiser (or component) with ``STATE`` / ``PARTS`` declarations.
    backend : Backend, optional
        Backend of the arrays (default: ``owner.backend``).

    Returns
    -------
    dict
        Name -> host NumPy array, ``None`` or JSON value.
    """
    backend = backend or owner.backend
    state = {}
    for field in _declared(owner, "STATE"):
        value = getattr(owner, field.attribute)
        if value is None:
            state[field.name] = None
        elif field.kind == "array":
            state[field.name] = np.array(backend.to_host(value), copy=True)
        else:
            state[field.name] = _encode(field.kind, value, f"state {field.name!r}")
    for part in _declared(owner, "PARTS"):
        component = getattr(owner, part.attr)
        if component is not None:
            for key, value in state_of(component, backend).items():
                state[part.prefix + key] = value
    return state


def _resolve(symbol, incoming, component, optimizer):
    if not isinstance(symbol, str):
        return symbol
    if symbol in incoming:
        return int(incoming[symbol])
    if hasattr(component, symbol):
        return int(getattr(component, symbol))
    return int(getattr(optimizer, symbol))


def _decode(field, value, incoming, component, optimizer, backend):
    """The value to assign for ``field``, validated; raises :class:`InvalidState`."""
    where = f"state {field.name!r}"
    if value is None:
        if field.optional:
            return None
        raise InvalidState(f"{where} is missing (None)")
    if field.kind in ("array", "host", "floats"):
        try:
            host = np.array(value, dtype=np.float64 if field.kind != "array" else None, copy=True)
        except (TypeError, ValueError) as exc:
            raise InvalidState(f"{where} is not a numeric array") from exc
        if field.shape is not None:
            expected = tuple(_resolve(s, incoming, component, optimizer) for s in field.shape)
            if host.ndim != len(expected) or any(
                    e is not None and n != e for n, e in zip(host.shape, expected)):
                text = tuple("N" if e is None else e for e in expected)
                raise InvalidState(f"{where} has shape {host.shape}; expected {text}")
        if host.dtype.kind not in "biuf":
            raise InvalidState(f"{where} is not a numeric array (dtype {host.dtype})")
        if field.finite and field.kind in ("array", "host") and not np.all(np.isfinite(host)):
            raise InvalidState(f"{where} holds NaN or infinite values")
        if field.domain is not None:
            _check_domain(where, field.domain, host)
        if field.kind == "array":
            return backend.asarray(host)
        if field.kind == "floats":
            return [float(v) for v in host.reshape(-1)]
        return host
    if field.kind == "int":
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise InvalidState(f"{where} must be an integer; got {value!r}")
        if not 0 <= int(value) <= MAX_COUNT:
            raise InvalidState(f"{where} must be in [0, {MAX_COUNT}]; got {value!r}")
        return int(value)
    if field.kind == "float":
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise InvalidState(f"{where} must be a number; got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidState(f"{where} must be a number; got {value!r}") from exc
        if field.domain is not None:
            _check_domain(where, field.domain, number)
        return number
    if field.domain == "mapping" and not isinstance(value, dict):
        raise InvalidState(f"{where} must be {DOMAINS['mapping']}; got {type(value).__name__}")
    try:
        if field.kind == "bool":
            return bool(value)
        if field.kind == "str":
            return str(value)
        if field.kind == "strings":
            return [str(item) for item in value]
    except (TypeError, ValueError) as exc:
        raise InvalidState(f"{where} is not a valid {field.kind}") from exc
    if field.kind == "json":
        return dict(value) if isinstance(value, dict) else value
    return _decode_rng(value, getattr(component, field.attribute))


def _decode_rng(value, generator):
    kind = type(generator.bit_generator).__name__
    saved = value.get("bit_generator") if isinstance(value, dict) else None
    if saved == kind:
        try:  # on a scratch generator, so that a bad state never reaches the optimiser's
            type(generator.bit_generator)().state = value
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise InvalidState(f"state 'rng' is not a valid {kind} state ({exc})") from None
    if saved != kind:
        raise ValueError(
            f"checkpoint setting 'rng' differs: the file holds the state of a {saved} "
            f"generator, the optimizer has a {kind} generator; build the optimizer with a "
            "generator of the same kind (any seed: the state is restored)")
    return value


def _collect(owner, state, prefix, optimizer, backend, plan):
    """Decode every field of ``owner`` (and its parts) into ``plan``: [(object, attr, value)]."""
    incoming = {field.name: state[prefix + field.name] for field in _declared(owner, "STATE")
                if field.kind == "int" and state.get(prefix + field.name) is not None}
    for field in _declared(owner, "STATE"):
        value = state[prefix + field.name]  # a KeyError names the missing entry
        plan.append((owner, field, _decode(field, value, incoming, owner, optimizer, backend)))
    for part in _declared(owner, "PARTS"):
        component = getattr(owner, part.attr)
        if component is not None:
            _collect(component, state, prefix + part.prefix, optimizer, backend, plan)


def restore_state(optimizer, state):
    """Overwrite the declared state of ``optimizer`` (and its parts) with ``state``.

    Every field is decoded and validated before anything is assigned; then
    each object's ``_before_restore(values)`` hook (if any) runs with the
    decoded ``{attribute: value}`` of that object, the values are assigned,
    and each object's ``_after_restore()`` hook (if any) runs.

    Parameters
    ----------
    optimizer : Optimizer
    state : dict
        As returned by :func:`state_of` (possibly after a trip through a file).

    Raises
    ------
    InvalidState
        If a field has the wrong shape or kind (the field is named).
    KeyError
        If a field is missing.
    """
    plan = []
    _collect(optimizer, state, "", optimizer, optimizer.backend, plan)
    owners = []
    for owner, _, _ in plan:
        if all(owner is not seen for seen in owners):
            owners.append(owner)
    check = getattr(optimizer, "_check_restored", None)
    if check is not None:  # consistency of the optimiser's own values, before any assignment
        check({field.attribute: value for o, field, value in plan if o is optimizer})
    for owner in owners:
        hook = getattr(owner, "_before_restore", None)
        if hook is not None:
            hook({field.attribute: value for o, field, value in plan if o is owner})
    for owner, field, value in plan:
        if field.kind == "rng":
            getattr(owner, field.attribute).bit_generator.state = value
        else:
            setattr(owner, field.attribute, value)
    for owner in owners:
        hook = getattr(owner, "_after_restore", None)
        if hook is not None:
            hook()


def setting_mismatch(name, saved, current):
    """The error raised when a checkpoint's setting differs from the optimiser's.

    Parameters
    ----------
    name : str
        Name of the setting (an argument of the optimiser's constructor).
    saved, current : object
        The value in the checkpoint and the value of the optimiser.

    Returns
    -------
    ValueError
        To be raised by the caller.
    """
    return ValueError(
        f"checkpoint setting {name!r} differs: the file has {_describe(saved)}, the optimizer "
        f"has {_describe(current)}; build the optimizer with the same arguments as the run "
        "that was saved")


def _describe(value):
    """Short text for a setting's value in an error message."""
    if value is None:
        return "None"
    array = value if isinstance(value, np.ndarray) else None
    if array is None and isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
    if array is not None and array.size > 6:
        return f"an array of shape {array.shape}"
    if array is not None:
        return repr(array.tolist())
    return repr(value)
