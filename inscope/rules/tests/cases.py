"""A small department for the rules tests: one baseline policy, named people and a patient who may proceed.

Every baseline fact is known and favourable, so the baseline case proceeds; each table row changes only what
makes its clinical case different (``case(LUMBAR_SPINE, pregnancy_answer=POSSIBLY, last_menstrual_period=...)``).
A row states the case in words and what the decision must be; ``Row.id`` adds the expectation, so a failing
test reads "qualified AP, lumbar spine, ... -> escalate [pregnancy-not-excluded, pregnancy-28-day-rule]".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from inscope.rules.decisions import Decision, Outcome, Urgency
from inscope.rules.evaluate import decide
from inscope.rules.facts import (
    Case,
    Check,
    DoseClass,
    Entitlement,
    Identity,
    Justification,
    Laterality,
    Mobility,
    Operator,
    Patient,
    PatientGroup,
    Policy,
    PregnancyAnswer,
    Protocol,
    Request,
    Role,
    Setting,
    Supervision,
    SupervisionContext,
)

TODAY = dt.date(2026, 11, 30)
RADIOGRAPHER = "radiographer"
MANAGER = "manager"
PRACTITIONER = "practitioner"
MR_AUTHORISED = "mr_authorised"
MR_RESPONSIBLE_PERSON = "mr_responsible_person"


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def days_ahead(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def lmp_for_cycle_day(day: int) -> dt.date:
    """Return the first day of the last period that makes today the given cycle day (day 1 = first day of LMP)."""
    return TODAY - dt.timedelta(days=day - 1)


# --- The policy -------------------------------------------------------------------------------------------------------

AP_EXCLUSIONS = frozenset(
    {PatientGroup.TRAUMA, PatientGroup.REDUCED_MOBILITY, PatientGroup.NON_COOPERATIVE, PatientGroup.LACKS_CAPACITY}
)
AP_CHECKS = frozenset({Check.IDENTITY, Check.JUSTIFICATION, Check.COOPERATION, Check.CAPACITY, Check.MOBILITY})

CHEST_PA = Protocol(
    "XCHES", "XR Chest PA", "XR", "chest", ap_may_perform=True, dose_class=DoseClass.STANDARD, pregnancy_region=False,
    min_age=16, excluded_groups=AP_EXCLUSIONS, checks=AP_CHECKS,
)
HAND = Protocol(  # minor-injuries work: trauma and reduced mobility allowed for APs
    "XHAND", "XR Hand", "XR", "hand", ap_may_perform=True, dose_class=DoseClass.STANDARD, pregnancy_region=False,
    min_age=16, excluded_groups=frozenset({PatientGroup.NON_COOPERATIVE, PatientGroup.LACKS_CAPACITY}),
    checks=frozenset({Check.IDENTITY, Check.JUSTIFICATION, Check.COOPERATION}),
)
LUMBAR_SPINE = Protocol(  # the age ceiling is a fixture value, to exercise max_age
    "XLSPN", "XR Lumbar spine", "XR", "lumbar spine",
    ap_may_perform=True, dose_class=DoseClass.STANDARD, pregnancy_region=True,
    min_age=18, max_age=70, excluded_groups=AP_EXCLUSIONS, checks=AP_CHECKS,
)
CHEST_AP_TROLLEY = Protocol(  # radiographers only, any patient
    "XCHEAP", "XR Chest AP (trolley)", "XR", "chest",
    ap_may_perform=False, dose_class=DoseClass.STANDARD, pregnancy_region=False,
    checks=frozenset({Check.IDENTITY, Check.JUSTIFICATION}),
)
ABDOMEN = Protocol(  # radiographers only, any age: for the pregnancy age-range boundaries
    "XABDO", "XR Abdomen", "XR", "abdomen", ap_may_perform=False, dose_class=DoseClass.STANDARD, pregnancy_region=True,
)
CT_ABDOMEN_PELVIS = Protocol(  # a high-dose examination: the 10-day rule
    "CABPEC", "CT Abdomen and pelvis with contrast", "CT", "abdomen and pelvis",
    ap_may_perform=False, dose_class=DoseClass.HIGH, pregnancy_region=True,
    min_age=16, checks=frozenset({Check.IDENTITY, Check.JUSTIFICATION, Check.CONTRAST, Check.CANNULATION}),
)
MRI_KNEE = Protocol(  # no ionising radiation: no pregnancy enquiry, but MRI safety screening
    "MKNEE", "MRI Knee", "MR", "knee", ap_may_perform=True, dose_class=DoseClass.NONE, pregnancy_region=False,
    min_age=16, excluded_groups=frozenset({PatientGroup.NON_COOPERATIVE, PatientGroup.LACKS_CAPACITY}),
    checks=frozenset({Check.IDENTITY, Check.JUSTIFICATION, Check.COOPERATION, Check.MRI_SAFETY}),
)
NM_BONE_SCAN = Protocol(  # nuclear medicine: the pregnancy enquiry applies whatever the region
    "NMBONE", "NM Bone scan", "NM", "whole body", ap_may_perform=False, dose_class=DoseClass.STANDARD,
    pregnancy_region=False,
)
PROTOCOLS = (CHEST_PA, HAND, LUMBAR_SPINE, CHEST_AP_TROLLEY, ABDOMEN, CT_ABDOMEN_PELVIS, MRI_KNEE, NM_BONE_SCAN)

POLICY = Policy(
    version="test-2026-11",
    protocols={p.code: p for p in PROTOCOLS},
    role_protocols={
        Role.TRAINEE_AP: frozenset({"XCHES"}),
        Role.AP: frozenset({"XCHES", "XHAND", "XLSPN", "MKNEE"}),
        Role.RADIOGRAPHER: frozenset({"*"}),
    },
    supervision={Role.TRAINEE_AP: Supervision.DIRECT, Role.AP: Supervision.INDIRECT},
)

# --- The people -------------------------------------------------------------------------------------------------------

AP_ENTITLEMENT = Entitlement(
    tasks=frozenset({"operator", "patient_identification", "pregnancy_enquiry", "mri_safety_screening"}),
    modalities=frozenset({"XR", "MR"}),
    protocols=frozenset({"XCHES", "XHAND", "XLSPN", "MKNEE"}),
    entitled_by="m.okafor",
    entitled_on=dt.date(2025, 1, 6),
    review_date=dt.date(2027, 1, 5),
)
AP = Operator("p.patel", frozenset({Role.AP}), (AP_ENTITLEMENT,))
TRAINEE = Operator(
    "t.reid",
    frozenset({Role.TRAINEE_AP}),
    (replace(AP_ENTITLEMENT, modalities=frozenset({"XR"}), protocols=frozenset({"XCHES"})),),
)
RADIOGRAPHER_ENTITLEMENT = Entitlement(
    tasks=frozenset({"operator", "practitioner"}),
    modalities=frozenset({"XR", "CT", "MR", "NM"}),
    protocols=frozenset(),
    entitled_by="m.okafor",
    entitled_on=dt.date(2020, 9, 1),
    review_date=None,
)
RADIOGRAPHER_OP = Operator("r.hughes", frozenset({Role.RADIOGRAPHER}), (RADIOGRAPHER_ENTITLEMENT,))
MANAGER_OP = Operator("m.okafor", frozenset({Role.MANAGER}))


def ap_with(*entitlements: Entitlement, **changes: Any) -> Operator:
    """The qualified AP holding exactly these entitlements (and any other changes)."""
    return replace(AP, entitlements=entitlements, **changes)


def ap_entitlement(**changes: Any) -> Entitlement:
    return replace(AP_ENTITLEMENT, **changes)


# --- The case ---------------------------------------------------------------------------------------------------------

PATIENT = Patient(
    age=40,
    childbearing_potential=True,
    identity=Identity.CONFIRMED,
    cooperative=True,
    has_capacity=True,
    mobility=Mobility.INDEPENDENT,
    trauma=False,
    pregnancy_answer=PregnancyAnswer.DEFINITELY_NOT,
    last_menstrual_period=lmp_for_cycle_day(8),
    mri_stop_answers=(),
    weight_kg=72.0,
    contrast_checks_done=True,
    cannula_in_place=True,
)
REQUEST = Request("XCHES", Justification.JUSTIFIED, justified_by="dr.ahmed", setting=Setting.OUTPATIENT,
                  laterality=Laterality.NOT_APPLICABLE)
SUPERVISION = SupervisionContext(supervisors_on_duty=("r.hughes",), direct_supervisor_present=True)
NOBODY_ON_DUTY = SupervisionContext(supervisors_on_duty=(), direct_supervisor_present=None)


def case(
    protocol: Protocol | str = CHEST_PA,
    *,
    by: Operator = AP,
    request: Request = REQUEST,
    supervision: SupervisionContext = SUPERVISION,
    on: dt.date = TODAY,
    **patient_facts: Any,
) -> Case:
    """The baseline case for ``protocol``, with only the named patient facts changed."""
    code = protocol if isinstance(protocol, str) else protocol.code
    return Case(by, replace(request, protocol_code=code), replace(PATIENT, **patient_facts), supervision, on)


def request(**changes: Any) -> Request:
    return replace(REQUEST, **changes)


def supervision(**changes: Any) -> SupervisionContext:
    return replace(SUPERVISION, **changes)


def policy_with(**changes: Any) -> Policy:
    return replace(POLICY, **changes)


# --- Expectations -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What the decision must be: the outcome, the exact set of reason codes, who it goes to, how urgently."""

    outcome: Outcome
    codes: frozenset[str] = frozenset()
    escalate_to: str | None = None
    urgency: Urgency = Urgency.ROUTINE

    def __str__(self) -> str:
        urgent = " URGENT" if self.urgency is Urgency.URGENT else ""
        to = f" to {self.escalate_to}" if self.escalate_to else ""
        codes = f" [{', '.join(sorted(self.codes))}]" if self.codes else ""
        return f"{self.outcome.value}{urgent}{to}{codes}"

    def check(self, decision: Decision) -> None:
        assert (decision.outcome, set(decision.codes)) == (self.outcome, set(self.codes)), decision.as_dict()
        assert len(decision.codes) == len(set(decision.codes)), "a code is reported twice"
        assert decision.escalate_to == self.escalate_to, decision.as_dict()
        assert decision.urgency is self.urgency, decision.as_dict()


def proceed() -> Expect:
    return Expect(Outcome.PROCEED)


def escalate(*codes: str, to: str | None = RADIOGRAPHER, urgency: Urgency = Urgency.ROUTINE) -> Expect:
    return Expect(Outcome.ESCALATE, frozenset(codes), to, urgency)


def stop(*codes: str, to: str | None, urgency: Urgency = Urgency.ROUTINE) -> Expect:
    return Expect(Outcome.STOP, frozenset(codes), to, urgency)


@dataclass(frozen=True)
class Row:
    """One clinical case, in words, decided under ``policy`` (None: no policy in force)."""

    case: str
    facts: Case
    expect: Expect
    policy: Policy | None = POLICY

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.expect}"

    def decide(self) -> Decision:
        return decide(self.facts, self.policy)


def table(rows: Iterable[Any]) -> list[Any]:
    """Turn rows (anything with an ``id``) into pytest parameters named by their ids."""
    rows = list(rows)
    ids = [row.id for row in rows]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"two rows share an id: {duplicated}"
    return [pytest.param(row, id=row.id) for row in rows]
