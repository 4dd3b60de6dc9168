"""The REST API's request and response bodies. Every field is listed on purpose: nothing is "all fields".

Patient data is minimised: responses carry the patient's name, NHS number, date of birth and sex (what
positive identification and the decision need), never the address or postcode, which are accepted on a new
request only. Decimal quantities (doses, DRLs) are strings so that no precision is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from inscope.exams.models import Examination, Patient
from inscope.lib.api_errors import ErrorOut, ValidationErrorOut  # noqa: F401 - the routers import them from here
from inscope.rules.facts import Identity, Justification, Laterality, Mobility, PregnancyAnswer, Role, Setting


class In(Schema):
    """An input body: a field the API does not know is refused (a mistyped checklist item must not vanish)."""

    model_config = ConfigDict(extra="forbid")


# --- Errors -----------------------------------------------------------------------------------------------------------


class ReasonOut(Schema):
    code: str
    outcome: str
    message: str
    escalate_to: str | None = None
    urgency: str


class DecisionOut(Schema):
    """A decision of the engine (Decision.as_dict): proceed, escalate or stop, always with its reasons."""

    outcome: str = Field(description="proceed, escalate or stop")
    reason_codes: list[str]
    messages: list[str]
    reasons: list[ReasonOut]
    escalate_to: str | None = None
    urgency: str
    required_checks: list[str]
    notes: list[str]
    policy_version: str
    ruleset: str


class RefusalOut(ErrorOut):
    decision: DecisionOut | None = Field(default=None, description="Why the decision engine refused, when it did.")


# --- Examinations -----------------------------------------------------------------------------------------------------


class RequestIn(In):
    """A new examination request, as a RIS or the referrer's system sends it."""

    nhs_number: str = Field(max_length=20, description="10 digits; spaces and dashes are ignored.")
    family_name: str = Field(min_length=1, max_length=80)
    given_name: str = Field(min_length=1, max_length=80)
    date_of_birth: dt.date
    sex: Patient.Sex
    address: str = Field(max_length=250)
    postcode: str = Field(max_length=10)
    protocol_code: str = Field(max_length=12, description="A protocol in the policy in force, e.g. XCHES.")
    referrer: str = Field(min_length=1, max_length=120)
    site_code: str = Field(max_length=20)
    scheduled_at: dt.datetime = Field(description="ISO 8601; without an offset it is read as UK local time.")
    accession_number: str = Field(min_length=1, max_length=16)
    priority: Examination.Priority = Examination.Priority.ROUTINE
    room_name: str = Field(default="", max_length=80)
    clinical_question: str = Field(default="", max_length=300)
    justification: Examination.Justification = Examination.Justification.PENDING
    justified_by: str = Field(default="", max_length=120, description="Required unless justification is pending.")
    setting: Examination.Setting | None = Field(default=None, description="Where the referral comes from.")
    laterality: Examination.Laterality | None = Field(default=None, description="The side the request is for.")


class JustificationIn(In):
    """The practitioner's decision on the exposure."""

    justification: Literal["justified", "authorised", "declined"]
    note: str = Field(default="", max_length=300, description="Required when declined: why, for the referrer.")


class PatientBriefOut(Schema):
    name: str = Field(description="FAMILY, Given")
    nhs_number: str
    date_of_birth: dt.date


class PatientOut(PatientBriefOut):
    family_name: str
    given_name: str
    sex: str
    age: int = Field(description="Age in whole years today.")


class ExaminationSummaryOut(Schema):
    id: int
    accession_number: str
    scheduled_at: dt.datetime
    status: str
    priority: str
    protocol_code: str
    protocol_name: str
    modality: str
    site: str = Field(description="Site code")
    room: str | None = Field(default=None, description="Room name")
    patient: PatientBriefOut
    operator: str | None = Field(default=None, description="Username of the operator, once one has started it.")
    last_decision_outcome: str | None = Field(default=None, description="proceed, escalate or stop; null if none.")


DEFAULT_LIMIT, MAX_LIMIT = 200, 1000


class PageQuery(Schema):
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0)


class WorklistQuery(PageQuery):
    date: dt.date | None = Field(default=None, description="YYYY-MM-DD; default today")
    site: str | None = Field(default=None, description="Site code; default every site you work at")
    status: Examination.Status | None = None


class QueueQuery(PageQuery):
    status: Literal["unresolved", "open", "acknowledged", "resolved"] = Field(
        default="unresolved", description="unresolved is open and acknowledged together")


class WorklistOut(Schema):
    count: int = Field(description="How many examinations match, across all pages.")
    limit: int
    offset: int
    items: list[ExaminationSummaryOut]


class ExposureOut(Schema):
    projection: str
    kvp: str
    mas: str
    dap_gy_cm2: str
    entered_dap: str = Field(description="The DAP as entered, with its unit.")
    is_repeat: bool
    repeat_reason: str


class EventOut(Schema):
    at: dt.datetime
    by: str
    source: str = Field(description="web, api, cli or system")
    action: str
    from_status: str
    to_status: str
    reason: str
    decision: DecisionOut | None = Field(default=None, description="The decision this step was taken under.")
    policy_version: str


class EscalationOut(Schema):
    id: int
    examination_id: int
    accession_number: str
    kind: str = Field(description="scope or finding")
    status: str = Field(description="open, acknowledged or resolved")
    urgency: str
    reason_codes: list[str]
    reasons: list[ReasonOut]
    note: str
    raised_by: str
    raised_at: dt.datetime
    recipients: list[str] = Field(description="Usernames of the supervisors it was sent to.")
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None
    resolution: str
    resolved_by: str | None = None
    resolved_at: dt.datetime | None = None
    resolution_note: str


class QueueItemOut(EscalationOut):
    examination: ExaminationSummaryOut


class QueueOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[QueueItemOut]


class ChecklistOut(Schema):
    id: int
    examination_id: int
    recorded_by: str
    recorded_at: dt.datetime
    answers: dict[str, Any]


class ExaminationOut(ExaminationSummaryOut):
    """One examination in full: request, the latest decision, checks, completion, escalations and history."""

    patient: PatientOut
    referrer: str
    clinical_question: str
    justification: str
    justified_by: str
    justification_note: str = Field(default="", description="Why the practitioner declined, when they did.")
    setting: str | None = Field(default=None, description="gp, outpatient, inpatient or emergency; null: not recorded")
    laterality: str | None = Field(default=None, description="left, right, bilateral or not_applicable")
    supervisor: str | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    decision: DecisionOut | None = Field(
        default=None,
        description="The decision recorded when it was last started (the one the worklist shows); later decisions, "
                    "such as a radiographer's take-over, are on their events.")
    policy_version: str | None = None
    checklist: ChecklistOut | None = Field(default=None, description="The latest pre-examination checklist.")
    images_count: int | None = None
    aftercare: str
    notes: str
    total_dap_gy_cm2: str | None = None
    drl_value: str | None = None
    drl_source: str
    drl_exceeded: bool | None = Field(default=None, description="True when the total DAP is above the protocol's DRL.")
    exposures: list[ExposureOut]
    escalations: list[EscalationOut]
    events: list[EventOut]


class ChecklistIn(In):
    """The pre-examination checklist. Leave out (or send null for) anything not asked: unknown is never fine."""

    identity: Identity | None = Field(default=None, description="confirmed, mismatch or cannot_confirm.")
    identity_confirmed: bool | None = Field(default=None, description="Older spelling of identity: true is "
                                            "confirmed, false a mismatch. Give one or the other.")
    childbearing_potential: bool | None = None
    pregnancy_answer: PregnancyAnswer | None = None
    last_menstrual_period: dt.date | None = None
    weight_kg: float | None = Field(default=None, description="Needed for MR: the scanner's SAR limits use it.")
    cooperative: bool | None = None
    has_capacity: bool | None = None
    mobility: Mobility | None = None
    trauma: bool | None = None
    mri_answers: dict[str, str] | None = Field(default=None, description="MRI question id -> yes, no or unsure.")
    contrast_checks_done: bool | None = None
    cannula_in_place: bool | None = None


class StartOut(Schema):
    examination: ExaminationSummaryOut
    decision: DecisionOut = Field(description="Read the outcome: stop means the examination must not go ahead.")
    escalation_id: int | None = Field(default=None, description="Set when the start was escalated.")
    escalated_to: list[str] = Field(description="Usernames the escalation was sent to.")


class NoteIn(In):
    note: str = Field(max_length=500)


class ExposureIn(In):
    projection: str = Field(max_length=60)
    kvp: str | int | float = Field(description="Tube voltage, 20–150.")
    mas: str | int | float = Field(description="Tube current–time product, 0.01–2000.")
    dap: str | int | float = Field(description="Dose-area product in dap_unit.")
    dap_unit: str = Field(description="Gy·cm², dGy·cm², cGy·cm², mGy·cm², µGy·m² or Gy·m²")
    is_repeat: bool = False
    repeat_reason: str = Field(default="", description="Required for a repeat: positioning, exposure, motion, "
                                                        "artefact, cut_off, equipment or other.")


class CompleteIn(In):
    exposures: list[ExposureIn]
    images_count: int
    aftercare: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=5000)


class ReasonIn(In):
    reason: str = Field(max_length=300, description="Recorded with your name.")


class FindingActionIn(In):
    action: str = Field(description="informed_radiologist, informed_referrer, patient_kept or no_action_needed")
    note: str = Field(default="", max_length=400)


class EscalationActionOut(Schema):
    escalation: EscalationOut
    examination: ExaminationSummaryOut


# --- Hypothetical cases -----------------------------------------------------------------------------------------------


class CasePatientIn(In):
    """Mirrors rules.facts.Patient. A fact left out is unknown, and the engine escalates on unknown."""

    age: int | None = Field(default=None, ge=0, le=130)
    childbearing_potential: bool | None = None
    identity: Identity | None = None
    cooperative: bool | None = None
    has_capacity: bool | None = None
    mobility: Mobility | None = None
    trauma: bool | None = None
    pregnancy_answer: PregnancyAnswer | None = None
    last_menstrual_period: dt.date | None = None
    mri_stop_answers: list[str] | None = Field(default=None, description="Questions answered yes or unsure; [] clear.")
    weight_kg: float | None = Field(default=None, gt=0)
    contrast_checks_done: bool | None = None
    cannula_in_place: bool | None = None


class CaseRequestIn(In):
    """Mirrors rules.facts.Request (without the protocol, which is given with the case)."""

    justification: Justification | None = None
    justified_by: str = ""
    setting: Setting | None = None
    laterality: Laterality | None = None


class CaseSupervisionIn(In):
    """Mirrors rules.facts.SupervisionContext."""

    supervisors_on_duty: list[str] = Field(default_factory=list, description="Usernames")
    direct_supervisor_present: bool | None = None


class CaseIn(In):
    """A hypothetical case: who would do which protocol, on whom, under whose supervision, on which day."""

    operator: str = Field(description="Username; their roles and entitlements come from the policy in force.")
    roles: list[Role] | None = Field(default=None, description="Override the roles the policy gives the operator.")
    protocol_code: str
    on: dt.date | None = Field(default=None, description="The day to decide for (default today).")
    site_code: str | None = Field(default=None, description="Whose policy to use, if you belong to no department.")
    patient: CasePatientIn = Field(default_factory=lambda: CasePatientIn())
    request: CaseRequestIn = Field(default_factory=lambda: CaseRequestIn())
    supervision: CaseSupervisionIn = Field(default_factory=lambda: CaseSupervisionIn())
