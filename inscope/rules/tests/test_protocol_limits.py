"""A protocol's patient limits: every patient group the policy may exclude changes the decision; mobility is
written as the levels allowed; and limits can bind only the roles they name (an AP minimum age that does not
bind registered radiographers)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from inscope.rules.evaluate import decide
from inscope.rules.facts import (
    Mobility,
    Patient,
    PatientGroup,
    PatientLimits,
    Policy,
    PregnancyAnswer,
    Protocol,
    Role,
    RoleLimits,
)
from inscope.rules.tests.cases import (
    CHEST_PA,
    POLICY,
    RADIOGRAPHER_OP,
    TRAINEE,
    Row,
    case,
    escalate,
    policy_with,
    proceed,
    table,
)

# A chest PA with no AP exclusions at all, to add one at a time.
OPEN_CHEST = replace(CHEST_PA, excluded_groups=frozenset(), checks=frozenset())

# A patient in each group, every other fact favourable.
IN_GROUP: dict[PatientGroup, dict[str, Any]] = {
    PatientGroup.PREGNANT: {"pregnancy_answer": PregnancyAnswer.POSSIBLY},
    PatientGroup.TRAUMA: {"trauma": True},
    PatientGroup.REDUCED_MOBILITY: {"mobility": Mobility.TROLLEY},
    PatientGroup.NON_COOPERATIVE: {"cooperative": False},
    PatientGroup.LACKS_CAPACITY: {"has_capacity": False},
}
EXCLUSION_CODE = {
    PatientGroup.PREGNANT: "patient-pregnant",
    PatientGroup.TRAUMA: "patient-trauma",
    PatientGroup.REDUCED_MOBILITY: "patient-reduced-mobility",
    PatientGroup.NON_COOPERATIVE: "patient-non-cooperative",
    PatientGroup.LACKS_CAPACITY: "patient-lacks-capacity",
}


def under(protocol: Protocol) -> Policy:
    return policy_with(protocols={**POLICY.protocols, protocol.code: protocol})


def test_every_group_the_policy_may_exclude_is_listed_here() -> None:
    assert set(IN_GROUP) == set(PatientGroup) == set(EXCLUSION_CODE)


@pytest.mark.parametrize("group", list(PatientGroup), ids=[g.value for g in PatientGroup])
def test_every_accepted_exclusion_changes_the_decision(group: PatientGroup) -> None:
    patient = case(OPEN_CHEST, **IN_GROUP[group])
    without = decide(patient, under(OPEN_CHEST))
    excluding = decide(patient, under(replace(OPEN_CHEST, excluded_groups=frozenset({group}))))
    assert EXCLUSION_CODE[group] not in without.codes
    assert EXCLUSION_CODE[group] in excluding.codes, excluding.as_dict()
    assert excluding.outcome.value == "escalate"


@pytest.mark.parametrize("group", list(PatientGroup), ids=[g.value for g in PatientGroup])
def test_every_accepted_exclusion_changes_the_decision_as_a_role_limit_too(group: PatientGroup) -> None:
    limit = RoleLimits(frozenset({Role.RADIOGRAPHER}), PatientLimits(excluded_groups=frozenset({group})))
    patient = case(OPEN_CHEST, by=RADIOGRAPHER_OP, **IN_GROUP[group])
    assert EXCLUSION_CODE[group] not in decide(patient, under(OPEN_CHEST)).codes
    assert EXCLUSION_CODE[group] in decide(patient, under(replace(OPEN_CHEST, role_limits=(limit,)))).codes


PREGNANT_EXCLUDED = replace(OPEN_CHEST, excluded_groups=frozenset({PatientGroup.PREGNANT}))
POLICY_EXCLUDING_PREGNANCY = under(PREGNANT_EXCLUDED)

PREGNANCY_EXCLUSION = [
    Row("AP, chest PA excluding pregnant patients, definitely not pregnant", case(PREGNANT_EXCLUDED), proceed(),
        POLICY_EXCLUDING_PREGNANCY),
    Row("AP, chest PA excluding pregnant patients, enquiry not recorded (a chest needs none otherwise)",
        case(PREGNANT_EXCLUDED, pregnancy_answer=None), escalate("pregnancy-enquiry-not-recorded"),
        POLICY_EXCLUDING_PREGNANCY),
    Row("AP, chest PA excluding pregnant patients, would not answer",
        case(PREGNANT_EXCLUDED, pregnancy_answer=PregnancyAnswer.DECLINED), escalate("patient-pregnant"),
        POLICY_EXCLUDING_PREGNANCY),
    Row("AP, chest PA excluding pregnant patients, not of childbearing potential, not asked",
        case(PREGNANT_EXCLUDED, pregnancy_answer=None, childbearing_potential=False), proceed(),
        POLICY_EXCLUDING_PREGNANCY),
    Row("AP, chest PA excluding pregnant patients, 70-year-old, not asked (outside the enquiry age range)",
        case(PREGNANT_EXCLUDED, pregnancy_answer=None, age=70), proceed(), POLICY_EXCLUDING_PREGNANCY),
    Row("AP, chest PA excluding pregnant patients, says she is pregnant",
        case(PREGNANT_EXCLUDED, pregnancy_answer=PregnancyAnswer.PREGNANT),
        escalate("patient-pregnant", "pregnancy-reported"), POLICY_EXCLUDING_PREGNANCY),
    Row("radiographer, chest PA excluding pregnant patients for APs, says she is pregnant",
        case(PREGNANT_EXCLUDED, by=RADIOGRAPHER_OP, pregnancy_answer=PregnancyAnswer.PREGNANT), proceed(),
        POLICY_EXCLUDING_PREGNANCY),
]


def test_an_exclusion_of_pregnant_patients_puts_the_enquiry_on_the_checklist() -> None:
    decision = decide(case(PREGNANT_EXCLUDED, pregnancy_answer=None), POLICY_EXCLUDING_PREGNANCY)
    assert "pregnancy" in decision.required_checks


WHEELCHAIR_OK = replace(OPEN_CHEST, mobility=frozenset({Mobility.INDEPENDENT, Mobility.WHEELCHAIR}))
WHEELCHAIR_POLICY = under(WHEELCHAIR_OK)

MOBILITY_LEVELS = [
    Row("AP, chest PA for walking and wheelchair patients, patient in a wheelchair",
        case(WHEELCHAIR_OK, mobility=Mobility.WHEELCHAIR), proceed(), WHEELCHAIR_POLICY),
    Row("AP, chest PA for walking and wheelchair patients, patient on a trolley",
        case(WHEELCHAIR_OK, mobility=Mobility.TROLLEY), escalate("patient-reduced-mobility"), WHEELCHAIR_POLICY),
    Row("AP, chest PA for walking and wheelchair patients, patient in bed",
        case(WHEELCHAIR_OK, mobility=Mobility.BED), escalate("patient-reduced-mobility"), WHEELCHAIR_POLICY),
    Row("AP, chest PA for walking and wheelchair patients, mobility not recorded",
        case(WHEELCHAIR_OK, mobility=None), escalate("mobility-unknown"), WHEELCHAIR_POLICY),
    Row("radiographer, chest PA whose mobility levels bind APs, patient in bed",
        case(WHEELCHAIR_OK, by=RADIOGRAPHER_OP, mobility=Mobility.BED), proceed(), WHEELCHAIR_POLICY),
    Row("AP, chest PA with the all-or-nothing reduced_mobility exclusion, patient in a wheelchair",
        case(CHEST_PA, mobility=Mobility.WHEELCHAIR), escalate("patient-reduced-mobility")),
]

AP_ROLES = frozenset({Role.AP, Role.TRAINEE_AP})
AP_ADULTS = replace(OPEN_CHEST, role_limits=(RoleLimits(AP_ROLES, PatientLimits(min_age=18)),))
AP_ADULTS_POLICY = under(AP_ADULTS)
RADIOGRAPHERS_TO_80 = replace(
    OPEN_CHEST, role_limits=(RoleLimits(frozenset({Role.RADIOGRAPHER}), PatientLimits(max_age=80)),)
)
AP_TROLLEY = replace(
    OPEN_CHEST,
    role_limits=(
        RoleLimits(frozenset({Role.AP}), PatientLimits(mobility=frozenset({Mobility.INDEPENDENT, Mobility.TROLLEY}))),
        RoleLimits(frozenset({Role.TRAINEE_AP}), PatientLimits(mobility=frozenset({Mobility.INDEPENDENT}))),
    ),
)

ROLE_LIMITS = [
    Row("AP, chest PA with an AP minimum age of 18, 17-year-old", case(AP_ADULTS, age=17),
        escalate("patient-below-minimum-age"), AP_ADULTS_POLICY),
    Row("trainee AP, chest PA with an AP minimum age of 18, 17-year-old", case(AP_ADULTS, by=TRAINEE, age=17),
        escalate("patient-below-minimum-age"), AP_ADULTS_POLICY),
    Row("radiographer, chest PA with an AP minimum age of 18, 17-year-old",
        case(AP_ADULTS, by=RADIOGRAPHER_OP, age=17), proceed(), AP_ADULTS_POLICY),
    Row("radiographer, chest PA (16 and over for everyone), 15-year-old",
        case(AP_ADULTS, by=RADIOGRAPHER_OP, age=15), escalate("patient-below-minimum-age"), AP_ADULTS_POLICY),
    Row("AP, chest PA with an AP minimum age of 18, 18-year-old", case(AP_ADULTS, age=18), proceed(),
        AP_ADULTS_POLICY),
    Row("AP, chest PA with an AP minimum age of 18, age not known", case(AP_ADULTS, age=None),
        escalate("patient-age-unknown"), AP_ADULTS_POLICY),
    Row("radiographer, chest PA with a radiographer maximum age of 80, 85-year-old",
        case(RADIOGRAPHERS_TO_80, by=RADIOGRAPHER_OP, age=85), escalate("patient-above-maximum-age"),
        under(RADIOGRAPHERS_TO_80)),
    Row("AP, chest PA with a radiographer maximum age of 80, 85-year-old",
        case(RADIOGRAPHERS_TO_80, age=85), proceed(), under(RADIOGRAPHERS_TO_80)),
    Row("AP who may examine trolley patients on this protocol, patient on a trolley",
        case(AP_TROLLEY, mobility=Mobility.TROLLEY), proceed(), under(AP_TROLLEY)),
    Row("trainee AP limited to walking patients on the same protocol, patient on a trolley",
        case(AP_TROLLEY, by=TRAINEE, mobility=Mobility.TROLLEY), escalate("patient-reduced-mobility"),
        under(AP_TROLLEY)),
]


@pytest.mark.parametrize("row", table(PREGNANCY_EXCLUSION + MOBILITY_LEVELS + ROLE_LIMITS))
def test_protocol_limits_bind_the_operators_they_name(row: Row) -> None:
    row.expect.check(row.decide())


def test_a_role_limit_names_the_role_in_its_message() -> None:
    message = decide(case(AP_ADULTS, age=17), AP_ADULTS_POLICY).reasons[0].message
    assert "assistant practitioner" in message and "18" in message


def test_unknown_facts_are_never_in_a_group_by_default() -> None:
    from inscope.rules.patient_groups import in_group

    nothing = Patient(age=None)
    assert all(in_group(nothing, group, POLICY.pregnancy) is None for group in PatientGroup)
