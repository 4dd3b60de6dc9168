"""Choosing the DRL that applies to a study (equipment > room > protocol > policy > national, in effect on the day)
and comparing the study with it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import pytest

from inscope.rules.drl import (
    Candidate,
    Comparison,
    NoComparison,
    Study,
    StudyFigures,
    Tier,
    compare,
    in_effect,
    policy_candidate,
)
from inscope.rules.tests.cases import table

DAY = dt.date(2026, 11, 28)
ROOM_1, ROOM_2 = 11, 12
GY_CM2 = 1e-4  # one Gy·cm² in the stored unit, Gy·m²


def local(ident: int, value_gy_cm2: float = 0.15, *, quantity: str = "dap", room: int | None = None, ae: str = "",
          start: dt.date = dt.date(2026, 1, 1), end: dt.date | None = None, status: str = "approved",
          protocol: str = "XCHES") -> Candidate:
    value = value_gy_cm2 * GY_CM2 if quantity == "dap" else value_gy_cm2
    return Candidate(id=ident, scope="local", protocol_code=protocol, room_id=room, station_ae_title=ae,
                     quantity=quantity, value=value, effective_from=start, effective_to=end, status=status,
                     label=f"local {ident}")


def national(ident: int, value: float, *, quantity: str = "dlp", protocol: str = "CHEAD",
             start: dt.date = dt.date(2024, 11, 20), end: dt.date | None = None) -> Candidate:
    return Candidate(id=ident, scope="national", protocol_code=protocol, room_id=None, station_ae_title="",
                     quantity=quantity, value=value, effective_from=start, effective_to=end, status="approved",
                     label=f"national {ident}")


POLICY_CHEST = policy_candidate("XCHES", quantity="dap", value=0.10, source="Northgate local DRL",
                                label="policy v1")
POLICY_HEAD = policy_candidate("CHEAD", quantity="dlp", value=800, source="Northgate", label="policy v1 head")


def chest(dap_gy_cm2: float | None = 0.12, *, room: int | None = ROOM_1, ae: str = "NGH_DX1",
          on: dt.date = DAY) -> Study:
    dap = dap_gy_cm2 * GY_CM2 if dap_gy_cm2 is not None else None
    return Study(protocol_code="XCHES", room_id=room, station_ae_title=ae, on=on,
                 figures=StudyFigures(total_dap_gy_m2=dap))


def head(dlp: float | None = 850, ctdivol: float | None = 52, *, on: dt.date = DAY) -> Study:
    return Study(protocol_code="CHEAD", room_id=ROOM_2, station_ae_title="NGH_CT1", on=on,
                 figures=StudyFigures(total_dlp_mgy_cm=dlp, max_ctdivol_mgy=ctdivol))


@dataclass(frozen=True)
class Uses:
    """The comparison must use the DRL with this label, from this tier, and come out like this."""

    label: str
    tier: Tier
    ratio: float
    exceeded: bool
    quantity: str = "dap"

    def __str__(self) -> str:
        return f"{self.label} ({self.tier.name.lower()}) ratio {self.ratio:g}{' above' if self.exceeded else ''}"


@dataclass(frozen=True)
class Refuses:
    """No comparison; the reason must contain this text."""

    reason: str

    def __str__(self) -> str:
        return f"no comparison: {self.reason}"


@dataclass(frozen=True)
class Row:
    case: str
    study: Study
    candidates: tuple[Candidate, ...]
    result: Uses | Refuses

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.result}"


EVERY_TIER = (local(1, ae="NGH_DX1"), local(2, room=ROOM_1), local(3), POLICY_CHEST, national(4, 0.2 * GY_CM2,
                                                                                                quantity="dap",
                                                                                                protocol="XCHES"))

SELECTION = [
    Row("equipment DRL for this AE title beats room, protocol, policy and national", chest(), EVERY_TIER,
        Uses("local 1", Tier.EQUIPMENT, 0.8, False)),
    Row("AE titles compare without case or padding", chest(ae=" ngh_dx1 "), EVERY_TIER,
        Uses("local 1", Tier.EQUIPMENT, 0.8, False)),
    Row("equipment DRL for other equipment is passed over for the room's", chest(ae="NGH_DX2"), EVERY_TIER,
        Uses("local 2", Tier.ROOM, 0.8, False)),
    Row("room DRL for another room is passed over for the protocol's", chest(room=ROOM_2, ae=""), EVERY_TIER,
        Uses("local 3", Tier.PROTOCOL, 0.8, False)),
    Row("equipment DRL narrowed to a room does not apply in another room",
        chest(room=ROOM_2), (local(1, ae="NGH_DX1", room=ROOM_1), POLICY_CHEST),
        Uses("policy v1", Tier.POLICY, 1.2, True)),
    Row("the policy's local DRL (0.10 Gy·cm², converted to Gy·m²) beats a national one", chest(),
        (POLICY_CHEST, national(4, 0.2 * GY_CM2, quantity="dap", protocol="XCHES")),
        Uses("policy v1", Tier.POLICY, 1.2, True)),
    Row("a linked national DRL when nothing local applies", head(), (national(4, 790),),
        Uses("national 4", Tier.NATIONAL, 850 / 790, True, "dlp")),
    Row("proposed and withdrawn local DRLs are never used", chest(),
        (local(1, status="proposed"), local(2, status="withdrawn"), POLICY_CHEST),
        Uses("policy v1", Tier.POLICY, 1.2, True)),
    Row("a DRL for another protocol is never used", chest(), (local(1, protocol="XHAND"), POLICY_CHEST),
        Uses("policy v1", Tier.POLICY, 1.2, True)),
]

EFFECTIVE_DATES = [
    Row("a local DRL that starts tomorrow is not yet used", chest(),
        (local(1, start=DAY + dt.timedelta(days=1)), POLICY_CHEST), Uses("policy v1", Tier.POLICY, 1.2, True)),
    Row("a local DRL that ended yesterday is no longer used", chest(),
        (local(1, end=DAY - dt.timedelta(days=1)), POLICY_CHEST), Uses("policy v1", Tier.POLICY, 1.2, True)),
    Row("a local DRL is in effect on its first day", chest(), (local(1, start=DAY), POLICY_CHEST),
        Uses("local 1", Tier.PROTOCOL, 0.8, False)),
    Row("a local DRL is in effect on its last day", chest(), (local(1, end=DAY), POLICY_CHEST),
        Uses("local 1", Tier.PROTOCOL, 0.8, False)),
    Row("of a replaced DRL and its successor, the one in effect on the study day",
        chest(on=dt.date(2026, 6, 30)),
        (local(1, 0.2, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)), local(2, 0.1, start=dt.date(2026, 7, 1))),
        Uses("local 1", Tier.PROTOCOL, 0.6, False)),
    Row("the successor from its first day", chest(on=dt.date(2026, 7, 1)),
        (local(1, 0.2, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)), local(2, 0.1, start=dt.date(2026, 7, 1))),
        Uses("local 2", Tier.PROTOCOL, 1.2, True)),
    Row("a national DRL before its publication date does not apply", head(on=dt.date(2024, 11, 19)),
        (national(4, 790),), Refuses("No DRL for protocol CHEAD was in effect on 19 Nov 2024")),
    Row("of two overlapping DRLs in one tier, the more recently effective", chest(),
        (local(1, 0.2, start=dt.date(2025, 1, 1)), local(2, 0.1, start=dt.date(2026, 1, 1))),
        Uses("local 2", Tier.PROTOCOL, 1.2, True)),
]

QUANTITIES = [
    Row("CT: DLP per examination is preferred to CTDIvol per sequence in one tier", head(),
        (national(4, 9.1 * 5, quantity="ctdivol"), national(5, 790)), Uses("national 5", Tier.NATIONAL, 850 / 790,
                                                                           True, "dlp")),
    Row("CT: the highest sequence's CTDIvol when the study reports no DLP", head(dlp=None, ctdivol=52),
        (national(4, 47, quantity="ctdivol"), national(5, 790)),
        Uses("national 4", Tier.NATIONAL, 52 / 47, True, "ctdivol")),
    Row("a tier whose DRL is on a quantity the study lacks gives way to the next", head(dlp=None, ctdivol=40),
        (local(1, 700, quantity="dlp", protocol="CHEAD"), national(4, 47, quantity="ctdivol")),
        Uses("national 4", Tier.NATIONAL, 40 / 47, False, "ctdivol")),
    Row("no DRL on a quantity the study reports", head(dlp=None, ctdivol=None), (POLICY_HEAD,),
        Refuses("set on DLP per complete examination (mGy·cm), which this study does not report")),
    Row("policy DLP stays in mGy·cm", head(dlp=400), (POLICY_HEAD,), Uses("policy v1 head", Tier.POLICY, 0.5, False,
                                                                          "dlp")),
]

EXCEEDED = [
    Row("exactly at the DRL is not above it", chest(0.15), (local(1, 0.15),), Uses("local 1", Tier.PROTOCOL, 1.0,
                                                                                   False)),
    Row("just above the DRL is above it", chest(0.1501), (local(1, 0.15),),
        Uses("local 1", Tier.PROTOCOL, 0.1501 / 0.15, True)),
]

NONE = [
    Row("no DRL at all for the protocol", chest(), (),
        Refuses("No approved DRL is set for protocol XCHES")),
    Row("only a proposed DRL", chest(), (local(1, status="proposed"),),
        Refuses("No approved DRL is set for protocol XCHES")),
    Row("a study with no protocol", replace(chest(), protocol_code=""), (POLICY_CHEST,),
        Refuses("The study has no protocol")),
]


@pytest.mark.parametrize("row", table(SELECTION + EFFECTIVE_DATES + QUANTITIES + EXCEEDED + NONE))
def test_drl_choice_and_comparison(row: Row) -> None:
    result = compare(row.study, row.candidates)
    if isinstance(row.result, Refuses):
        assert isinstance(result, NoComparison), result
        assert row.result.reason in result.reason
        return
    assert isinstance(result, Comparison), result
    assert (result.drl.label, result.tier, result.quantity, result.exceeded) == (
        row.result.label, row.result.tier, row.result.quantity, row.result.exceeded)
    assert result.ratio == pytest.approx(row.result.ratio)
    assert result.value / result.reference == pytest.approx(result.ratio)


def test_the_policy_dap_drl_is_converted_from_gy_cm2_to_gy_m2() -> None:
    assert POLICY_CHEST.value == pytest.approx(0.10e-4)
    assert (POLICY_CHEST.scope, POLICY_CHEST.id, POLICY_CHEST.status) == ("policy", None, "approved")


def test_the_policy_gives_only_dap_or_dlp() -> None:
    with pytest.raises(ValueError, match="dap or dlp"):
        policy_candidate("XCHES", quantity="ctdivol", value=10, source="x", label="x")


def test_an_open_ended_drl_never_ends() -> None:
    assert in_effect(local(1, start=dt.date(2020, 1, 1)), dt.date(2099, 12, 31))
    assert not in_effect(local(1, start=dt.date(2020, 1, 1)), dt.date(2019, 12, 31))


def test_a_sum_equal_to_the_drl_is_at_it_not_above_it_whatever_the_floating_point_noise() -> None:
    typed = math.fsum([0.04 * GY_CM2, 0.08 * GY_CM2])  # 0.04 + 0.08 Gy·cm²: a hair above 0.12 in binary
    assert typed > 0.12 * GY_CM2
    at = compare(replace(chest(), figures=StudyFigures(total_dap_gy_m2=typed)), [local(1, 0.12)])
    above = compare(chest(0.1201), [local(1, 0.12)])
    assert isinstance(at, Comparison) and isinstance(above, Comparison)
    assert (at.exceeded, above.exceeded) == (False, True)
