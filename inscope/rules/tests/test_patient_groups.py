"""Patient groups: assistant practitioners work with conscious, co-operative, communicative adults; the policy
names the groups each protocol excludes. Registered staff are not bound by those exclusions."""

from __future__ import annotations

import pytest

from inscope.rules.facts import Mobility, PregnancyAnswer
from inscope.rules.tests.cases import (
    CHEST_AP_TROLLEY,
    CHEST_PA,
    HAND,
    LUMBAR_SPINE,
    MRI_KNEE,
    RADIOGRAPHER_OP,
    Row,
    case,
    days_ahead,
    escalate,
    proceed,
    table,
)

AGE = [
    Row("qualified AP, chest PA, 15-year-old (under the protocol's 16)", case(CHEST_PA, age=15),
        escalate("patient-below-minimum-age")),
    Row("qualified AP, chest PA, 16-year-old (the protocol's minimum)", case(CHEST_PA, age=16), proceed()),
    Row("qualified AP, chest PA, 99-year-old (no upper limit)", case(CHEST_PA, age=99, childbearing_potential=False),
        proceed()),
    Row("qualified AP, lumbar spine, 70-year-old (the protocol's maximum)", case(LUMBAR_SPINE, age=70), proceed()),
    Row("qualified AP, lumbar spine, 71-year-old (over the protocol's 70)", case(LUMBAR_SPINE, age=71),
        escalate("patient-above-maximum-age")),
    Row("qualified AP, chest PA, age unknown", case(CHEST_PA, age=None), escalate("patient-age-unknown")),
    Row("registered radiographer, chest PA, 15-year-old (age limits bind everyone)",
        case(CHEST_PA, by=RADIOGRAPHER_OP, age=15), escalate("patient-below-minimum-age")),
    Row("registered radiographer, chest AP on a trolley (no age limits), age unknown",
        case(CHEST_AP_TROLLEY, by=RADIOGRAPHER_OP, age=None), proceed()),
]

GROUPS = [
    Row("qualified AP, chest PA, trauma patient", case(CHEST_PA, trauma=True), escalate("patient-trauma")),
    Row("qualified AP, chest PA, not recorded whether trauma", case(CHEST_PA, trauma=None), escalate("trauma-unknown")),
    Row("qualified AP, hand (trauma allowed), minor-injuries trauma patient", case(HAND, trauma=True), proceed()),
    Row("qualified AP, hand (trauma allowed), trauma not recorded", case(HAND, trauma=None), proceed()),
    Row("qualified AP, chest PA, patient in a wheelchair", case(CHEST_PA, mobility=Mobility.WHEELCHAIR),
        escalate("patient-reduced-mobility")),
    Row("qualified AP, chest PA, patient on a trolley", case(CHEST_PA, mobility=Mobility.TROLLEY),
        escalate("patient-reduced-mobility")),
    Row("qualified AP, chest PA, patient in a bed", case(CHEST_PA, mobility=Mobility.BED),
        escalate("patient-reduced-mobility")),
    Row("qualified AP, chest PA, mobility not recorded", case(CHEST_PA, mobility=None), escalate("mobility-unknown")),
    Row("qualified AP, hand, patient in a wheelchair", case(HAND, mobility=Mobility.WHEELCHAIR), proceed()),
    Row("qualified AP, chest PA, patient cannot co-operate", case(CHEST_PA, cooperative=False),
        escalate("patient-non-cooperative")),
    Row("qualified AP, chest PA, co-operation not recorded", case(CHEST_PA, cooperative=None),
        escalate("cooperation-unknown")),
    Row("qualified AP, MRI knee, patient cannot co-operate", case(MRI_KNEE, cooperative=False),
        escalate("patient-non-cooperative")),
    Row("qualified AP, chest PA, patient lacks capacity to consent", case(CHEST_PA, has_capacity=False),
        escalate("patient-lacks-capacity")),
    Row("qualified AP, chest PA, capacity not recorded", case(CHEST_PA, has_capacity=None),
        escalate("capacity-unknown")),
    Row(
        "qualified AP, chest PA, confused trauma patient on a trolley",
        case(CHEST_PA, trauma=True, mobility=Mobility.TROLLEY, cooperative=False, has_capacity=False),
        escalate("patient-trauma", "patient-reduced-mobility", "patient-non-cooperative", "patient-lacks-capacity"),
    ),
    Row(
        "qualified AP, chest PA, nothing recorded about the patient's condition",
        case(CHEST_PA, trauma=None, mobility=None, cooperative=None, has_capacity=None),
        escalate("trauma-unknown", "mobility-unknown", "cooperation-unknown", "capacity-unknown"),
    ),
]

REGISTERED = [
    Row(
        "registered radiographer, chest PA, confused trauma patient on a trolley",
        case(CHEST_PA, by=RADIOGRAPHER_OP, trauma=True, mobility=Mobility.TROLLEY, cooperative=False,
             has_capacity=False),
        proceed(),
    ),
    Row("registered radiographer, chest PA, not recorded whether trauma (not a required check)",
        case(CHEST_PA, by=RADIOGRAPHER_OP, trauma=None), proceed()),
    # The protocol's required checks still need an answer, whoever performs it.
    Row("registered radiographer, chest PA, co-operation check not answered",
        case(CHEST_PA, by=RADIOGRAPHER_OP, cooperative=None), escalate("cooperation-unknown")),
    Row("registered radiographer, chest PA, capacity check not answered",
        case(CHEST_PA, by=RADIOGRAPHER_OP, has_capacity=None), escalate("capacity-unknown")),
    Row("registered radiographer, chest PA, mobility check not answered",
        case(CHEST_PA, by=RADIOGRAPHER_OP, mobility=None), escalate("mobility-unknown")),
    Row("registered radiographer, chest AP on a trolley (no such checks), nothing recorded about the condition",
        case(CHEST_AP_TROLLEY, by=RADIOGRAPHER_OP, cooperative=None, has_capacity=None, mobility=None), proceed()),
]

CONTRADICTIONS = [
    Row("qualified AP, chest PA, recorded age of 131", case(CHEST_PA, age=131), escalate("facts-contradictory")),
    Row("qualified AP, chest PA, recorded age of 130", case(CHEST_PA, age=130, childbearing_potential=False),
        proceed()),
    Row("qualified AP, chest PA, negative age", case(CHEST_PA, age=-1),
        escalate("facts-contradictory", "patient-below-minimum-age")),
    Row("qualified AP, chest PA, last period recorded as starting tomorrow",
        case(CHEST_PA, last_menstrual_period=days_ahead(1)), escalate("facts-contradictory")),
    Row(
        "qualified AP, lumbar spine, recorded as not of childbearing potential yet answered 'pregnant'",
        case(LUMBAR_SPINE, childbearing_potential=False, pregnancy_answer=PregnancyAnswer.PREGNANT),
        escalate("facts-contradictory", "pregnancy-reported"),
    ),
    Row(
        "registered radiographer, chest AP, age 131 and last period tomorrow (each contradiction reported once)",
        case(CHEST_AP_TROLLEY, by=RADIOGRAPHER_OP, age=131, last_menstrual_period=days_ahead(1)),
        escalate("facts-contradictory"),
    ),
]


@pytest.mark.parametrize("row", table(AGE))
def test_the_patient_must_be_within_the_protocols_age_range_and_the_age_known(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(GROUPS))
def test_an_assistant_practitioner_escalates_a_patient_in_or_possibly_in_an_excluded_group(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(REGISTERED))
def test_a_registered_radiographer_is_not_bound_by_the_assistant_practitioner_patient_groups(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(CONTRADICTIONS))
def test_facts_that_cannot_both_be_true_are_escalated_for_correction(row: Row) -> None:
    row.expect.check(row.decide())


def test_two_contradictions_are_one_reason_code_and_the_message_names_both() -> None:
    decision = CONTRADICTIONS[-1].decide()
    (message,) = [r.message for r in decision.reasons]
    assert "an age of 131" in message
    assert "a last menstrual period after today" in message
