"""The pregnancy enquiry (shared/reference/pregnancy_enquiry_rules.yaml): who is asked, the 28-day rule for
standard doses, the 10-day rule for high doses; day 1 of the cycle is the first day of the last period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from inscope.rules.evaluate import decide
from inscope.rules.facts import Case, Operator, PregnancyAnswer, PregnancyPolicy, Protocol
from inscope.rules.pregnancy import cycle_day
from inscope.rules.tests.cases import (
    ABDOMEN,
    AP,
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    LUMBAR_SPINE,
    MRI_KNEE,
    NM_BONE_SCAN,
    POLICY,
    RADIOGRAPHER_OP,
    Row,
    case,
    days_ago,
    escalate,
    lmp_for_cycle_day,
    policy_with,
    proceed,
    table,
)

NO, POSSIBLY = PregnancyAnswer.DEFINITELY_NOT, PregnancyAnswer.POSSIBLY
PREGNANT, DECLINED = PregnancyAnswer.PREGNANT, PregnancyAnswer.DECLINED
RAD = RADIOGRAPHER_OP


def asked(
    protocol: Protocol, answer: PregnancyAnswer | None, *, day: int | None = None, by: Operator = AP, **facts: Any
) -> Case:
    """A 30-year-old asked the pregnancy question; ``day`` is today's cycle day (None: LMP not known)."""
    lmp = None if day is None else lmp_for_cycle_day(day)
    patient: dict[str, Any] = {"age": 30, "pregnancy_answer": answer, "last_menstrual_period": lmp, **facts}
    return case(protocol, by=by, **patient)


ASSISTANT_PRACTITIONER = [
    Row("AP, lumbar spine, 30-year-old, definitely not pregnant", asked(LUMBAR_SPINE, NO), proceed()),
    Row("AP, lumbar spine, 30-year-old, enquiry not recorded", asked(LUMBAR_SPINE, None),
        escalate("pregnancy-enquiry-not-recorded")),
    Row("AP, lumbar spine, 30-year-old, says she is pregnant", asked(LUMBAR_SPINE, PREGNANT, day=60),
        escalate("pregnancy-confirmed")),
    Row("AP, lumbar spine, 30-year-old, answered 'possibly', cycle day 28",
        asked(LUMBAR_SPINE, POSSIBLY, day=28), escalate("pregnancy-not-excluded")),
    Row("AP, lumbar spine, 30-year-old, answered 'possibly', cycle day 29",
        asked(LUMBAR_SPINE, POSSIBLY, day=29), escalate("pregnancy-not-excluded", "pregnancy-28-day-rule")),
    Row("AP, lumbar spine, 30-year-old, answered 'possibly', LMP 35 days ago",
        case(LUMBAR_SPINE, age=30, pregnancy_answer=POSSIBLY, last_menstrual_period=days_ago(35)),
        escalate("pregnancy-not-excluded", "pregnancy-28-day-rule")),
    Row("AP, lumbar spine, 30-year-old, answered 'possibly', LMP not known",
        asked(LUMBAR_SPINE, POSSIBLY), escalate("pregnancy-not-excluded", "pregnancy-lmp-unknown")),
    Row("AP, lumbar spine, 30-year-old, would not answer, cycle day 5",
        asked(LUMBAR_SPINE, DECLINED, day=5), escalate("pregnancy-not-excluded")),
    Row("AP, lumbar spine, childbearing potential unknown, enquiry not recorded",
        asked(LUMBAR_SPINE, None, childbearing_potential=None), escalate("pregnancy-enquiry-not-recorded")),
    Row("AP, lumbar spine, childbearing potential unknown, definitely not pregnant",
        asked(LUMBAR_SPINE, NO, childbearing_potential=None), proceed()),
    Row("AP, lumbar spine, not of childbearing potential, not asked",
        asked(LUMBAR_SPINE, None, childbearing_potential=False), proceed()),
    Row("AP, lumbar spine, 55-year-old (top of the enquiry age range), not asked",
        asked(LUMBAR_SPINE, None, age=55), escalate("pregnancy-enquiry-not-recorded")),
    Row("AP, lumbar spine, 56-year-old (above the enquiry age range), not asked",
        asked(LUMBAR_SPINE, None, age=56), proceed()),
    Row("AP, chest PA (outside the diaphragm-to-knees region), not asked", asked(CHEST_PA, None), proceed()),
    # Outside the enquiry's scope the answer is still read: an AP never goes on past a reported pregnancy.
    Row("AP, chest PA, answered 'possibly', LMP 40 days ago", asked(CHEST_PA, POSSIBLY, day=41),
        escalate("pregnancy-reported")),
    Row("AP, MRI knee (no ionising radiation), says she is pregnant", asked(MRI_KNEE, PREGNANT),
        escalate("pregnancy-reported")),
    Row("AP, chest PA, says she is pregnant", asked(CHEST_PA, PREGNANT), escalate("pregnancy-reported")),
    Row("AP, chest PA, would not answer (no enquiry needed for a chest)", asked(CHEST_PA, DECLINED), proceed()),
    # A definite "no" that the recorded LMP contradicts: the period is overdue.
    Row("AP, lumbar spine, definitely not pregnant, cycle day 28", asked(LUMBAR_SPINE, NO, day=28), proceed()),
    Row("AP, lumbar spine, definitely not pregnant, cycle day 29 (period overdue)",
        asked(LUMBAR_SPINE, NO, day=29), escalate("pregnancy-answer-contradicts-lmp")),
    Row("AP, lumbar spine, definitely not pregnant, period overdue, employer turned the check off",
        asked(LUMBAR_SPINE, NO, day=45), proceed(),
        policy=policy_with(pregnancy=PregnancyPolicy(escalate_no_with_overdue_period=False))),
    Row("AP, lumbar spine, definitely not pregnant, no LMP recorded", asked(LUMBAR_SPINE, NO), proceed()),
    Row("AP, chest PA, definitely not pregnant, period overdue (no enquiry needed for a chest)",
        asked(CHEST_PA, NO, day=45), proceed()),
]

REGISTERED = [
    Row("radiographer, lumbar spine, answered 'possibly', cycle day 28",
        asked(LUMBAR_SPINE, POSSIBLY, day=28, by=RAD), proceed()),
    Row("radiographer, lumbar spine, answered 'possibly', cycle day 29",
        asked(LUMBAR_SPINE, POSSIBLY, day=29, by=RAD), escalate("pregnancy-28-day-rule")),
    Row("radiographer, lumbar spine, answered 'possibly', LMP not known",
        asked(LUMBAR_SPINE, POSSIBLY, by=RAD), escalate("pregnancy-lmp-unknown")),
    Row("radiographer, lumbar spine, would not answer, cycle day 5",
        asked(LUMBAR_SPINE, DECLINED, day=5, by=RAD), escalate("pregnancy-not-excluded")),
    Row("radiographer, lumbar spine, says she is pregnant", asked(LUMBAR_SPINE, PREGNANT, by=RAD),
        escalate("pregnancy-confirmed")),
    Row("radiographer, CT abdomen-pelvis (high dose), answered 'possibly', cycle day 1 (LMP today)",
        asked(CT_ABDOMEN_PELVIS, POSSIBLY, day=1, by=RAD), proceed()),
    Row("radiographer, CT abdomen-pelvis, answered 'possibly', cycle day 10",
        asked(CT_ABDOMEN_PELVIS, POSSIBLY, day=10, by=RAD), proceed()),
    Row("radiographer, CT abdomen-pelvis, answered 'possibly', cycle day 11",
        asked(CT_ABDOMEN_PELVIS, POSSIBLY, day=11, by=RAD), escalate("pregnancy-10-day-rule")),
    Row("radiographer, CT abdomen-pelvis, answered 'possibly', cycle day 29 (10-day rule only)",
        asked(CT_ABDOMEN_PELVIS, POSSIBLY, day=29, by=RAD), escalate("pregnancy-10-day-rule")),
    Row("radiographer, CT abdomen-pelvis, would not answer, cycle day 12",
        asked(CT_ABDOMEN_PELVIS, DECLINED, day=12, by=RAD),
        escalate("pregnancy-not-excluded", "pregnancy-10-day-rule")),
    Row("radiographer, CT abdomen-pelvis, definitely not pregnant, cycle day 20",
        asked(CT_ABDOMEN_PELVIS, NO, day=20, by=RAD), proceed()),
    Row("radiographer, NM bone scan (outside the region, still asked), not asked",
        asked(NM_BONE_SCAN, None, by=RAD), escalate("pregnancy-enquiry-not-recorded")),
    Row("radiographer, NM bone scan, answered 'possibly', cycle day 29",
        asked(NM_BONE_SCAN, POSSIBLY, day=29, by=RAD), escalate("pregnancy-28-day-rule")),
    Row("radiographer, chest PA, says she is pregnant (a note, not an escalation)",
        asked(CHEST_PA, PREGNANT, by=RAD), proceed()),
    Row("radiographer, lumbar spine, definitely not pregnant, period overdue (the check is for APs)",
        asked(LUMBAR_SPINE, NO, day=45, by=RAD), proceed()),
]

AGE_RANGE = [
    Row(f"radiographer, abdomen XR, {age}-year-old, not asked", asked(ABDOMEN, None, by=RAD, age=age), expect)
    for age, expect in [
        (11, proceed()),
        (12, escalate("pregnancy-enquiry-not-recorded")),
        (55, escalate("pregnancy-enquiry-not-recorded")),
        (56, proceed()),
    ]
] + [
    Row("radiographer, abdomen XR, age unknown, not asked", asked(ABDOMEN, None, by=RAD, age=None),
        escalate("pregnancy-enquiry-not-recorded")),
    Row("radiographer, abdomen XR, 51-year-old, not asked, employer asks 12 to 50 (RCR audit standard)",
        asked(ABDOMEN, None, by=RAD, age=51), proceed(), policy=policy_with(pregnancy=PregnancyPolicy(max_age=50))),
    Row("radiographer, lumbar spine, 'possibly', cycle day 22, employer uses a 21-day rule",
        asked(LUMBAR_SPINE, POSSIBLY, by=RAD, day=22), escalate("pregnancy-28-day-rule"),
        policy=policy_with(pregnancy=PregnancyPolicy(low_dose_days=21))),
]


@pytest.mark.parametrize("row", table(ASSISTANT_PRACTITIONER))
def test_an_assistant_practitioner_proceeds_only_on_a_definite_no(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(REGISTERED))
def test_a_radiographer_may_go_on_within_the_28_or_10_day_rule(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(AGE_RANGE))
def test_the_employers_age_range_decides_who_is_asked(row: Row) -> None:
    row.expect.check(row.decide())


def test_a_radiographer_going_on_within_the_rule_is_reminded_to_record_the_lmp() -> None:
    decision = REGISTERED[0].decide()
    assert decision.notes == ("Pregnancy not excluded; cycle day 28 is within the rule. Record the LMP.",)


def test_a_definite_no_leaves_no_note() -> None:
    assert ASSISTANT_PRACTITIONER[0].decide().notes == ()


def test_the_28_day_message_counts_days_since_the_lmp() -> None:
    (reason,) = [r for r in REGISTERED[1].decide().reasons if r.code == "pregnancy-28-day-rule"]
    assert "began 28 days ago" in reason.message


@pytest.mark.parametrize(
    ("lmp", "on", "day"),
    [
        pytest.param(dt.date(2026, 11, 30), dt.date(2026, 11, 30), 1, id="period started today -> day 1"),
        pytest.param(dt.date(2026, 11, 29), dt.date(2026, 11, 30), 2, id="started yesterday -> day 2"),
        pytest.param(dt.date(2026, 11, 3), dt.date(2026, 11, 30), 28, id="started 27 days ago -> day 28"),
        pytest.param(dt.date(2026, 2, 1), dt.date(2026, 3, 1), 29, id="across the end of February -> day 29"),
        pytest.param(dt.date(2023, 12, 31), dt.date(2024, 1, 10), 11, id="across the new year -> day 11"),
    ],
)
def test_cycle_day_one_is_the_first_day_of_the_last_period(lmp: dt.date, on: dt.date, day: int) -> None:
    assert cycle_day(lmp, on) == day



def test_a_reported_pregnancy_counts_outside_the_enquiry_age_range() -> None:
    older = asked(CT_ABDOMEN_PELVIS, PREGNANT, by=RAD, age=57)

    assert "pregnancy-confirmed" in decide(older, POLICY).codes


def test_a_radiographer_told_of_a_pregnancy_outside_the_enquiry_is_asked_to_record_the_decision() -> None:
    decision = decide(asked(CHEST_PA, PREGNANT, by=RAD), POLICY)
    assert decision.notes and "pregnant" in decision.notes[0]


def test_the_contradiction_names_the_days_since_the_period_began() -> None:
    message = decide(asked(LUMBAR_SPINE, NO, day=40), POLICY).reasons[0].message
    assert "39 days ago" in message
