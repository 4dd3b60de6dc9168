"""Pre-examination checks: identification, justification, MRI safety, contrast and cannulation; the checklist
each protocol needs; and how reasons combine (stop beats escalate, any urgent reason makes it urgent)."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from inscope.rules.decisions import Urgency
from inscope.rules.evaluate import decide, required_checks
from inscope.rules.facts import Check, Identity, Justification, Mobility, Patient, PregnancyAnswer, Protocol
from inscope.rules.tests.cases import (
    CHEST_AP_TROLLEY,
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    LUMBAR_SPINE,
    MANAGER,
    MR_AUTHORISED,
    MRI_KNEE,
    NOBODY_ON_DUTY,
    PATIENT,
    POLICY,
    PRACTITIONER,
    RADIOGRAPHER,
    RADIOGRAPHER_OP,
    TRAINEE,
    Row,
    case,
    escalate,
    proceed,
    request,
    stop,
    table,
)

URGENT = Urgency.URGENT
NOTHING_RECORDED: dict[str, Any] = {f.name: None for f in fields(Patient)}
RAD = RADIOGRAPHER_OP

IDENTITY_AND_JUSTIFICATION = [
    Row("qualified AP, chest PA, identity check not recorded", case(identity=None),
        stop("identity-not-checked", to=None)),
    Row("qualified AP, chest PA, identity not confirmed (date of birth does not match)",
        case(identity=Identity.MISMATCH), stop("identity-not-confirmed", to=RADIOGRAPHER)),
    Row("registered radiographer, chest PA, identity check not recorded", case(by=RAD, identity=None),
        stop("identity-not-checked", to=None)),
    Row("qualified AP, chest PA, request not yet justified", case(request=request(justification=None)),
        escalate("justification-missing", to=PRACTITIONER)),
    Row("qualified AP, chest PA, justification refused", case(request=request(justification=Justification.PENDING)),
        escalate("justification-missing", to=PRACTITIONER)),
    Row("qualified AP, chest PA, not justified, authorisation under guidelines unknown",
        case(request=request(justification=None, justified_by="")),
        escalate("justification-missing", to=PRACTITIONER)),
    Row("qualified AP, chest PA, authorised under the practitioner's guidelines",
        case(request=request(justification=Justification.AUTHORISED)), proceed()),
    Row("qualified AP, chest PA, the patient cannot confirm their details (no shared language)",
        case(identity=Identity.CANNOT_CONFIRM), escalate("identity-cannot-be-confirmed")),
    Row("registered radiographer, chest PA, the patient cannot confirm their details",
        case(by=RAD, identity=Identity.CANNOT_CONFIRM), escalate("identity-cannot-be-confirmed")),
    Row("qualified AP, chest PA, the practitioner declined to justify the exposure",
        case(request=request(justification=Justification.DECLINED)), stop("justification-declined", to=None)),
    Row("registered radiographer, CT abdomen-pelvis, the practitioner declined to justify it",
        case(CT_ABDOMEN_PELVIS, by=RAD, request=request(justification=Justification.DECLINED)),
        stop("justification-declined", to=None)),
    Row("trainee AP, chest PA, justification declined and the patient is a trauma case (stop beats escalate)",
        case(by=TRAINEE, trauma=True, request=request(justification=Justification.DECLINED)),
        stop("justification-declined", "patient-trauma", to=None)),
    Row("registered radiographer, CT abdomen-pelvis, request not yet justified",
        case(CT_ABDOMEN_PELVIS, by=RAD, request=request(justification=None)),
        escalate("justification-missing", to=PRACTITIONER)),
]

PREREQUISITES = [
    Row("qualified AP, MRI knee, safety screening not recorded", case(MRI_KNEE, mri_stop_answers=None),
        escalate("mri-screening-not-recorded")),
    Row("qualified AP, MRI knee, patient has a pacemaker", case(MRI_KNEE, mri_stop_answers=("cardiac pacemaker",)),
        escalate("mri-screening-stop", to=MR_AUTHORISED, urgency=URGENT)),
    Row("qualified AP, MRI knee, unsure about metal fragments in the eyes",
        case(MRI_KNEE, mri_stop_answers=("metal in eyes: unsure", "previous surgery: yes")),
        escalate("mri-screening-stop", to=MR_AUTHORISED, urgency=URGENT)),
    Row("registered radiographer, MRI knee, patient has a pacemaker",
        case(MRI_KNEE, by=RAD, mri_stop_answers=("cardiac pacemaker",)),
        escalate("mri-screening-stop", to=MR_AUTHORISED, urgency=URGENT)),
    Row("qualified AP, MRI knee, clear screen but weight not recorded", case(MRI_KNEE, weight_kg=None),
        escalate("mri-weight-unknown", to=MR_AUTHORISED)),
    Row("registered radiographer, MRI knee, weight not recorded", case(MRI_KNEE, by=RAD, weight_kg=None),
        escalate("mri-weight-unknown", to=MR_AUTHORISED)),
    Row("qualified AP, chest PA, weight not recorded (not needed outside MR)", case(CHEST_PA, weight_kg=None),
        proceed()),
    Row("qualified AP, MRI knee, a weight of 720 kg (grams typed as kilograms?)", case(MRI_KNEE, weight_kg=720.0),
        escalate("facts-contradictory")),
    Row("qualified AP, chest PA, no MRI screening (not an MR examination)", case(mri_stop_answers=None), proceed()),
    Row("radiographer, CT abdomen-pelvis, contrast checks not recorded",
        case(CT_ABDOMEN_PELVIS, by=RAD, contrast_checks_done=None), escalate("contrast-checks-not-recorded")),
    Row("radiographer, CT abdomen-pelvis, contrast checks not done",
        case(CT_ABDOMEN_PELVIS, by=RAD, contrast_checks_done=False), escalate("contrast-checks-not-recorded")),
    Row("radiographer, CT abdomen-pelvis, no cannula recorded",
        case(CT_ABDOMEN_PELVIS, by=RAD, cannula_in_place=None), escalate("cannula-not-in-place")),
    Row("radiographer, CT abdomen-pelvis, no cannula in place",
        case(CT_ABDOMEN_PELVIS, by=RAD, cannula_in_place=False), escalate("cannula-not-in-place")),
    Row("radiographer, chest AP, no contrast or cannula (not needed)",
        case(CHEST_AP_TROLLEY, by=RAD, contrast_checks_done=None, cannula_in_place=None), proceed()),
]

COMBINATIONS = [
    Row("AP, MRI knee, identity not checked and a pacemaker (stop, and still urgent)",
        case(MRI_KNEE, identity=None, mri_stop_answers=("cardiac pacemaker",)),
        stop("identity-not-checked", "mri-screening-stop", to=None, urgency=URGENT)),
    Row("AP, lumbar spine, wrong patient and she says she is pregnant (stop beats escalate)",
        case(LUMBAR_SPINE, identity=Identity.MISMATCH, pregnancy_answer=PregnancyAnswer.PREGNANT),
        stop("identity-not-confirmed", "pregnancy-confirmed", to=RADIOGRAPHER)),
    Row("AP, MRI knee, nobody on duty and a pacemaker", case(MRI_KNEE, supervision=NOBODY_ON_DUTY,
        mri_stop_answers=("cardiac pacemaker",)), stop("no-supervisor-on-duty", "mri-screening-stop", to=MANAGER,
                                                      urgency=URGENT)),
    Row("AP, chest PA, trauma patient in a wheelchair, request not justified",
        case(trauma=True, mobility=Mobility.WHEELCHAIR, request=request(justification=None)),
        escalate("patient-trauma", "patient-reduced-mobility", "justification-missing")),
    Row(
        "AP, lumbar spine, nothing recorded about the patient at all",
        case(LUMBAR_SPINE, **NOTHING_RECORDED),
        stop("identity-not-checked", "patient-age-unknown", "trauma-unknown", "mobility-unknown",
             "cooperation-unknown", "capacity-unknown", "pregnancy-enquiry-not-recorded", to=None),
    ),
]


@pytest.mark.parametrize("row", table(IDENTITY_AND_JUSTIFICATION))
def test_every_exposure_needs_the_right_patient_and_a_justified_request(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(PREREQUISITES))
def test_mri_screening_contrast_and_cannulation_must_be_recorded_when_the_protocol_needs_them(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(COMBINATIONS))
def test_the_worst_outcome_wins_and_every_reason_is_kept(row: Row) -> None:
    row.expect.check(row.decide())


MR_WITHOUT_SCREENING_CHECK = replace(MRI_KNEE, code="MLSPI", checks=frozenset())


@pytest.mark.parametrize(
    ("protocol", "patient", "checks"),
    [
        pytest.param(CHEST_PA, PATIENT, "identity justification cooperation capacity mobility", id="chest PA"),
        pytest.param(LUMBAR_SPINE, PATIENT, "identity justification pregnancy cooperation capacity mobility",
                     id="lumbar spine, woman of 40 -> pregnancy enquiry"),
        pytest.param(LUMBAR_SPINE, replace(PATIENT, childbearing_potential=False),
                     "identity justification cooperation capacity mobility",
                     id="lumbar spine, not of childbearing potential -> no enquiry"),
        pytest.param(LUMBAR_SPINE, replace(PATIENT, age=60), "identity justification cooperation capacity mobility",
                     id="lumbar spine, 60-year-old -> no enquiry"),
        pytest.param(CT_ABDOMEN_PELVIS, PATIENT, "identity justification pregnancy contrast cannulation",
                     id="CT abdomen-pelvis"),
        pytest.param(MRI_KNEE, PATIENT, "identity justification cooperation mri_safety", id="MRI knee"),
        pytest.param(MR_WITHOUT_SCREENING_CHECK, PATIENT, "identity justification mri_safety",
                     id="MR protocol that forgot to list MRI safety -> still required"),
        pytest.param(CHEST_AP_TROLLEY, Patient(age=None), "identity justification", id="chest AP on a trolley"),
    ],
)
def test_the_checklist_is_the_protocols_checks_plus_identity_justification_and_what_the_patient_needs(
    protocol: Protocol, patient: Patient, checks: str
) -> None:
    expected = tuple(Check(c) for c in checks.split())
    assert required_checks(case(protocol, **{f.name: getattr(patient, f.name) for f in fields(Patient)}), protocol,
                           POLICY) == expected


def test_a_decision_carries_the_checklist_and_the_policy_version() -> None:
    decision = decide(case(LUMBAR_SPINE), POLICY)
    assert decision.required_checks == ("identity", "justification", "pregnancy", "cooperation", "capacity", "mobility")
    assert decision.policy_version == POLICY.version


def test_an_unknown_protocol_has_no_checklist() -> None:
    assert decide(case("XSKUL"), POLICY).required_checks == ()
