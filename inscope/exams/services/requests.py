"""Examination requests: the patient and what the referrer asked for, checked against the policy in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.department.models import Department, Room, Site
from inscope.exams.models import ExamEvent, Examination, Patient
from inscope.lib import nhs_number
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.policy.services import document_for, in_force
from inscope.staff.models import User
from inscope.staff.permissions import Action, can


@dataclass(frozen=True)
class RequestInput:
    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: dt.date
    sex: str
    address: str
    postcode: str
    protocol_code: str
    referrer: str
    site_code: str
    scheduled_at: dt.datetime
    accession_number: str
    priority: str = "routine"
    room_name: str = ""
    clinical_question: str = ""
    justification: str = "pending"
    justified_by: str = ""
    setting: str = ""  # gp, outpatient, inpatient or emergency; "" is not recorded
    laterality: str = ""  # left, right, bilateral or not_applicable; "" is not recorded


def _patient(data: RequestInput) -> Patient:
    number = nhs_number.normalise(data.nhs_number)
    error = nhs_number.validation_error(number)
    if error:
        raise DomainError(error, field="nhs_number")
    if data.date_of_birth > timezone.localdate():
        raise DomainError("Date of birth must be in the past.", field="date_of_birth")
    if data.sex not in Patient.Sex.values:
        raise DomainError(f"Sex must be one of: {', '.join(Patient.Sex.values)}.", field="sex")
    patient, created = Patient.objects.get_or_create(
        nhs_number=number,
        defaults={
            "family_name": data.family_name,
            "given_name": data.given_name,
            "date_of_birth": data.date_of_birth,
            "sex": data.sex,
            "address": data.address,
            "postcode": data.postcode.upper(),
        },
    )
    if not created and patient.date_of_birth != data.date_of_birth:
        # A mismatch is an identification problem, never something to overwrite silently.
        raise DomainError(
            f"NHS number {nhs_number.formatted(number)} is registered with a different date of birth. "
            "Check the patient's identity.",
            field="date_of_birth",
        )
    return patient


def _place(department: Department, data: RequestInput) -> tuple[Site, Room | None]:
    site = Site.objects.filter(department=department, code=data.site_code).first()
    if site is None:
        raise DomainError(f"Unknown site {data.site_code!r}.", field="site_code")
    if not data.room_name:
        return site, None
    room = Room.objects.filter(site=site, name=data.room_name).first()
    if room is None:
        raise DomainError(f"Site {site.name} has no room called {data.room_name!r}.", field="room_name")
    return site, room


@transaction.atomic
def create_request(department: Department, data: RequestInput, *, by: User, source: str) -> Examination:
    """Register an examination request on the worklist."""
    if not can(by, Action.CREATE_REQUEST):
        raise NotAllowed("Your role cannot create examination requests.")
    version = in_force(department)
    if version is None:
        raise DomainError("No approved policy is in force, so the protocol cannot be checked.")
    entry = document_for(version).protocols.get(data.protocol_code)
    if entry is None:
        raise DomainError(f"Unknown protocol {data.protocol_code!r}: it is not in policy {version.label}.",
                          field="protocol_code")
    if data.priority not in Examination.Priority.values:
        raise DomainError(f"Priority must be one of: {', '.join(Examination.Priority.values)}.", field="priority")
    if data.justification not in Examination.Justification.values:
        raise DomainError("Unknown justification status.", field="justification")
    if data.justification == Examination.Justification.DECLINED:
        raise DomainError("A declined request is recorded by the practitioner on the examination, with the reason.",
                          field="justification")
    if data.justification != Examination.Justification.PENDING and not data.justified_by.strip():
        raise DomainError("Say who justified or authorised the request.", field="justified_by")
    if data.setting and data.setting not in Examination.Setting.values:
        raise DomainError(f"Setting must be one of: {', '.join(Examination.Setting.values)}.", field="setting")
    if data.laterality and data.laterality not in Examination.Laterality.values:
        raise DomainError(f"Side must be one of: {', '.join(Examination.Laterality.values)}.", field="laterality")
    site, room = _place(department, data)
    patient = _patient(data)
    try:
        with transaction.atomic():
            exam = Examination.objects.create(
                department=department,
                patient=patient,
                accession_number=data.accession_number,
                protocol_code=entry.rule.code,
                protocol_name=entry.rule.name,
                modality=entry.rule.modality,
                referrer=data.referrer,
                clinical_question=data.clinical_question,
                justification=data.justification,
                justified_by=data.justified_by,
                setting=data.setting,
                laterality=data.laterality,
                priority=data.priority,
                site=site,
                room=room,
                scheduled_at=data.scheduled_at,
            )
    except IntegrityError:
        raise DomainError(f"Accession number {data.accession_number} is already in use.",
                          field="accession_number") from None
    record("examination.requested", exam, by=by, channel=source, summary=f"{exam.protocol_name} requested",
           detail={"accession_number": exam.accession_number}, policy_version=version.label)
    return exam


@transaction.atomic
def justify_request(
    exam: Examination, *, by: User, source: str, authorised: bool = False, declined: bool = False, note: str = ""
) -> Examination:
    """Record the practitioner's justification of the exposure: justified, declined (with the reason), or
    authorised by an operator under the practitioner's guidelines."""
    if not can(by, Action.JUSTIFY_REQUEST, exam.site):
        raise NotAllowed("Only a radiologist or radiographer can justify or authorise a request.")
    if authorised and declined:
        raise DomainError("A request is either authorised or declined, not both.", field="justification")
    if declined and not note.strip():
        raise DomainError("Say why the exposure is not justified; the referrer is told.", field="note")
    exam = Examination.objects.select_for_update().get(pk=exam.pk)
    if exam.status not in (Examination.Status.SCHEDULED, Examination.Status.ESCALATED):
        raise InvalidTransition("Only a request that has not started can be justified.")
    J = Examination.Justification
    exam.justification = J.DECLINED if declined else J.AUTHORISED if authorised else J.JUSTIFIED
    exam.justified_by = by.name
    exam.justification_note = note.strip()[:300] if declined else ""
    exam.save(update_fields=["justification", "justified_by", "justification_note"])
    ExamEvent.objects.create(examination=exam, by=by, source=source, action=f"justification_{exam.justification}",
                             from_status=exam.status, to_status=exam.status, reason=exam.justification_note)
    record("examination.justified", exam, by=by, channel=source, summary=exam.get_justification_display(),
           detail={"justification": exam.justification, "note": exam.justification_note})
    return exam
