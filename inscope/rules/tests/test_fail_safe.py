"""Unknown never proceeds: each optional fact left unknown (None) on a case that would otherwise proceed
escalates or stops whenever the fact matters for that operator and protocol; where it does not matter, the
case still proceeds, so the table below is also the record of which facts each protocol depends on."""

from __future__ import annotations

import itertools
from dataclasses import fields, replace

import pytest

from inscope.rules.decisions import Outcome
from inscope.rules.evaluate import decide
from inscope.rules.facts import Case, Patient, Request, SupervisionContext
from inscope.rules.tests.cases import (
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    LUMBAR_SPINE,
    MRI_KNEE,
    POLICY,
    RADIOGRAPHER_OP,
    TRAINEE,
    case,
)

SCENARIOS: dict[str, Case] = {
    "qualified AP, chest PA": case(CHEST_PA),
    "qualified AP, lumbar spine": case(LUMBAR_SPINE),
    "qualified AP, MRI knee": case(MRI_KNEE),
    "trainee AP, chest PA": case(CHEST_PA, by=TRAINEE),
    "radiographer, CT abdomen-pelvis": case(CT_ABDOMEN_PELVIS, by=RADIOGRAPHER_OP),
}
ALL = frozenset(SCENARIOS)
AP_XR = frozenset({"qualified AP, chest PA", "qualified AP, lumbar spine", "trainee AP, chest PA"})
PREGNANCY_REGION = frozenset({"qualified AP, lumbar spine", "radiographer, CT abdomen-pelvis"})
CT = frozenset({"radiographer, CT abdomen-pelvis"})

# Where each unknown fact must stop the case from proceeding. Facts matter nowhere only when another recorded
# fact answers for them: a definite "no" to the pregnancy question makes childbearing potential and the LMP
# moot, and the request's side and care setting matter only where an entitlement's conditions name them.
MATTERS: dict[str, frozenset[str]] = {
    "patient.age": ALL,  # every protocol here has an age limit
    "patient.childbearing_potential": frozenset(),
    "patient.identity": ALL,
    "patient.cooperative": AP_XR | {"qualified AP, MRI knee"},
    "patient.has_capacity": AP_XR | {"qualified AP, MRI knee"},
    "patient.mobility": AP_XR,
    "patient.trauma": AP_XR,
    "patient.pregnancy_answer": PREGNANCY_REGION,
    "patient.last_menstrual_period": frozenset(),
    "patient.mri_stop_answers": frozenset({"qualified AP, MRI knee"}),
    "patient.weight_kg": frozenset({"qualified AP, MRI knee"}),  # MR's SAR limits need it
    "patient.contrast_checks_done": CT,
    "patient.cannula_in_place": CT,
    "request.justification": ALL,
    # Side and setting matter only to an entitlement whose conditions name them (test_conditions.py).
    "request.setting": frozenset(),
    "request.laterality": frozenset(),
    "supervision.direct_supervisor_present": frozenset({"trainee AP, chest PA"}),
}


def _optional_fields() -> list[str]:
    parts = {"patient": Patient, "request": Request, "supervision": SupervisionContext}
    return [f"{part}.{f.name}" for part, cls in parts.items() for f in fields(cls) if "None" in str(f.type)]


def unknown(facts: Case, *paths: str) -> Case:
    """The case with the named facts (``patient.age``, ``request.justified``, ...) set to None."""
    for path in paths:
        part, name = path.split(".")
        facts = replace(facts, **{part: replace(getattr(facts, part), **{name: None})})
    return facts


def test_the_table_names_every_optional_fact_of_the_patient_request_and_supervision() -> None:
    assert sorted(MATTERS) == sorted(_optional_fields())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_proceeds_when_everything_is_known(scenario: str) -> None:
    assert decide(SCENARIOS[scenario], POLICY).outcome is Outcome.PROCEED


@pytest.mark.parametrize(
    ("scenario", "fact"),
    [
        pytest.param(s, f, id=f"{s}, {f} unknown -> {'not proceed' if s in MATTERS[f] else 'proceed'}")
        for f in MATTERS
        for s in SCENARIOS
    ],
)
def test_an_unknown_fact_blocks_proceed_exactly_where_it_matters(scenario: str, fact: str) -> None:
    decision = decide(unknown(SCENARIOS[scenario], fact), POLICY)
    if scenario in MATTERS[fact]:
        assert decision.outcome is not Outcome.PROCEED, decision.as_dict()
        assert decision.reasons, "an escalation or stop always gives its reason"
    else:
        assert decision.outcome is Outcome.PROCEED, decision.as_dict()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_unknown_facts_are_never_better_than_one(scenario: str) -> None:
    for first, second in itertools.combinations(MATTERS, 2):
        decision = decide(unknown(SCENARIOS[scenario], first, second), POLICY)
        if scenario in MATTERS[first] | MATTERS[second]:
            assert decision.outcome is not Outcome.PROCEED, (first, second, decision.as_dict())


def test_an_unknown_policy_stops_every_case() -> None:
    for facts in SCENARIOS.values():
        assert decide(facts, None).outcome is Outcome.STOP
