"""What the imaging equipment reports about an examination (by DICOM MPPS): started, completed or discontinued.

The DICOM listener (``inscope.dicom.mpps``) calls these; they know nothing of DICOM. The equipment acts for the
examination's operator, so every change is recorded as done by the operator, through the ``system`` channel,
with an action that says it came from the equipment (``started_on_modality`` ...).

Only an examination InScope has let go ahead reaches a modality's worklist: one authorised by a radiographer, or
already in progress (started after a "proceed" decision, or taken over by a radiographer). Anything else raises
InvalidTransition, which the listener records as an interface message.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from inscope.audit.services import record
from inscope.exams.models import ExamEvent, Examination
from inscope.exams.services.completion import count_supervised_practice
from inscope.exams.services.workflow import move_examination
from inscope.lib.errors import InvalidTransition
from inscope.staff.models import User

SOURCE = "system"  # ExamEvent.source and the audit channel: the equipment is not a person at a screen


def _lock(exam: Examination) -> Examination:
    return Examination.objects.select_for_update(of=("self",)).select_related("operator").get(pk=exam.pk)


def _operator(exam: Examination) -> User:
    if exam.operator is None:  # cannot happen for an authorised or started examination
        raise InvalidTransition(f"Nobody is recorded as performing examination {exam.accession_number}.")
    return exam.operator


def _status(exam: Examination) -> str:
    return exam.get_status_display().lower()


@transaction.atomic
def record_started_on_modality(
    exam: Examination, *, station_ae_title: str, performed_step_uid: str, at: dt.datetime
) -> Examination:
    """The equipment ``station_ae_title`` reports that it has started the examination.

    An authorised examination starts now (by the operator the radiographer authorised); one already in progress
    records which equipment it is being done on. Any other status refuses with InvalidTransition.
    """
    exam = _lock(exam)
    where = f"Started on {station_ae_title or 'the modality'} (MPPS {performed_step_uid})"
    if exam.status == Examination.Status.AUTHORISED:
        operator = _operator(exam)
        exam.started_at = at
        move_examination(exam, to=Examination.Status.IN_PROGRESS, by=operator, source=SOURCE,
                         action="started_on_modality", reason=where, update_fields=("started_at",))
    elif exam.status == Examination.Status.IN_PROGRESS:
        operator = _operator(exam)
        ExamEvent.objects.create(examination=exam, by=operator, source=SOURCE, action="modality_started",
                                 from_status=exam.status, to_status=exam.status, reason=where[:500])
        record("examination.modality_started", exam, by=operator, channel=SOURCE, summary=where)
    else:
        raise InvalidTransition(
            f"Examination {exam.accession_number} is {_status(exam)}, so it cannot be started on "
            f"{station_ae_title or 'a modality'}: it was not offered on the worklist."
        )
    return exam


@transaction.atomic
def record_completed_on_modality(
    exam: Examination, *, images_count: int | None, dose_summary: str, at: dt.datetime
) -> Examination:
    """The equipment reports the examination completed: record the end time and image count and complete it.

    Directly supervised practice counts towards the learner's competency, as when it is completed on screen.
    """
    exam = _lock(exam)
    if exam.status != Examination.Status.IN_PROGRESS:
        raise InvalidTransition(
            f"Examination {exam.accession_number} is {_status(exam)}, so the modality cannot complete it."
        )
    operator = _operator(exam)
    exam.ended_at = at
    fields: tuple[str, ...] = ("ended_at",)
    if images_count is not None:
        exam.images_count = images_count
        fields = (*fields, "images_count")
    reason = "Completed on the modality"
    if images_count is not None:
        reason += f": {images_count} image{'' if images_count == 1 else 's'}"
    if dose_summary:
        reason += f"; {dose_summary}"
    count_supervised_practice(exam, by=operator, source=SOURCE)
    move_examination(exam, to=Examination.Status.COMPLETED, by=operator, source=SOURCE,
                     action="completed_on_modality", reason=reason[:500], update_fields=fields)
    return exam


@transaction.atomic
def record_discontinued_on_modality(exam: Examination, *, reason: str, at: dt.datetime) -> Examination:
    """The equipment reports the examination discontinued (stopped before it was complete), with its reason."""
    exam = _lock(exam)
    if exam.status != Examination.Status.IN_PROGRESS:
        raise InvalidTransition(
            f"Examination {exam.accession_number} is {_status(exam)}, so the modality cannot discontinue it."
        )
    operator = _operator(exam)
    exam.ended_at = at
    text = f"Discontinued on the modality: {reason}" if reason else "Discontinued on the modality (no reason given)"
    move_examination(exam, to=Examination.Status.DISCONTINUED, by=operator, source=SOURCE,
                     action="discontinued_on_modality", reason=text[:500], update_fields=("ended_at",))
    return exam
