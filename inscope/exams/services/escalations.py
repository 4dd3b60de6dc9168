"""What a supervising radiographer does with an escalation: acknowledge it, take the examination over,
authorise the AP to proceed, or decline and cancel; and the urgent-finding path after imaging.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.exams.models import Escalation, Examination
from inscope.exams.services.routing import acknowledgement_minutes, notify, raise_escalation
from inscope.exams.services.workflow import evaluate_examination, move_examination
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed, OutsideScope
from inscope.rules.authorisation import may_authorise, may_take_over
from inscope.rules.decisions import Outcome, Urgency
from inscope.rules.escalation import due_for_renotification
from inscope.rules.reasons import reason
from inscope.staff.models import User
from inscope.staff.permissions import Action, can
from inscope.supervision.models import DutySession

FINDING_ACTIONS = {
    "informed_radiologist": "Informed the radiologist",
    "informed_referrer": "Informed the referrer",
    "patient_kept": "Kept the patient in the department for review",
    "no_action_needed": "Reviewed: no further action needed",
}


def _lock_for_resolver(escalation: Escalation, by: User) -> Escalation:
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related("examination").get(pk=escalation.pk)
    if not can(by, Action.RESOLVE_ESCALATION, escalation.examination.site):
        raise NotAllowed("Only a supervising radiographer can act on an escalation.")
    if escalation.raised_by_id == by.pk:
        raise NotAllowed("You cannot resolve an escalation you raised yourself.")
    if escalation.status == Escalation.Status.RESOLVED:
        raise InvalidTransition(f"This escalation was already resolved by {escalation.resolved_by}.")
    return escalation


def _resolve(escalation: Escalation, *, by: User, source: str, resolution: str, note: str) -> None:
    now = timezone.now()
    escalation.status = Escalation.Status.RESOLVED
    escalation.resolution = resolution
    escalation.resolved_by = by
    escalation.resolved_at = now
    escalation.resolution_note = note
    if escalation.acknowledged_at is None:
        escalation.acknowledged_by, escalation.acknowledged_at = by, now
    escalation.save()
    record(f"escalation.{resolution}", escalation, by=by, channel=source,
           summary=f"{escalation.get_resolution_display()}: {note}")


@transaction.atomic
def acknowledge_escalation(escalation: Escalation, *, by: User, source: str) -> Escalation:
    """Record that a supervisor has seen the escalation and is dealing with it."""
    escalation = _lock_for_resolver(escalation, by)
    if escalation.status == Escalation.Status.OPEN:
        escalation.status = Escalation.Status.ACKNOWLEDGED
        escalation.acknowledged_by, escalation.acknowledged_at = by, timezone.now()
        escalation.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        record("escalation.acknowledged", escalation, by=by, channel=source, summary="Acknowledged")
    return escalation


def _locked_exam(escalation: Escalation) -> Examination:
    return Examination.objects.select_for_update(of=("self",)).select_related("patient", "site", "room").get(
        pk=escalation.examination_id
    )


def _require_reason(text: str) -> str:
    if not text.strip():
        raise DomainError("Give your reason; it is recorded with your name.", field="reason")
    return text.strip()


@transaction.atomic
def take_over_examination(
    escalation: Escalation, *, by: User, source: str, reason_text: str, supervised_practice: bool = False
) -> Examination:
    """Make the supervising radiographer the operator and start the examination, if within their own scope.

    With ``supervised_practice`` the AP who escalated performs it under the radiographer's direct supervision,
    and it counts as observed practice towards their competency; the radiographer stays the operator.
    """
    reason_text = _require_reason(reason_text)
    escalation = _lock_for_resolver(escalation, by)
    exam = _locked_exam(escalation)
    now = timezone.now()
    verdict = may_take_over(evaluate_examination(exam, operator=by, now=now))
    if verdict.outcome is not Outcome.PROCEED:
        raise OutsideScope(verdict)
    exam.practising = escalation.raised_by if supervised_practice else None
    # The radiographer operates; with supervised practice the AP performs it beside them.
    exam.operator, exam.started_at = by, now
    exam.supervision_mode = DutySession.Mode.DIRECT if supervised_practice else ""
    if supervised_practice:
        reason_text = f"{reason_text} (performed by {escalation.raised_by.name} under direct supervision)"
    move_examination(exam, to=Examination.Status.IN_PROGRESS, by=by, source=source, action="taken_over",
                     reason=reason_text, decision=verdict,
                     update_fields=("operator", "started_at", "practising", "supervision_mode"))
    _resolve(escalation, by=by, source=source, resolution=Escalation.Resolution.TAKEN_OVER, note=reason_text)
    return exam


@transaction.atomic
def authorise_examination(escalation: Escalation, *, by: User, source: str, reason_text: str) -> Examination:
    """Authorise the AP who escalated to proceed, when the radiographer could do it and the policy allows it."""
    reason_text = _require_reason(reason_text)
    escalation = _lock_for_resolver(escalation, by)
    exam = _locked_exam(escalation)
    now = timezone.now()
    if exam.operator is None:  # cannot happen: starting, escalating and flagging a finding all set the operator
        raise InvalidTransition("Nobody is recorded as performing this examination, so there is nobody to authorise.")
    operator_decision = evaluate_examination(exam, operator=exam.operator, now=now)
    verdict = may_authorise(operator_decision, evaluate_examination(exam, operator=by, now=now))
    if verdict.outcome is not Outcome.PROCEED:
        raise OutsideScope(verdict)
    move_examination(exam, to=Examination.Status.AUTHORISED, by=by, source=source, action="authorised",
                     reason=f"{by.name}: {reason_text}", decision=operator_decision)
    _resolve(escalation, by=by, source=source, resolution=Escalation.Resolution.AUTHORISED, note=reason_text)
    return exam


@transaction.atomic
def cancel_from_escalation(escalation: Escalation, *, by: User, source: str, reason_text: str) -> Examination:
    """Decline the escalated examination and cancel it, with the reason."""
    reason_text = _require_reason(reason_text)
    escalation = _lock_for_resolver(escalation, by)
    exam = _locked_exam(escalation)
    move_examination(exam, to=Examination.Status.CANCELLED, by=by, source=source, action="cancelled",
                     reason=reason_text)
    _resolve(escalation, by=by, source=source, resolution=Escalation.Resolution.CANCELLED, note=reason_text)
    return exam


@transaction.atomic
def escalate_examination(exam: Examination, *, by: User, source: str, note: str) -> Escalation:
    """Escalate an examination the operator finds outside their scope or protocol, before or during it."""
    if not can(by, Action.PERFORM_EXAMINATION, exam.site):
        raise NotAllowed("Your role cannot escalate examinations.")
    note = note.strip()
    if not note:
        raise DomainError("Say why you are escalating.", field="note")
    exam = Examination.objects.select_for_update(of=("self",)).select_related("site", "room", "patient").get(pk=exam.pk)
    if exam.status == Examination.Status.IN_PROGRESS and exam.operator_id != by.pk:
        raise NotAllowed(f"{exam.operator} is performing this examination; only they can escalate it.")
    escalated = reason("operator-escalated", f"{by.name} escalated: {note}")
    if exam.status in (Examination.Status.SCHEDULED, Examination.Status.AUTHORISED, Examination.Status.IN_PROGRESS):
        exam.operator = by
        move_examination(exam, to=Examination.Status.ESCALATED, by=by, source=source, action="escalated",
                         reason=note, update_fields=("operator",))
    elif exam.status != Examination.Status.ESCALATED:
        raise InvalidTransition(f"The examination is {exam.get_status_display().lower()} and cannot be escalated.")
    return raise_escalation(exam, reasons=[escalated], by=by, source=source, now=timezone.now(), note=note[:500])


@transaction.atomic
def flag_finding(exam: Examination, *, by: User, source: str, note: str) -> Escalation:
    """Escalate an urgent or unexpected finding at once. The operator describes what they saw, never a diagnosis."""
    exam = Examination.objects.select_for_update(of=("self",)).select_related("site", "room", "patient").get(pk=exam.pk)
    if exam.operator_id != by.pk:
        raise NotAllowed("Only the operator who performed the examination can flag a finding from it.")
    if exam.status not in (Examination.Status.IN_PROGRESS, Examination.Status.COMPLETED):
        raise InvalidTransition("A finding can be flagged only once imaging has been done.")
    finding = reason("urgent-finding", "The operator flagged an urgent or unexpected finding for review.")
    return raise_escalation(exam, reasons=[finding], kind=Escalation.Kind.FINDING, by=by, source=source,
                            now=timezone.now(), note=note.strip()[:500])


@transaction.atomic
def record_finding_action(escalation: Escalation, *, by: User, source: str, action: str, note: str) -> Escalation:
    """Record what the radiographer did about a flagged finding."""
    if action not in FINDING_ACTIONS:
        raise DomainError(f"Choose what you did: {', '.join(FINDING_ACTIONS.values())}.", field="action")
    escalation = _lock_for_resolver(escalation, by)
    if escalation.kind != Escalation.Kind.FINDING:
        raise InvalidTransition("This escalation is not a finding.")
    text = f"{FINDING_ACTIONS[action]}. {note.strip()}".strip()
    _resolve(escalation, by=by, source=source, resolution=Escalation.Resolution.FINDING_ACTIONED, note=text)
    return escalation


def notify_overdue_escalations(*, now: dt.datetime | None = None) -> int:
    """Send again every unacknowledged escalation past its window; return how many were sent."""
    now = now or timezone.now()
    sent = 0
    # The policy's window, read once per department in this run rather than once per escalation.
    minutes_for: dict[int, int] = {}
    for pk in Escalation.objects.filter(status=Escalation.Status.OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            escalation = Escalation.objects.select_for_update().select_related("examination").get(pk=pk)
            department_id = escalation.examination.department_id
            if department_id not in minutes_for:
                minutes_for[department_id] = acknowledgement_minutes(escalation.examination.department)
            minutes = minutes_for[department_id]
            if escalation.status != Escalation.Status.OPEN or not due_for_renotification(
                escalation.raised_at, escalation.last_notified_at, Urgency(escalation.urgency),
                now=now, routine_minutes=minutes,
            ):
                continue
            escalation.last_notified_at = now
            escalation.times_notified += 1
            escalation.save(update_fields=["last_notified_at", "times_notified"])
            notify(escalation, list(escalation.recipients.all()), again=True)
            record("escalation.renotified", escalation, by=None, channel="system",
                   summary=f"Sent again (time {escalation.times_notified})")
            sent += 1
    return sent
