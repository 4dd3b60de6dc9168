"""Raising an escalation and telling the named supervising radiographers, and the people the policy designates
for its reasons (practitioner, MR-authorised staff, MR responsible person), in the app and by e-mail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from inscope.audit.services import record
from inscope.exams.facts import covering_sessions
from inscope.exams.models import Escalation, ExamEvent, Examination, Notification
from inscope.policy.services import document_for, in_force
from inscope.rules.decisions import Decision, Reason, Urgency
from inscope.rules.escalation import escalation_urgency
from inscope.rules.reasons import MANAGER, RADIOGRAPHER
from inscope.staff.models import User
from inscope.staff.permissions import Action, can
from inscope.supervision.models import DutySession


def acknowledgement_minutes(department) -> int:
    """Return how long the department's policy allows before an escalation counts as unacknowledged."""
    version = in_force(department)
    if version is None:
        return settings.INSCOPE_ESCALATION_ACK_MINUTES
    return document_for(version).escalation_ack_minutes


def designated_for(exam: Examination, kinds: tuple[str, ...], now: dt.datetime) -> list[User]:
    """Return the people the policy designates for these kinds of escalation (practitioner, MR-authorised staff,
    MR responsible person) who work at the examination's site: those on duty there now, else all of them."""
    wanted = [k for k in kinds if k not in (RADIOGRAPHER, MANAGER)]
    version = in_force(exam.department) if wanted else None
    if version is None:
        return []
    document = document_for(version)
    usernames = set().union(*(document.designated(kind) for kind in wanted))
    people = [u for u in User.objects.filter(username__in=usernames, is_active=True).order_by("username")
              if u.roles_at(exam.site)]
    on_duty = set(DutySession.objects.on_duty(now).filter(site=exam.site, supervisor__in=people)
                  .values_list("supervisor_id", flat=True))
    return [u for u in people if u.pk in on_duty] or people


def recipients_for(exam: Examination, operator: User, now: dt.datetime, kinds: tuple[str, ...] = ()) -> list[User]:
    """Return who to tell: the supervisors on duty for the operator there, else anyone supervising on site, else
    the supervisor named when the examination started; and the people designated for the ``kinds`` of reason."""
    sessions = covering_sessions(exam, operator, now)
    people = [s.supervisor for s in sessions if can(s.supervisor, Action.RESOLVE_ESCALATION, exam.site)]
    if not people:
        site_sessions = DutySession.objects.on_duty(now).filter(site=exam.site).exclude(supervisor=operator)
        people = [s.supervisor for s in site_sessions.select_related("supervisor")
                  if can(s.supervisor, Action.RESOLVE_ESCALATION, exam.site)]
    if not people and exam.supervisor is not None:
        people = [exam.supervisor]
    people += [u for u in designated_for(exam, kinds, now) if u != operator]
    return list(dict.fromkeys(people))


def notify(escalation: Escalation, people: list[User], *, again: bool = False) -> None:
    exam = escalation.examination
    prefix = "Reminder: " if again else ""
    message = (f"{prefix}{escalation.get_urgency_display()} escalation from {escalation.raised_by}: "
               f"{exam.protocol_name} for {exam.patient} ({exam.accession_number})")[:300]
    Notification.objects.bulk_create(Notification(recipient=p, escalation=escalation, message=message) for p in people)
    addresses = [p.email for p in people if p.email]
    if addresses:
        transaction.on_commit(lambda: send_mail(message, message, None, addresses, fail_silently=True))


def raise_escalation(
    exam: Examination,
    *,
    decision: Decision | None = None,
    reasons: list[Reason] | None = None,
    kind: str = Escalation.Kind.SCOPE,
    by: User,
    source: str,
    now: dt.datetime,
    note: str = "",
) -> Escalation:
    """Record an escalation for a locked examination and send it to the named supervisors."""
    found = list(decision.reasons if decision else reasons or [])
    urgency = escalation_urgency(decision.urgency if decision else max(
        (r.urgency for r in found), default=Urgency.ROUTINE, key=lambda u: u is Urgency.URGENT), exam.priority)
    kinds = decision.recipients if decision else tuple(dict.fromkeys(r.escalate_to for r in found if r.escalate_to))
    people = recipients_for(exam, by, now, kinds)
    escalation = Escalation.objects.create(
        examination=exam, kind=kind, urgency=urgency.value, reasons=[r.as_dict() for r in found], note=note,
        raised_by=by, last_notified_at=now,
    )
    escalation.recipients.set(people)
    notify(escalation, people)
    ExamEvent.objects.create(examination=exam, by=by, source=source, action=f"escalation_raised_{kind}",
                             from_status=exam.status, to_status=exam.status,
                             reason=f"To {', '.join(p.name for p in people) or 'nobody on duty'}")
    record("escalation.raised", escalation, by=by, channel=source,
           summary=f"{escalation.get_kind_display()} to {', '.join(p.username for p in people)}",
           detail={"reasons": escalation.reason_codes, "examination": exam.pk})
    return escalation
