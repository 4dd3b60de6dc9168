"""Which figure a study's total is: the device's own accumulated total, cross-checked against the sum of the study's
distinct irradiation events. Pure Python, so the rule and its tolerance are tested on their own.

The device's accumulated total (TID 10002 Accumulated X-Ray Dose, TID 10012 CT Accumulated Dose Data) is what the
equipment itself measured or computed for the whole study; on some fluoroscopy units the events it lists sum
12-16 % below it (short runs and fluoroscopy between stored runs are not listed as events). So:

* a **non-zero** device total is the study's total; the events' sum only checks it, and a disagreement larger than
  rounding is a warning on the study;
* a device total that is **zero or absent** is not a measurement: the sum of the events is used, and the study says
  so.

**Several objects.** An accumulated total only grows while a procedure goes on (dose cannot be taken back), so among
the totals a study's objects state, the largest is the one from the most complete report. The largest is used, not
the last to arrive: objects can arrive out of order (a resend after a network failure, an import of old files), and
taking the last would let an early, partial report lower a total already known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

# "More than rounding". Equipment writes dose figures with at least three significant figures (the corpus: 3-6). A
# figure rounded to three significant figures is within 0.5 % of the value it stands for; a sum of positive figures
# each within 0.5 % is itself within 0.5 %, and the device's total is within 0.5 % too, so a disagreement caused by
# rounding alone is under 1 %. RELATIVE_TOLERANCE is that 1 %.
RELATIVE_TOLERANCE = 0.01
# Small figures are often written with fixed decimals instead (DAP in dGy·cm² to two decimals, "0.41"), where one
# last digit is a large fraction of the value. Each figure may then be off by half its last digit, so the sum of n
# events and the total may disagree by (n + 1) half-digits. RESOLUTION is that last digit, per quantity, in the
# stored unit.
RESOLUTION = {
    "dap": 1e-7,  # Gy·m²: 0.01 dGy·cm²
    "rp_dose": 1e-5,  # Gy: 0.01 mGy
    "dlp": 0.01,  # mGy·cm
    "agd": 0.01,  # mGy
    "time": 0.1,  # s
}


class Source(StrEnum):
    DEVICE = "device"  # the device's accumulated total
    EVENTS = "events"  # the sum of the study's distinct events
    NONE = "none"  # neither is known


@dataclass(frozen=True)
class Chosen:
    """A study total, where it came from, and what the cross-check found (``note`` for the page, ``warning`` when
    something needs a person's attention)."""

    value: float | None
    source: Source
    device: float | None
    events: float | None
    note: str
    warning: str = ""


def tolerance(quantity: str, device: float, events: float, n_events: int) -> float:
    """The largest disagreement between a device total and the events' sum that rounding explains."""
    half_digit = RESOLUTION[quantity] / 2
    return max(RELATIVE_TOLERANCE * max(device, events), half_digit * (max(n_events, 1) + 1))


def agree(quantity: str, device: float, events: float, n_events: int) -> bool:
    return abs(device - events) <= tolerance(quantity, device, events, n_events)


def _fmt(value: float, scale: float) -> str:
    return f"{value * scale:.4g}"


def choose(quantity: str, what: str, *, device: float | None, events: float | None, n_events: int, unit: str,
           scale: float = 1.0) -> Chosen:
    """The study total of one quantity (``quantity`` names its RESOLUTION; ``what`` and ``unit``/``scale`` how the
    messages show it, e.g. DAP in Gy·cm² with scale 10⁴)."""
    if device is not None and not math.isfinite(device):
        device = None
    if device is not None and device > 0:
        if events is None:
            return Chosen(device, Source.DEVICE, device, None,
                          "The device's accumulated total; the events carry no figure to check it against.")
        if agree(quantity, device, events, n_events):
            return Chosen(device, Source.DEVICE, device, events,
                          f"The device's accumulated total; the events sum to {_fmt(events, scale)} {unit}, "
                          "the same within rounding.")
        difference = (events - device) / device * 100
        direction = "below" if difference < 0 else "above"
        why = ("events the device did not list (for example short fluoroscopy runs)" if difference < 0 else
               "a device total covering only part of the study (for example one procedure step)")
        return Chosen(device, Source.DEVICE, device, events,
                      f"The device's accumulated total; the events sum to {_fmt(events, scale)} {unit} "
                      f"({abs(difference):.1f} % {direction} it).",
                      f"The {what} the device states ({_fmt(device, scale)} {unit}) and the sum of the study's "
                      f"events ({_fmt(events, scale)} {unit}) differ by {abs(difference):.1f} %, more than rounding; "
                      f"the device's total is used. The events sum {direction} it, which suggests {why}.")
    if events is None:
        if device == 0:
            return Chosen(0.0, Source.DEVICE, 0.0, None, "The device states an accumulated total of zero and the "
                          "events carry no figure.")
        return Chosen(None, Source.NONE, None, None, "")
    if device is None:
        return Chosen(events, Source.EVENTS, None, events,
                      "The sum of the study's events: the dose reports state no accumulated total.")
    note = "The sum of the study's events: the device states an accumulated total of zero."
    warning = ""
    if events > 0:
        warning = (f"The device states an accumulated {what} of zero but the study's events sum to "
                   f"{_fmt(events, scale)} {unit}; the sum of the events is used.")
    return Chosen(events, Source.EVENTS, 0.0, events, note, warning)


def largest(*values: float | None) -> float | None:
    """The largest of the totals stated so far (see the module's note on several objects)."""
    present = [v for v in values if v is not None and math.isfinite(v)]
    return max(present) if present else None
