"""One exposure reported by more than one image: a mammography or radiography system stores a *for processing* and a
*for presentation* image of each exposure (and may send a dose report too), each with its own SOP Instance UID and
the same dose. Counting each image as an event would add the exposure's dose twice. Pure Python.

Two rules, tried in this order; the first that matches is recorded with the event, so the study says why an image
was not counted:

1. **Irradiation Event UID**: the image header's Irradiation Event UID (0008,3010) names the exposure; images (and
   a dose report's event) with the same one are one exposure. The reader uses it as the event's identifier, so
   this rule is the ordinary identity of events.
2. **Same exposure**: with no shared UID, two events are one exposure when at least one came from an image header
   and they agree on everything that identifies an exposure: kind, acquisition date and time (to the second or
   finer, as written), laterality, view, and every dose figure (AGD, DAP, entrance exposure: each present in both
   and equal, or absent from both, with at least one present). Two different exposures of the same breast and view
   at the same instant with identical doses do not happen: a repeat needs repositioning and recompression.

Events of one dose report are never merged with each other by rule 2: the device listed them as distinct events.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

EVENT_UID = "irradiation-event-uid"
SAME_EXPOSURE = "same-exposure"
RULES = {
    EVENT_UID: "same Irradiation Event UID",
    SAME_EXPOSURE: "same acquisition time, laterality, view and dose figures",
}
# Only exposures that are stored as one image each are looked for twice.
KINDS = frozenset({"mammography", "projection"})
DOSES = ("agd_mgy", "dap_gy_m2", "entrance_exposure_mgy")


@dataclass(frozen=True)
class Exposure:
    """What identifies an exposure; ``from_image``: reported in an image header (not a dose report's event)."""

    key: str
    kind: str
    at: dt.datetime | None
    laterality: str
    view: str
    agd_mgy: float | None
    dap_gy_m2: float | None
    entrance_exposure_mgy: float | None
    from_image: bool


def _same_dose(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)  # the same written figure, converted the same way


def same_exposure(new: Exposure, seen: Exposure) -> bool:
    """Rule 2 (see the module's note)."""
    if not (new.from_image or seen.from_image) or new.kind not in KINDS or new.kind != seen.kind:
        return False
    if new.at is None or seen.at is None or new.at != seen.at:
        return False
    if new.laterality.upper() != seen.laterality.upper() or new.view.strip().upper() != seen.view.strip().upper():
        return False
    doses = [(getattr(new, name), getattr(seen, name)) for name in DOSES]
    return any(a is not None for a, _ in doses) and all(_same_dose(a, b) for a, b in doses)


def find_same(new: Exposure, seen: Iterable[Exposure]) -> Exposure | None:
    """The recorded exposure ``new`` repeats by rule 2, if any."""
    return next((s for s in seen if same_exposure(new, s)), None)
