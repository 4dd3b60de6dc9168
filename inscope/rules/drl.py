"""Diagnostic reference levels (IR(ME)R 2017 regulation 6(5)(c) and schedule 2(1)(f)): which DRL applies to a
study, and how the study compares with it.

The employer's own (local) DRLs come first, the most specific first; then the local DRL written in the policy
document; then a national DRL that a physicist has linked to the protocol. Only DRLs in effect on the day of the
study count. Pure Python: the dose service turns database rows into ``Candidate`` values and stores the result.

Units are the stored units of ``inscope.dose.report``: DAP in Gy·m², DLP in mGy·cm, CTDIvol and AGD in mGy,
activity in MBq. The policy document writes a DAP DRL in Gy·cm², so ``policy_candidate`` divides it by 10⁴.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

LOCAL, POLICY, NATIONAL = "local", "policy", "national"
APPROVED = "approved"

# Quantities, each in its stored unit, in the order a comparison prefers them when one tier has DRLs on several:
# a whole-examination quantity before a per-sequence or per-view one.
QUANTITY_ORDER = ("dlp", "dap", "agd", "activity", "ctdivol")
UNITS = {"dap": "Gy·m²", "dlp": "mGy·cm", "ctdivol": "mGy", "agd": "mGy", "activity": "MBq"}
NAMES = {
    "dap": "DAP per examination",
    "dlp": "DLP per complete examination",
    "ctdivol": "CTDIvol per sequence (the highest of the study's sequences)",
    "agd": "average glandular dose per view (the highest of the study's views)",
    "activity": "administered activity",
}
# A figure is above its DRL only when it is above it by more than floating-point noise: a study's figure is a sum
# of event figures in binary floating point (0.04 + 0.08 Gy·cm² typed in, in Gy·m², comes out a unit in the
# last place above 0.12 in about one case in eight), and a figure equal to its DRL is at, not above, it.
EXCEEDED_NOISE = 1e-9
# The policy document's units, as multipliers to the stored unit.
POLICY_UNITS = {"dap": 1e-4, "dlp": 1.0}  # Gy·cm² -> Gy·m²; mGy·cm stays


class Tier(IntEnum):
    """How specific a DRL is to the study; lower wins."""

    EQUIPMENT = 1  # approved local DRL for the protocol on this equipment (AE title)
    ROOM = 2  # approved local DRL for the protocol in this room
    PROTOCOL = 3  # approved local DRL for the protocol anywhere
    POLICY = 4  # the local DRL the policy document gives the protocol
    NATIONAL = 5  # a national DRL linked to the protocol


@dataclass(frozen=True)
class Candidate:
    """A reference level that might apply to the study. ``value`` is in the quantity's stored unit."""

    id: int | None
    scope: str  # local, policy or national
    protocol_code: str
    room_id: int | None
    station_ae_title: str
    quantity: str
    value: float
    effective_from: dt.date | None
    effective_to: dt.date | None
    status: str
    label: str


@dataclass(frozen=True)
class StudyFigures:
    """The study's dose, summed over its distinct events, in stored units (None: not reported)."""

    total_dap_gy_m2: float | None = None
    total_dlp_mgy_cm: float | None = None
    max_ctdivol_mgy: float | None = None
    max_agd_per_view_mgy: float | None = None
    administered_activity_mbq: float | None = None

    def value(self, quantity: str) -> float | None:
        return {
            "dap": self.total_dap_gy_m2,
            "dlp": self.total_dlp_mgy_cm,
            "ctdivol": self.max_ctdivol_mgy,
            "agd": self.max_agd_per_view_mgy,
            "activity": self.administered_activity_mbq,
        }.get(quantity)


@dataclass(frozen=True)
class Study:
    """What the choice of DRL depends on: the protocol performed, where, on what, on which day."""

    protocol_code: str
    room_id: int | None
    station_ae_title: str
    on: dt.date
    figures: StudyFigures


@dataclass(frozen=True)
class Comparison:
    """The study's figure against the DRL that applies: ``ratio`` = value / reference; above when value > DRL."""

    drl: Candidate
    tier: Tier
    quantity: str
    value: float
    reference: float
    ratio: float
    exceeded: bool

    @property
    def unit(self) -> str:
        return UNITS[self.quantity]


@dataclass(frozen=True)
class NoComparison:
    """Why the study could not be compared with a DRL, in words for the study page."""

    reason: str


def policy_candidate(protocol_code: str, *, quantity: str, value: float, source: str, label: str) -> Candidate:
    """Return the policy document's local DRL for a protocol as a candidate (DAP converted from Gy·cm² to Gy·m²)."""
    if quantity not in POLICY_UNITS:
        raise ValueError(f"the policy document gives DRLs as dap or dlp, not {quantity!r}")
    return Candidate(id=None, scope=POLICY, protocol_code=protocol_code, room_id=None, station_ae_title="",
                     quantity=quantity, value=value * POLICY_UNITS[quantity], effective_from=None, effective_to=None,
                     status=APPROVED, label=label or source)


def tier_of(drl: Candidate, study: Study) -> Tier | None:
    """Return how specifically the DRL applies to the study, or None when it does not apply to it at all."""
    if drl.status != APPROVED or drl.protocol_code != study.protocol_code:
        return None
    if drl.scope == POLICY:
        return Tier.POLICY
    if drl.scope == NATIONAL:
        return Tier.NATIONAL
    if drl.scope != LOCAL:
        return None
    if drl.room_id is not None and drl.room_id != study.room_id:
        return None
    if drl.station_ae_title:
        same = drl.station_ae_title.strip().upper() == study.station_ae_title.strip().upper()
        return Tier.EQUIPMENT if same else None
    return Tier.ROOM if drl.room_id is not None else Tier.PROTOCOL


def in_effect(drl: Candidate, on: dt.date) -> bool:
    """Return whether the DRL was in effect on the day (both dates inclusive; an open end never ends)."""
    starts = drl.effective_from is None or drl.effective_from <= on
    return starts and (drl.effective_to is None or on <= drl.effective_to)


def _quantity_order(quantity: str) -> int:
    return QUANTITY_ORDER.index(quantity) if quantity in QUANTITY_ORDER else len(QUANTITY_ORDER)


def _preference(drl: Candidate) -> tuple[int, float, int]:
    order = _quantity_order(drl.quantity)
    started = drl.effective_from.toordinal() if drl.effective_from else 0
    return order, -started, -(drl.id or 0)  # then the most recently effective, then the newest


def _rank(item: tuple[Tier, Candidate]) -> tuple[int, tuple[int, float, int]]:
    return item[0], _preference(item[1])


def compare(study: Study, candidates: Iterable[Candidate]) -> Comparison | NoComparison:
    """Choose the DRL that applies to the study and compare the study with it.

    The most specific tier with a DRL in effect on a quantity the study reports wins: equipment, room, protocol,
    policy, national. Within a tier a whole-examination quantity (DLP, DAP) is preferred to a per-sequence one.
    """
    if not study.protocol_code:
        return NoComparison("The study has no protocol, so no DRL applies to it.")
    matching = [(tier, c) for c in candidates if (tier := tier_of(c, study)) is not None]
    if not matching:
        return NoComparison(f"No approved DRL is set for protocol {study.protocol_code}.")
    effective = [(tier, c) for tier, c in matching if in_effect(c, study.on)]
    if not effective:
        return NoComparison(f"No DRL for protocol {study.protocol_code} was in effect on {study.on:%d %b %Y}.")
    effective.sort(key=_rank)
    for tier, drl in effective:
        value = study.figures.value(drl.quantity)
        if value is not None and drl.value > 0:
            ratio = value / drl.value
            return Comparison(drl=drl, tier=tier, quantity=drl.quantity, value=value, reference=drl.value,
                              ratio=ratio, exceeded=value > drl.value * (1 + EXCEEDED_NOISE))
    quantities = sorted({c.quantity for _, c in effective}, key=_quantity_order)
    named = " or ".join(f"{NAMES.get(q, q)} ({UNITS.get(q, '')})" for q in quantities)
    return NoComparison(f"The DRL for protocol {study.protocol_code} is set on {named}, which this study does not "
                        "report.")
