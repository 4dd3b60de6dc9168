"""Recording evidence towards a competency (with safely stored uploads), observed practice from the examination
workflow, mandatory training and CPD."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.competencies.models import Competency, CpdEntry, Evidence, TrainingRecord
from inscope.competencies.queries import competencies_for
from inscope.lib.errors import DomainError, NotAllowed
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What a certificate may be, told by its first bytes, not by its name.
SIGNATURES = {b"%PDF-": ".pdf", b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}
SELF_RECORDABLE = {Evidence.Kind.ELEARNING, Evidence.Kind.CERTIFICATE, Evidence.Kind.QUALIFICATION}


def _day(value: dt.date, field: str) -> dt.date:
    today = timezone.localdate()
    if value > today:
        raise DomainError("The date must be today or in the past.", field=field)
    if value.year < 1990:
        raise DomainError("The date is too far in the past to be right.", field=field)
    return value


def _checked_upload(upload: UploadedFile) -> str:
    """Return the extension the content shows, refusing files that are too big or of the wrong type."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise DomainError("The file must be smaller than 5 MB.", field="file")
    head = upload.read(8)
    upload.seek(0)
    for signature, extension in SIGNATURES.items():
        if head.startswith(signature):
            return extension
    raise DomainError("The file must be a PDF, PNG or JPEG.", field="file")


@transaction.atomic
def record_evidence(
    person: User,
    competency: Competency,
    *,
    kind: str,
    occurred_on: dt.date,
    description: str,
    by: User,
    channel: str,
    upload: UploadedFile | None = None,
) -> Evidence:
    """Record evidence. People may add their own learning and certificates; assessments need an assessor."""
    if kind not in Evidence.Kind.values or kind == Evidence.Kind.OBSERVED:
        raise DomainError("Choose e-learning, a course certificate, a qualification or an assessment.", field="kind")
    if competency not in competencies_for(person):
        raise DomainError(f"{competency.code} is not in a framework for {person}'s role.", field="competency")
    if by.pk == person.pk and kind not in SELF_RECORDABLE:
        raise NotAllowed("An assessment must be recorded by the assessor, not by the person assessed.")
    if by.pk != person.pk and not (can(by, Action.RESOLVE_ESCALATION) or can(by, Action.EDIT_POLICY)):
        raise NotAllowed("Only the person, an assessor or a manager can record evidence.")
    if not description.strip():
        raise DomainError("Describe the evidence.", field="description")
    evidence = Evidence(person=person, competency=competency, kind=kind, description=description.strip()[:300],
                        occurred_on=_day(occurred_on, "occurred_on"), recorded_by=by)
    if upload is not None:
        extension = _checked_upload(upload)
        evidence.file_name = (upload.name or "upload")[:200]
        # A generated name: the uploaded one is only shown, never used as a path.
        evidence.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        evidence.save()
        record("evidence.recorded", evidence, by=by, channel=channel,
               summary=f"{evidence.get_kind_display()} for {competency.code} ({person.username})")
    except Exception:
        if evidence.file:
            evidence.file.delete(save=False)  # a stored file must never outlive a failed record
        raise
    return evidence


def record_observed_practice(person: User, *, protocol_code: str, accession_number: str, supervisor: User,
                             by: User, channel: str) -> list[Evidence]:
    """Count a completed, directly supervised examination towards every competency covering its protocol."""
    rows = []
    for competency in competencies_for(person):
        if competency.kind == Competency.Kind.PRACTICAL and protocol_code in competency.protocols:
            rows.append(Evidence.objects.create(
                person=person, competency=competency, kind=Evidence.Kind.OBSERVED, occurred_on=timezone.localdate(),
                description=f"{protocol_code} {accession_number} under the direct supervision of {supervisor}",
                accession_number=accession_number, recorded_by=by,
            ))
    for row in rows:
        record("evidence.observed", row, by=by, channel=channel, summary=row.description)
    return rows


@transaction.atomic
def record_training(person: User, *, course: str, completed_on: dt.date, renew_on: dt.date | None, by: User,
                    channel: str) -> TrainingRecord:
    if course not in TrainingRecord.Course.values:
        raise DomainError("Choose the training course.", field="course")
    if by.pk != person.pk and not can(by, Action.EDIT_POLICY):
        raise NotAllowed("Only the person or a manager can record training.")
    completed_on = _day(completed_on, "completed_on")
    if renew_on is not None and renew_on <= completed_on:
        raise DomainError("The renewal date must be after the completion date.", field="renew_on")
    training = TrainingRecord.objects.create(person=person, course=course, completed_on=completed_on,
                                             renew_on=renew_on, recorded_by=by)
    record("training.recorded", training, by=by, channel=channel, summary=f"{training.get_course_display()}")
    return training


@transaction.atomic
def add_cpd_entry(person: User, *, occurred_on: dt.date, title: str, hours: str, reflection: str, by: User,
                  channel: str) -> CpdEntry:
    if by.pk != person.pk:
        raise NotAllowed("People record their own CPD.")
    if not title.strip():
        raise DomainError("Give the activity a title.", field="title")
    try:
        amount = Decimal(hours)
    except InvalidOperation:
        raise DomainError("Hours must be a number, like 1.5.", field="hours") from None
    if not Decimal("0.1") <= amount <= Decimal(100):
        raise DomainError("Hours must be between 0.1 and 100.", field="hours")
    entry = CpdEntry.objects.create(person=person, occurred_on=_day(occurred_on, "occurred_on"), title=title.strip(),
                                    hours=amount, reflection=reflection.strip())
    record("cpd.recorded", entry, by=by, channel=channel, summary=entry.title)
    return entry
