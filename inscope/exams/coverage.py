"""Rota coverage: for a day's booked examinations, who is on duty at the time and whether any of them is entitled
as operator for the protocol (by the scope of their role and a current entitlement or competence-backed grant).

"On duty" is read from the duty sessions covering the examination's time and place: the supervisors, the APs named
as their supervisees, and, when a session names nobody (it covers every AP there), every AP holding a role at the
site. The examination-day checks (patient, supervision mode) still apply at the point of care.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from inscope.competencies.queries import with_competence
from inscope.department.models import Department
from inscope.exams.models import Examination
from inscope.policy.document import PolicyDocument
from inscope.policy.services import document_for, in_force
from inscope.rules.decisions import Reason
from inscope.rules.facts import ASSISTANT_PRACTITIONER_ROLES, Conditions
from inscope.rules.reasons import reason
from inscope.rules.scope import entitlement_reasons, role_scope_reasons
from inscope.staff.models import User
from inscope.supervision.models import DutySession

BOOKED = (Examination.Status.SCHEDULED, Examination.Status.AUTHORISED)


@dataclass(frozen=True)
class ExamCoverage:
    exam: Examination
    on_duty: tuple[User, ...]
    entitled: tuple[User, ...]
    note: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.entitled)


def _on_duty(exam: Examination, sessions: list[DutySession], aps: list[User]) -> list[User]:
    at = exam.scheduled_at
    people: dict[int, User] = {}
    for session in sessions:
        if session.site_id != exam.site_id or not session.starts_at <= at < session.ends_at:
            continue
        if session.room_id is not None and session.room_id != exam.room_id:
            continue
        people.setdefault(session.supervisor.pk, session.supervisor)
        named = list(session.supervisees.all())
        if named:
            for person in named:
                people.setdefault(person.pk, person)
        else:  # a session naming nobody covers every AP at the site
            for person in aps:
                if person.roles_at(exam.site) & ASSISTANT_PRACTITIONER_ROLES:
                    people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda u: (u.name.lower(), u.username))


def _checkable(conditions: Conditions) -> list[Reason]:
    if not conditions.unstructured:
        return []
    return [reason("entitlement-conditions-unstructured", f"Conditions written as text: {conditions.unstructured}")]


def _entitled(person: User, exam: Examination, document: PolicyDocument, label: str) -> bool:
    entry = document.protocols.get(exam.protocol_code)
    if entry is None:
        return False
    operator = with_competence(document.operator(person.username, person.roles_at(exam.site)), person)
    on = timezone.localtime(exam.scheduled_at).date()
    policy = document.to_policy(label)
    # Before the patient arrives nothing is known of them, so an entitlement with conditions counts as cover; one
    # whose conditions are free text does not, since the engine never relies on it.
    in_force = entitlement_reasons(operator, entry.rule, on, conditions_met=_checkable)
    return not role_scope_reasons(operator, entry.rule, policy) and not in_force


def coverage_for_day(department: Department, day: dt.date) -> list[ExamCoverage]:
    """Return every examination booked for the day (scheduled or authorised), with who could operate for it."""
    exams = list(
        Examination.objects.filter(department=department, status__in=BOOKED).on_day(day)
        .select_related("site", "room", "patient").order_by("scheduled_at", "id")
    )
    if not exams:
        return []
    version = in_force(department)
    start = min(e.scheduled_at for e in exams)
    end = max(e.scheduled_at for e in exams)
    sessions = list(
        DutySession.objects.filter(starts_at__lte=end, ends_at__gt=start, site__in={e.site_id for e in exams})
        .select_related("supervisor").prefetch_related("supervisor__role_assignments", "supervisees__role_assignments")
    )
    aps = list(
        User.objects.filter(is_active=True, role_assignments__role__in=[r.value for r in ASSISTANT_PRACTITIONER_ROLES])
        .filter(Q(department=department) | Q(department__isnull=True))
        .prefetch_related("role_assignments").distinct()
    )
    document = document_for(version) if version else None
    rows = []
    for exam in exams:
        on_duty = _on_duty(exam, sessions, aps)
        if document is None or version is None:
            rows.append(ExamCoverage(exam, tuple(on_duty), (), "No policy is in force."))
            continue
        if exam.protocol_code not in document.protocols:
            rows.append(ExamCoverage(exam, tuple(on_duty), (), f"{exam.protocol_code} is not in the policy in force."))
            continue
        entitled = tuple(p for p in on_duty if _entitled(p, exam, document, version.label))
        note = "" if on_duty else "Nobody is on duty at this time."
        rows.append(ExamCoverage(exam, tuple(on_duty), entitled, note))
    return rows
