"""Units of measurement as equipment writes them (UCUM codes, and the variants real equipment uses) and their
conversion to the units ``inscope.dose.report`` stores.

Each unit code maps to a dimension and a factor to that dimension's base unit; converting is
``value * factor(given) / factor(target)``. Codes are matched exactly first, then without dots, spaces, carets
and case (``Gym2``, ``mGycm``, ``uAs``, ``GY.M2`` all occur), so ``MBq`` stays megabecquerel.
"""

from __future__ import annotations

from enum import StrEnum


class Dimension(StrEnum):
    DOSE = "dose"  # absorbed dose / air kerma, base Gy
    DAP = "dose area product"  # base Gy.m2
    DLP = "dose length product"  # base Gy.m
    TIME = "time"  # base s
    LENGTH = "length"  # base m
    VOLTAGE = "voltage"  # base V
    CURRENT = "current"  # base A
    CHARGE = "current-time product"  # base A.s
    ACTIVITY = "activity"  # base Bq
    COUNT = "count"  # dimensionless


_PREFIXES = {"": 1.0, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "k": 1e3, "M": 1e6, "G": 1e9}
_LENGTHS = {"m": 1.0, "dm": 1e-1, "cm": 1e-2, "mm": 1e-3, "um": 1e-6}


def _build() -> dict[str, tuple[Dimension, float]]:
    table: dict[str, tuple[Dimension, float]] = {}
    for prefix in ("", "d", "c", "m", "u", "n", "k"):
        gy = _PREFIXES[prefix]
        table[f"{prefix}Gy"] = (Dimension.DOSE, gy)
        for length, metres in _LENGTHS.items():
            table[f"{prefix}Gy.{length}2"] = (Dimension.DAP, gy * metres * metres)
            table[f"{prefix}Gy.{length}"] = (Dimension.DLP, gy * metres)
    for unit, seconds in {"s": 1.0, "ms": 1e-3, "us": 1e-6, "min": 60.0, "h": 3600.0}.items():
        table[unit] = (Dimension.TIME, seconds)
    for unit, metres in _LENGTHS.items():
        table[unit] = (Dimension.LENGTH, metres)
    for prefix in ("", "m", "k"):
        table[f"{prefix}V"] = (Dimension.VOLTAGE, _PREFIXES[prefix])
    for prefix in ("", "m", "u"):
        table[f"{prefix}A"] = (Dimension.CURRENT, _PREFIXES[prefix])
        table[f"{prefix}A.s"] = (Dimension.CHARGE, _PREFIXES[prefix])
    for prefix in ("", "k", "M", "G"):
        table[f"{prefix}Bq"] = (Dimension.ACTIVITY, _PREFIXES[prefix])
    for prefix in ("", "m", "u"):
        table[f"{prefix}Ci"] = (Dimension.ACTIVITY, 3.7e10 * _PREFIXES[prefix])
    for unit in ("1", "{ratio}", "{events}", "{X-Ray sources}", "{pulse}", "{count}"):
        table[unit] = (Dimension.COUNT, 1.0)
    return table


UNITS: dict[str, tuple[Dimension, float]] = _build()


def _squash(code: str) -> str:
    return "".join(ch for ch in code if ch not in ". *^·()[]").replace("²", "2").lower()


# Matched without dots, spaces, carets and case; mega- prefixes are left out here so that a capitalised code such
# as "MGY" is read as milligray, never megagray (mega is only accepted written exactly, as in "MBq").
_LOOSE: dict[str, tuple[Dimension, float, str]] = {}
for _code, (_dimension, _factor) in UNITS.items():
    if _code[:1] in ("M", "G") and _dimension is Dimension.ACTIVITY:
        continue
    _LOOSE.setdefault(_squash(_code), (_dimension, _factor, _code))
for _code in ("MBq", "GBq"):
    _LOOSE.setdefault(_squash(_code), (Dimension.ACTIVITY, _PREFIXES[_code[0]], _code))
_LOOSE["mas"] = (Dimension.CHARGE, 1e-3, "mA.s")
_LOOSE["uas"] = (Dimension.CHARGE, 1e-6, "uA.s")
_LOOSE["sec"] = (Dimension.TIME, 1.0, "s")
_LOOSE["msec"] = (Dimension.TIME, 1e-3, "ms")
_LOOSE["kvp"] = (Dimension.VOLTAGE, 1e3, "kV")


class UnitError(ValueError):
    """A unit that is not known, or not of the dimension expected."""


def lookup(code: str) -> tuple[Dimension, float, str] | None:
    """The dimension, factor to base and canonical code of a unit code, or None if it is not known."""
    code = (code or "").strip().replace("µ", "u").replace("μ", "u")
    if code in UNITS:
        dimension, factor = UNITS[code]
        return dimension, factor, code
    return _LOOSE.get(_squash(code))


def convert(value: float, given: str, target: str) -> float:
    """``value`` in unit ``given`` expressed in unit ``target`` (a canonical code from ``UNITS``)."""
    found = lookup(given)
    if found is None:
        raise UnitError(f"unknown unit {given!r}")
    dimension, factor, _ = found
    target_dimension, target_factor = UNITS[target]
    if dimension is not target_dimension:
        raise UnitError(f"unit {given!r} is a {dimension}, not a {target_dimension} like {target}")
    # Twelve significant figures: without the noise of binary factors (1e-06, not 1.0000000000000002e-06).
    return float(f"{value * factor / target_factor:.12g}")
