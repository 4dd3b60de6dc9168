"""The pre-examination checklist: identification, pregnancy enquiry, co-operation, capacity, mobility, MRI
safety screening and contrast prerequisites, recorded by the operator as answered by the patient.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.exams.models import ChecklistRecord, ExamEvent, Examination
from inscope.exams.mri_screening import ANSWERS, questions
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.rules.facts import Identity, Mobility, PregnancyAnswer
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

BOOLEAN_ANSWERS = ("childbearing_potential", "cooperative", "has_capacity", "trauma", "contrast_checks_done",
                   "cannula_in_place")
CHOICE_ANSWERS = {"identity": Identity, "pregnancy_answer": PregnancyAnswer, "mobility": Mobility}
# identity_confirmed is the older yes/no spelling of identity (yes: confirmed, no: a mismatch), still accepted.
KNOWN = {*BOOLEAN_ANSWERS, *CHOICE_ANSWERS, "identity_confirmed", "last_menstrual_period", "mri_answers", "weight_kg"}
WEIGHT_KG = (0.3, 400.0)  # outside this, a weight is a typo or in the wrong unit
RECORDABLE_STATUSES = (Examination.Status.SCHEDULED, Examination.Status.ESCALATED, Examination.Status.AUTHORISED)


def clean_answers(raw: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Return the answers in stored form, or raise DomainError naming the first field that is wrong."""
    unknown = sorted(set(raw) - KNOWN)
    if unknown:
        raise DomainError(f"Unknown checklist item: {unknown[0]}.", field=unknown[0])
    answers: dict[str, Any] = {}
    for name in BOOLEAN_ANSWERS:
        value = raw.get(name)
        if value is not None and not isinstance(value, bool):
            raise DomainError(f"{name.replace('_', ' ').capitalize()} must be yes or no.", field=name)
        answers[name] = value
    for name, choices in CHOICE_ANSWERS.items():
        value = raw.get(name) or None
        if value is not None and value not in choices.__members__.values():
            raise DomainError(f"{name.replace('_', ' ').capitalize()} must be one of: "
                              f"{', '.join(c.value for c in choices)}.", field=name)
        answers[name] = value
    answers["identity"] = _identity(raw, answers["identity"])
    answers["last_menstrual_period"] = _lmp(raw.get("last_menstrual_period"), today)
    answers["mri_answers"] = _mri_answers(raw.get("mri_answers"))
    answers["weight_kg"] = _weight(raw.get("weight_kg"))
    return answers


def _identity(raw: dict[str, Any], identity: str | None) -> str | None:
    older = raw.get("identity_confirmed")
    if older is None:
        return identity
    if not isinstance(older, bool):
        raise DomainError("Identity confirmed must be yes or no.", field="identity_confirmed")
    if identity is not None:
        raise DomainError("Give identity or identity_confirmed, not both.", field="identity_confirmed")
    return (Identity.CONFIRMED if older else Identity.MISMATCH).value


def _weight(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        weight = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise DomainError("Enter the patient's weight in kilograms, like 72 or 72.5.", field="weight_kg") from None
    low, high = WEIGHT_KG
    if not low <= weight <= high:
        raise DomainError(f"A weight of {weight:g} kg cannot be right: enter it in kilograms "
                          f"(between {low:g} and {high:g}).", field="weight_kg")
    return weight


def _lmp(value: Any, today: dt.date) -> str | None:
    if value in (None, ""):
        return None
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("The date of the last menstrual period must be a real date.",
                          field="last_menstrual_period") from None
    if day > today:
        raise DomainError("The last menstrual period must be today or in the past.", field="last_menstrual_period")
    return day.isoformat()


def _mri_answers(value: Any) -> dict[str, str] | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise DomainError("MRI screening answers must map each question to yes, no or unsure.", field="mri_answers")
    ids = {q.id for q in questions()}
    for key, answer in value.items():
        if key not in ids:
            raise DomainError(f"Unknown MRI screening question {key!r}.", field="mri_answers")
        if answer not in ANSWERS:
            raise DomainError(f"Answer {key!r} with yes, no or unsure.", field="mri_answers")
    return dict(value)


@transaction.atomic
def record_checklist(exam: Examination, raw: dict[str, Any], *, by: User, source: str) -> ChecklistRecord:
    """Record the pre-examination checklist for an examination that has not started."""
    if not can(by, Action.PERFORM_EXAMINATION, exam.site):
        raise NotAllowed("Your role cannot record pre-examination checks.")
    exam = Examination.objects.select_for_update().get(pk=exam.pk)
    if exam.status not in RECORDABLE_STATUSES:
        raise InvalidTransition(f"The examination is {exam.get_status_display().lower()}; checks can no longer change.")
    answers = clean_answers(raw, today=timezone.localdate())
    checklist = ChecklistRecord.objects.create(examination=exam, recorded_by=by, answers=answers)
    ExamEvent.objects.create(examination=exam, by=by, source=source, action="checklist_recorded",
                             from_status=exam.status, to_status=exam.status)
    record("examination.checklist_recorded", exam, by=by, channel=source, summary="Pre-examination checks recorded",
           detail=answers)
    return checklist
