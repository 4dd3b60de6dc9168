"""Conditions on one person's entitlement ("non-trauma only", "adults only", "co-operative, ambulant patients
only", "left or right only", "GP referrals", "under direct supervision"), in the policy and on a manager's grant;
and an entitlement the employer revoked, which says so rather than "no entitlement"."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from inscope.rules.authorisation import may_authorise
from inscope.rules.facts import (
    Conditions,
    Grant,
    Justification,
    Laterality,
    Mobility,
    Operator,
    PatientGroup,
    PatientLimits,
    PregnancyAnswer,
    Setting,
    SignOff,
)
from inscope.rules.tests.cases import (
    AP_ENTITLEMENT,
    CHEST_PA,
    HAND,
    LUMBAR_SPINE,
    MRI_KNEE,
    RADIOGRAPHER_OP,
    TODAY,
    Row,
    ap_entitlement,
    ap_with,
    case,
    days_ago,
    days_ahead,
    escalate,
    proceed,
    request,
    supervision,
    table,
)

NOT_MET, UNKNOWN = "entitlement-condition-not-met", "entitlement-condition-unknown"


def limited(**patients: Any) -> Conditions:
    return Conditions(patients=PatientLimits(**patients))


def entitled_under(conditions: Conditions, **changes: Any) -> Operator:
    """The qualified AP whose one entitlement carries these conditions."""
    return ap_with(ap_entitlement(conditions=conditions, **changes))


ADULTS_ONLY = limited(min_age=18)
NON_TRAUMA = limited(excluded_groups=frozenset({PatientGroup.TRAUMA}))
AMBULANT_COOPERATIVE = limited(
    excluded_groups=frozenset({PatientGroup.NON_COOPERATIVE}), mobility=frozenset({Mobility.INDEPENDENT})
)
NOT_PREGNANT = limited(excluded_groups=frozenset({PatientGroup.PREGNANT}))
HANDS_ONLY = Conditions(body_regions=frozenset({"hand", "wrist"}))
ONE_SIDE = Conditions(laterality=frozenset({Laterality.LEFT, Laterality.RIGHT, Laterality.NOT_APPLICABLE}))
GP_AND_OUTPATIENTS = Conditions(settings=frozenset({Setting.GP, Setting.OUTPATIENT}))
IN_THE_ROOM = Conditions(direct_supervision=True)
FREE_TEXT = Conditions(unstructured="Co-operative adults only")

CONDITIONS = [
    Row("AP entitled for adults only, 45-year-old", case(CHEST_PA, by=entitled_under(ADULTS_ONLY)), proceed()),
    Row("AP entitled for adults only, 17-year-old (the protocol allows 16 and over)",
        case(CHEST_PA, by=entitled_under(ADULTS_ONLY), age=17), escalate(NOT_MET)),
    Row("AP entitled for adults only, age not known",
        case(CHEST_PA, by=entitled_under(ADULTS_ONLY), age=None), escalate(UNKNOWN, "patient-age-unknown")),
    Row("AP entitled for non-trauma only, hand (the protocol allows trauma), trauma patient",
        case(HAND, by=entitled_under(NON_TRAUMA), trauma=True), escalate(NOT_MET)),
    Row("AP entitled for non-trauma only, hand, not a trauma case",
        case(HAND, by=entitled_under(NON_TRAUMA), trauma=False), proceed()),
    Row("AP entitled for non-trauma only, hand, trauma not recorded",
        case(HAND, by=entitled_under(NON_TRAUMA), trauma=None), escalate(UNKNOWN)),
    Row("AP entitled for co-operative ambulant patients, hand, patient in a wheelchair",
        case(HAND, by=entitled_under(AMBULANT_COOPERATIVE), mobility=Mobility.WHEELCHAIR), escalate(NOT_MET)),
    Row("AP entitled for co-operative ambulant patients, hand, walks in and co-operates",
        case(HAND, by=entitled_under(AMBULANT_COOPERATIVE)), proceed()),
    Row("AP entitled except for pregnant patients, chest PA, answered 'possibly'",
        case(CHEST_PA, by=entitled_under(NOT_PREGNANT), pregnancy_answer=PregnancyAnswer.POSSIBLY),
        escalate(NOT_MET, "pregnancy-reported")),
    Row("AP entitled for hands and wrists only (a whole-XR entitlement), chest PA",
        case(CHEST_PA, by=entitled_under(HANDS_ONLY)), escalate(NOT_MET)),
    Row("AP entitled for hands and wrists only, hand", case(HAND, by=entitled_under(HANDS_ONLY)), proceed()),
    Row("AP entitled for one side at a time, bilateral hands",
        case(HAND, by=entitled_under(ONE_SIDE), request=request(laterality=Laterality.BILATERAL)), escalate(NOT_MET)),
    Row("AP entitled for one side at a time, left hand",
        case(HAND, by=entitled_under(ONE_SIDE), request=request(laterality=Laterality.LEFT)), proceed()),
    Row("AP entitled for one side at a time, side not recorded",
        case(HAND, by=entitled_under(ONE_SIDE), request=request(laterality=None)), escalate(UNKNOWN)),
    Row("AP entitled for GP and outpatient referrals, emergency department referral",
        case(CHEST_PA, by=entitled_under(GP_AND_OUTPATIENTS), request=request(setting=Setting.EMERGENCY)),
        escalate(NOT_MET)),
    Row("AP entitled for GP and outpatient referrals, GP referral",
        case(CHEST_PA, by=entitled_under(GP_AND_OUTPATIENTS), request=request(setting=Setting.GP)), proceed()),
    Row("AP entitled for GP and outpatient referrals, referral setting not recorded",
        case(CHEST_PA, by=entitled_under(GP_AND_OUTPATIENTS), request=request(setting=None)), escalate(UNKNOWN)),
    Row("AP entitled only under direct supervision, supervisor on duty but not in the room",
        case(CHEST_PA, by=entitled_under(IN_THE_ROOM), supervision=supervision(direct_supervisor_present=False)),
        escalate(NOT_MET)),
    Row("AP entitled only under direct supervision, supervisor in the room",
        case(CHEST_PA, by=entitled_under(IN_THE_ROOM)), proceed()),
    Row("AP whose entitlement conditions are free text from an older policy",
        case(CHEST_PA, by=entitled_under(FREE_TEXT)), escalate("entitlement-conditions-unstructured")),
    Row("AP outside two conditions at once: a bilateral request from the emergency department",
        case(HAND, by=entitled_under(replace(ONE_SIDE, settings=GP_AND_OUTPATIENTS.settings)),
             request=request(laterality=Laterality.BILATERAL, setting=Setting.EMERGENCY)),
        escalate(NOT_MET)),
    Row("AP with a conditional and an unconditional entitlement, case outside the conditions: the other covers it",
        case(CHEST_PA, by=ap_with(ap_entitlement(conditions=ADULTS_ONLY), AP_ENTITLEMENT), age=17), proceed()),
]

# A grant is the app's entitlement; its conditions are read the same way.
CHEST_COMPETENCY = "AP-XR-CHEST"
CONDITIONAL_GRANT = Grant(
    protocol="XCHES", tasks=frozenset({"operator"}), granted_by="m.okafor", granted_on=days_ago(30),
    review_date=days_ahead(335), required_competencies=frozenset({CHEST_COMPETENCY}), conditions=ADULTS_ONLY,
)
SIGNED = SignOff(CHEST_COMPETENCY, signed_on=days_ago(40), expires_on=days_ahead(690))
GRANTEE = ap_with(grants=(CONDITIONAL_GRANT,), sign_offs=(SIGNED,))

GRANTS = [
    Row("AP granted chest PA for adults only, 45-year-old", case(CHEST_PA, by=GRANTEE), proceed()),
    Row("AP granted chest PA for adults only, 17-year-old", case(CHEST_PA, by=GRANTEE, age=17), escalate(NOT_MET)),
    Row("AP granted chest PA for adults only, grant revoked: the revocation speaks, not the condition",
        case(CHEST_PA, by=ap_with(grants=(replace(CONDITIONAL_GRANT, revoked=True),), sign_offs=(SIGNED,)), age=17),
        escalate("entitlement-revoked")),
]

REVOKED_IN_POLICY = ap_entitlement(revoked_on=days_ago(3), revoked_reason="repeat exposures under review")

REVOCATION = [
    Row("AP whose policy entitlement was revoked three days ago",
        case(LUMBAR_SPINE, by=ap_with(REVOKED_IN_POLICY)), escalate("entitlement-revoked")),
    Row("AP whose policy entitlement is revoked from today",
        case(LUMBAR_SPINE, by=ap_with(replace(REVOKED_IN_POLICY, revoked_on=TODAY))), escalate("entitlement-revoked")),
    Row("AP whose policy entitlement is revoked from tomorrow: still in force today",
        case(LUMBAR_SPINE, by=ap_with(replace(REVOKED_IN_POLICY, revoked_on=days_ahead(1)))), proceed()),
    Row("AP with a revoked entitlement and a later, current one for the same protocols",
        case(LUMBAR_SPINE, by=ap_with(REVOKED_IN_POLICY, ap_entitlement(entitled_on=days_ago(1)))), proceed()),
    Row("AP whose revoked entitlement had also passed its review date: the revocation is what is reported",
        case(LUMBAR_SPINE, by=ap_with(replace(REVOKED_IN_POLICY, review_date=days_ago(10)))),
        escalate("entitlement-revoked")),
]


@pytest.mark.parametrize("row", table(CONDITIONS + GRANTS + REVOCATION))
def test_an_entitlement_covers_only_the_cases_within_its_conditions(row: Row) -> None:
    row.expect.check(row.decide())


def test_the_reason_names_the_condition_and_the_case() -> None:
    decision = case(CHEST_PA, by=entitled_under(ADULTS_ONLY), age=17)
    message = Row("", decision, escalate(NOT_MET)).decide().reasons[0].message
    assert "17" in message and "18" in message and "XR Chest PA" in message


def test_a_revocation_gives_its_date_and_reason() -> None:
    message = Row("", case(LUMBAR_SPINE, by=ap_with(REVOKED_IN_POLICY)), escalate()).decide().reasons[0].message
    assert "repeat exposures under review" in message and f"{days_ago(3):%d %B %Y}" in message


def test_a_radiographer_cannot_authorise_an_ap_outside_their_entitlement_conditions() -> None:
    outside = Row("", case(CHEST_PA, by=entitled_under(ADULTS_ONLY), age=17), escalate()).decide()
    radiographer = Row("", case(CHEST_PA, by=RADIOGRAPHER_OP, age=17), proceed()).decide()
    answer = may_authorise(outside, radiographer)
    assert answer.codes == ("cannot-authorise-outside-entitlement",) and NOT_MET in answer.reasons[0].message


def tasks(*names: str) -> Operator:
    return ap_with(ap_entitlement(tasks=frozenset({"operator", *names})))


ALL_CHECK_TASKS = ("patient_identification", "pregnancy_enquiry", "mri_safety_screening")
TASKS = [
    Row("AP entitled as operator only (not to identify patients), chest PA", case(CHEST_PA, by=tasks()),
        escalate("task-not-entitled")),
    Row("AP entitled to identify patients, chest PA (no enquiry needed)",
        case(CHEST_PA, by=tasks("patient_identification")), proceed()),
    Row("AP not entitled to make the pregnancy enquiry, lumbar spine on a 40-year-old",
        case(LUMBAR_SPINE, by=tasks("patient_identification")), escalate("task-not-entitled")),
    Row("AP not entitled to make the pregnancy enquiry, lumbar spine on a patient not of childbearing potential",
        case(LUMBAR_SPINE, by=tasks("patient_identification"), childbearing_potential=False), proceed()),
    Row("AP not entitled for MRI safety screening, MRI knee",
        case(MRI_KNEE, by=tasks("patient_identification", "pregnancy_enquiry")), escalate("task-not-entitled")),
    Row("AP who authorised the request under guidelines without that entitlement",
        case(CHEST_PA, by=tasks(*ALL_CHECK_TASKS),
             request=request(justification=Justification.AUTHORISED, justified_by="p.patel")),
        escalate("task-not-entitled")),
    Row("AP who authorised the request under guidelines with that entitlement",
        case(CHEST_PA, by=tasks(*ALL_CHECK_TASKS, "authorisation_under_guidelines"),
             request=request(justification=Justification.AUTHORISED, justified_by="p.patel")), proceed()),
    Row("AP granted chest PA by the manager (the competency covers the protocol's checks)",
        case(CHEST_PA, by=GRANTEE), proceed()),
    Row("radiographer (registered) whose entitlement lists only the operator task, lumbar spine",
        case(LUMBAR_SPINE, by=RADIOGRAPHER_OP), proceed()),
]


@pytest.mark.parametrize("row", table(TASKS))
def test_an_ap_does_the_pre_examination_tasks_only_when_entitled_for_them(row: Row) -> None:
    row.expect.check(row.decide())
