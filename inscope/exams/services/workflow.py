"""Moving an examination through its lifecycle. Only move_examination assigns a status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.exams.facts import case_for, covering_sessions
from inscope.exams.models import Escalation, ExamEvent, Examination
from inscope.exams.services.routing import raise_escalation
from inscope.lib.errors import InvalidTransition, NotAllowed
from inscope.policy.services import document_for, in_force
from inscope.rules import exam_workflow
from inscope.rules.decisions import Decision, Outcome
from inscope.rules.evaluate import decide, no_policy_decision
from inscope.staff.models import User
from inscope.staff.permissions import Action, can
from inscope.supervision.models import DutySession


@dataclass(frozen=True)
class StartResult:
    examination: Examination
    decision: Decision
    escalation: Escalation | None = None


def move_examination(
    exam: Examination,
    *,
    to: str,
    by: User,
    source: str,
    action: str,
    reason: str = "",
    decision: Decision | None = None,
    update_fields: tuple[str, ...] = (),
) -> ExamEvent:
    """Move a locked examination to a new status, saving it and recording the event.

    The caller holds the row lock (select_for_update inside a transaction) and sets any other fields first.
    """
    if not exam_workflow.may_move(exam.status, to):
        now, then = exam.get_status_display().lower(), Examination.Status(to).label.lower()
        raise InvalidTransition(f"An examination that is {now} cannot become {then}.")
    previous = exam.status
    exam.status = to
    exam.save(update_fields=["status", *update_fields])
    event = ExamEvent.objects.create(
        examination=exam,
        by=by,
        source=source,
        action=action,
        from_status=previous,
        to_status=to,
        reason=reason,
        decision=decision.as_dict() if decision else None,
        policy_version=decision.policy_version if decision else "",
        ruleset=decision.ruleset if decision else "",
    )
    record(f"examination.{action}", exam, by=by, channel=source, summary=f"{previous} → {to}: {reason}"[:300],
           policy_version=event.policy_version, ruleset=event.ruleset)
    return event


def evaluate_examination(exam: Examination, *, operator: User, now: dt.datetime | None = None) -> Decision:
    """Return the decision for ``operator`` performing ``exam`` now, without changing anything."""
    now = now or timezone.now()
    version = in_force(exam.department)
    if version is None:
        return no_policy_decision()
    document = document_for(version)
    return decide(case_for(exam, operator, document, now=now), document.to_policy(version.label))


def _lock(exam: Examination) -> Examination:
    return Examination.objects.select_for_update(of=("self",)).select_related("patient", "site", "room").get(pk=exam.pk)


def _record_decision(exam: Examination, decision: Decision) -> tuple[str, ...]:
    exam.decision = decision.as_dict()
    exam.policy_version = in_force(exam.department)
    exam.ruleset = decision.ruleset
    return ("decision", "policy_version", "ruleset")


def _named_supervision(exam: Examination, operator: User, now: dt.datetime) -> DutySession | None:
    """Return the duty session supervising the operator now, preferring a supervisor in the room."""
    sessions = list(covering_sessions(exam, operator, now))
    direct = [s for s in sessions if s.mode == DutySession.Mode.DIRECT]
    return (direct or sessions or [None])[0]


@transaction.atomic
def start_examination(exam: Examination, *, by: User, source: str) -> StartResult:
    """Start an examination if the policy allows this operator to; otherwise escalate it or stop, with reasons."""
    if not can(by, Action.PERFORM_EXAMINATION, exam.site):
        raise NotAllowed("Your role cannot perform examinations.")
    # Lock first: two people pressing Start at once must not both start it.
    exam = _lock(exam)
    now = timezone.now()
    if exam.status == Examination.Status.AUTHORISED:
        return _start_authorised(exam, by=by, source=source, now=now)
    if exam.status != Examination.Status.SCHEDULED:
        who = f" by {exam.operator}" if exam.operator else ""
        raise InvalidTransition(f"This examination is already {exam.get_status_display().lower()}{who}.")
    decision = evaluate_examination(exam, operator=by, now=now)
    fields = _record_decision(exam, decision)
    if decision.outcome is Outcome.STOP:
        exam.save(update_fields=list(fields))
        ExamEvent.objects.create(examination=exam, by=by, source=source, action="start_stopped",
                                 from_status=exam.status, to_status=exam.status, decision=decision.as_dict(),
                                 policy_version=decision.policy_version, ruleset=decision.ruleset,
                                 reason="; ".join(decision.codes))
        record("examination.start_stopped", exam, by=by, channel=source, summary="; ".join(decision.codes),
               policy_version=decision.policy_version, ruleset=decision.ruleset)
        return StartResult(exam, decision)
    exam.operator = by
    session = _named_supervision(exam, by, now)
    exam.supervisor = session.supervisor if session else None
    exam.supervision_mode = session.mode if session else ""
    fields = (*fields, "operator", "supervisor", "supervision_mode")
    if decision.outcome is Outcome.ESCALATE:
        move_examination(exam, to=Examination.Status.ESCALATED, by=by, source=source, action="escalated",
                         reason="; ".join(decision.codes), decision=decision, update_fields=fields)
        escalation = raise_escalation(exam, decision=decision, by=by, source=source, now=now)
        return StartResult(exam, decision, escalation)
    exam.started_at = now
    move_examination(exam, to=Examination.Status.IN_PROGRESS, by=by, source=source, action="started",
                     reason="Within scope of practice", decision=decision, update_fields=(*fields, "started_at"))
    return StartResult(exam, decision)


def _start_authorised(exam: Examination, *, by: User, source: str, now: dt.datetime) -> StartResult:
    if exam.operator_id != by.pk:
        raise NotAllowed(f"The radiographer authorised {exam.operator} to perform this examination, not you.")
    exam.started_at = now
    # An examination escalated by hand before it was started has no decision recorded.
    recorded = exam.decision or {}
    decision = Decision.from_reasons([], required_checks=(), policy_version=recorded.get("policy_version", ""))
    move_examination(exam, to=Examination.Status.IN_PROGRESS, by=by, source=source, action="started",
                     reason="Authorised by the supervising radiographer", update_fields=("started_at",))
    return StartResult(exam, decision)


@transaction.atomic
def cancel_examination(exam: Examination, *, by: User, source: str, reason: str) -> Examination:
    """Cancel an examination that has not started, with the reason."""
    if not (can(by, Action.CREATE_REQUEST, exam.site) or can(by, Action.RESOLVE_ESCALATION, exam.site)):
        raise NotAllowed("Your role cannot cancel examinations.")
    if not reason.strip():
        raise InvalidTransition("Give a reason for cancelling.")
    exam = _lock(exam)
    move_examination(exam, to=Examination.Status.CANCELLED, by=by, source=source, action="cancelled", reason=reason)
    return exam
