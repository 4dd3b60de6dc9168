"""SAUE screening: which criteria a study meets, at and either side of each threshold, with the published band
edges shown and never a decision that the exposure is notifiable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from inscope.rules.saue import (
    BOUNDARY_NOT_STATED,
    Finding,
    RepeatedView,
    StudyFacts,
    Thresholds,
    ThresholdsError,
    repeated_views,
    screen,
    thresholds_from,
)
from inscope.rules.tests.cases import table

YAML = Path(__file__).resolve().parents[2] / "dose" / "reference" / "saue_thresholds.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(YAML.read_text(encoding="utf-8"))
THRESHOLDS = thresholds_from(DOCUMENT)

CHEST = StudyFacts(modality="DX", drl_ratio=0.8, drl_label="Local DRL XCHES", drl_scope="local", drl_quantity="dap",
                   drl_value=0.15e-4, total_dap_gy_m2=0.12e-4, event_count=1, patient_matches=True,
                   body_part_matches=True, patient_is_child=False)
HEAD = replace(CHEST, modality="CT", drl_quantity="dlp", drl_value=790.0, drl_ratio=1.1, total_dap_gy_m2=None,
               total_dlp_mgy_cm=869.0, drl_label="National DRL Head")
ANGIO = replace(CHEST, modality="XA", interventional=True, drl_ratio=2.0, total_dap_gy_m2=30e-4, total_rp_dose_gy=0.5,
                fluoro_time_s=600.0, event_count=40)
PA_TWICE = (RepeatedView("PA", "", 2),)


@dataclass(frozen=True)
class Row:
    case: str
    facts: StudyFacts
    criteria: dict[str, str | None]  # criterion -> the CQC code it points to
    thresholds: Thresholds = THRESHOLDS

    @property
    def id(self) -> str:
        found = ", ".join(f"{c} (code {code})" if code else c for c, code in self.criteria.items()) or "nothing"
        return f"{self.case} -> {found}"


DRL_MULTIPLES = [
    Row("chest X-ray below the DRL", CHEST, {}),
    Row("chest X-ray at 9.99 × the DRL", replace(CHEST, drl_ratio=9.99), {}),
    Row("chest X-ray at exactly 10 × the DRL", replace(CHEST, drl_ratio=10.0), {"drl-multiple": "2.2"}),
    Row("chest X-ray at 10 × the DRL, summed with floating-point noise", replace(CHEST, drl_ratio=9.9999999999),
        {"drl-multiple": "2.2"}),
    Row("study with no DRL comparison", replace(CHEST, drl_ratio=None, drl_quantity="", drl_value=None), {}),
    Row("interventional XA at 9.9 × the local DRL", replace(ANGIO, drl_ratio=9.9), {}),
    Row("interventional XA at 10 × the local DRL", replace(ANGIO, drl_ratio=10.0), {"drl-multiple": "3"}),
    Row("interventional RF at 12 × a national DRL", replace(ANGIO, modality="RF", drl_ratio=12.0,
                                                           drl_scope="national"), {"drl-multiple": "3"}),
    Row("CT head at 2.49 × the DRL", replace(HEAD, drl_ratio=2.49), {}),
    Row("CT head at exactly 2.5 × the DRL", replace(HEAD, drl_ratio=2.5), {"ct-drl-multiple": "2.4"}),
    Row("CT head at 10 × the DRL meets both multiples", replace(HEAD, drl_ratio=10.0),
        {"drl-multiple": "2.2", "ct-drl-multiple": "2.4"}),
    Row("a radiograph at 3 × the DRL (the 2.5 × multiple is for CT)", replace(CHEST, drl_ratio=3.0), {}),
]

IDENTITY = [
    Row("dose report names another patient", replace(CHEST, patient_matches=False, reported_patient="ID 123"),
        {"wrong-patient": "1"}),
    Row("dose report names nobody (patient match not known)", replace(CHEST, patient_matches=None), {}),
    Row("dose report's body part is not the protocol's region",
        replace(CHEST, body_part_matches=False, reported_body_part="PELVIS", protocol_region="chest"),
        {"wrong-body-part": None}),
    Row("body part not known", replace(CHEST, body_part_matches=None), {}),
]

REPEATS = [
    Row("no view repeated", replace(CHEST, repeated_views=()), {}),
    Row("PA chest made twice", replace(CHEST, repeated_views=PA_TWICE, event_count=2), {"repeat-exposures": None}),
    Row("PA chest made twice, screening from 2 repeats", replace(CHEST, repeated_views=PA_TWICE),
        {}, thresholds_from(DOCUMENT, repeated_views=2)),
    Row("PA chest made three times, screening from 2 repeats",
        replace(CHEST, repeated_views=(RepeatedView("PA", "", 3),)), {"repeat-exposures": None},
        thresholds_from(DOCUMENT, repeated_views=2)),
]

SKIN = [
    Row("reference-point dose 1.99 Gy", replace(ANGIO, total_rp_dose_gy=1.99), {}),
    Row("reference-point dose exactly 2 Gy", replace(ANGIO, total_rp_dose_gy=2.0), {"skin-dose": None}),
    Row("reference-point dose 2.5 Gy, screening from 3 Gy", replace(ANGIO, total_rp_dose_gy=2.5), {},
        thresholds_from(DOCUMENT, skin_dose_gy=3.0)),
    Row("interventional study meeting every dose criterion at once",
        replace(ANGIO, drl_ratio=11.0, total_rp_dose_gy=4.0, patient_matches=False),
        {"drl-multiple": "3", "wrong-patient": "1", "skin-dose": None}),
]


def _found(findings: list[Finding]) -> dict[str, str | None]:
    return {f.criterion: f.code for f in findings}


@pytest.mark.parametrize("row", table(DRL_MULTIPLES + IDENTITY + REPEATS + SKIN))
def test_screening(row: Row) -> None:
    findings = screen(row.facts, row.thresholds)
    assert _found(findings) == row.criteria
    for finding in findings:
        assert finding.summary and finding.category and len(finding.summary) <= 400 and len(finding.band) <= 200
        assert "notifiable" not in finding.summary.lower()  # screening never decides that


def _one(facts: StudyFacts) -> Finding:
    [finding] = screen(facts, THRESHOLDS)
    return finding


def _figures(finding: Finding) -> dict[str, tuple[float | int | str, str]]:
    return {f.name: (f.value, f.unit) for f in finding.figures}


def test_a_dose_multiple_outside_interventional_work_shows_code_2_2s_band_edges_undecided() -> None:
    finding = _one(replace(CHEST, drl_ratio=10.0, drl_value=1.5e-4))
    assert finding.category == "unintended exposure"
    assert "0.3 mSv and 2.5 mSv" in finding.band and BOUNDARY_NOT_STATED in finding.band
    figures = _figures(finding)
    assert figures["ratio_to_drl"] == (10.0, "× DRL") and figures["screening_level"] == (10.0, "× DRL")
    assert figures["total_dap"] == (15.0, "Gy·cm²") and figures["drl"] == (1.5, "Gy·cm²")  # shown in Gy·cm²
    assert figures["drl_used"] == ("Local DRL XCHES", "")


def test_an_interventional_dose_multiple_is_code_3_and_says_when_the_drl_is_not_local() -> None:
    local = _one(replace(ANGIO, drl_ratio=10.0))
    assert local.code == "3" and local.category.startswith("interventional radiology")
    assert "national" not in local.summary and local.band == ""
    assert _figures(local)["total_rp_dose"] == (0.5, "Gy") and _figures(local)["fluoro_time"] == (600.0, "s")
    national = _one(replace(ANGIO, drl_ratio=10.0, drl_scope="national"))
    assert "no local DRL applied" in national.summary


def test_a_ct_multiple_shows_code_2_4s_band_edge() -> None:
    finding = _one(replace(HEAD, drl_ratio=2.5))
    assert finding.band.startswith("Code 2.4 band: intended dose more than 10 mSv (edge 10 mSv)")
    assert BOUNDARY_NOT_STATED in finding.band
    assert _figures(finding)["total_dlp"] == (1975.0, "mGy·cm")


def test_a_wrong_patient_shows_the_code_1_doses_for_the_patients_age() -> None:
    adult = _one(replace(CHEST, patient_matches=False, reported_patient="ID 123, JONES^Ann"))
    assert "3 mSv for an adult, 1 mSv for a child (this patient: adult)" in adult.band
    assert "JONES^Ann" in adult.summary and adult.category == "accidental exposure"
    child = _one(replace(CHEST, patient_matches=False, patient_is_child=True))
    assert "(this patient: child)" in child.band


def test_repeats_name_the_views_repeated() -> None:
    finding = _one(replace(CHEST, repeated_views=(RepeatedView("CC", "L", 3), RepeatedView("MLO", "R", 2))))
    assert _figures(finding)["repeated_exposures"] == (3, "")
    assert "left CC ×3, right MLO ×2" in finding.summary


def test_high_skin_dose_is_a_tissue_reaction_screen_not_a_threshold_of_the_criterion() -> None:
    finding = _one(replace(ANGIO, total_rp_dose_gy=2.0))
    assert finding.category == "tissue reactions" and finding.code is None
    assert "the criterion is an observed reaction, not a dose" in finding.summary


@pytest.mark.parametrize(("views", "expected"), [
    ([("PA", "", "Chest"), ("Lateral", "", "Chest")], ()),
    ([("PA", "", "Chest"), ("pa", "", "chest")], (RepeatedView("PA", "", 2),)),
    ([("CC", "L", "Tomo"), ("CC", "L", "2D")], ()),  # a tomosynthesis and a 2D view of one breast: not a repeat
    ([("CC", "L", ""), ("CC", "R", "")], ()),
    ([("", "", ""), ("", "", "")], ()),  # views not recorded: nothing to say
])
def test_repeated_views(views: list[tuple[str, str, str]], expected: tuple[RepeatedView, ...]) -> None:
    assert repeated_views(views) == expected


def test_thresholds_come_from_the_document() -> None:
    t = THRESHOLDS
    assert (t.drl_multiple, t.ct_drl_multiple, t.interventional_drl_multiple) == (10.0, 2.5, 10.0)
    assert (t.accidental_adult_msv, t.accidental_child_msv) == (3.0, 1.0)
    assert (t.drl_band.lower, t.drl_band.upper, t.ct_band.lower, t.ct_band.upper) == (0.3, 2.5, 10.0, None)


def _without(code: str) -> dict[str, Any]:
    return {**DOCUMENT, "criteria": [c for c in DOCUMENT["criteria"] if str(c.get("code")) != code]}


@pytest.mark.parametrize(("document", "message"), [
    (_without("2.4"), "no criterion with code 2.4"),
    (_without("3"), "no criterion with code 3"),
    ({**DOCUMENT, "schema_version": 2}, "schema_version 1"),
    ({**DOCUMENT, "criteria": [
        {**c, "thresholds": [{**c["thresholds"][0], "operator": ">"}]} if str(c.get("code")) == "2.2" else c
        for c in DOCUMENT["criteria"]]}, "'>=' thresholds only"),
])
def test_a_document_missing_what_screening_needs_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ThresholdsError, match=message):
        thresholds_from(document)


def test_the_repeat_screening_level_is_at_least_one() -> None:
    with pytest.raises(ThresholdsError, match="at least 1"):
        thresholds_from(DOCUMENT, repeated_views=0)
