"""Build the decision engine's facts from the database: the one place ORM rows become rules values."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from inscope.competencies.queries import with_competence
from inscope.equipment.queries import units_needed
from inscope.exams.models import ChecklistRecord, Examination
from inscope.exams.mri_screening import stop_answers
from inscope.policy.document import PolicyDocument
from inscope.rules import facts as f
from inscope.staff.models import User
from inscope.supervision.models import DutySession


def latest_checklist(exam: Examination) -> dict:
    record = ChecklistRecord.objects.filter(examination=exam).order_by("-recorded_at", "-id").first()
    return record.answers if record else {}


def _optional_bool(value) -> bool | None:
    return value if isinstance(value, bool) else None


def _optional_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _optional_number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def identity_answer(answers: dict) -> f.Identity | None:
    """The identification outcome; checklists recorded before it had three answers hold identity_confirmed."""
    if answers.get("identity"):
        return f.Identity(answers["identity"])
    confirmed = answers.get("identity_confirmed")
    if not isinstance(confirmed, bool):
        return None
    return f.Identity.CONFIRMED if confirmed else f.Identity.MISMATCH


def patient_facts(exam: Examination, answers: dict, on: dt.date) -> f.Patient:
    patient = exam.patient
    childbearing = answers.get("childbearing_potential")
    if childbearing is None and patient.sex == patient.Sex.MALE:
        childbearing = False
    mri = answers.get("mri_answers")
    return f.Patient(
        age=patient.age_on(on),
        childbearing_potential=_optional_bool(childbearing),
        identity=identity_answer(answers),
        cooperative=_optional_bool(answers.get("cooperative")),
        has_capacity=_optional_bool(answers.get("has_capacity")),
        mobility=f.Mobility(answers["mobility"]) if answers.get("mobility") else None,
        trauma=_optional_bool(answers.get("trauma")),
        pregnancy_answer=f.PregnancyAnswer(answers["pregnancy_answer"]) if answers.get("pregnancy_answer") else None,
        last_menstrual_period=_optional_date(answers.get("last_menstrual_period")),
        mri_stop_answers=stop_answers(mri) if isinstance(mri, dict) else None,
        weight_kg=_optional_number(answers.get("weight_kg")),
        contrast_checks_done=_optional_bool(answers.get("contrast_checks_done")),
        cannula_in_place=_optional_bool(answers.get("cannula_in_place")),
    )


def request_facts(exam: Examination) -> f.Request:
    return f.Request(
        protocol_code=exam.protocol_code,
        justification=f.Justification(exam.justification),
        justified_by=exam.justified_by,
        setting=f.Setting(exam.setting) if exam.setting else None,
        laterality=f.Laterality(exam.laterality) if exam.laterality else None,
    )


def covering_sessions(exam: Examination, operator: User, at: dt.datetime):
    return (
        DutySession.objects.covering(site=exam.site, room=exam.room, supervisee=operator, at=at)
        .exclude(supervisor=operator)
        .select_related("supervisor")
        .prefetch_related("supervisor__role_assignments")  # supervision_facts reads each supervisor's roles
    )


def supervision_facts(sessions, exam: Examination, document: PolicyDocument | None) -> f.SupervisionContext:
    """Who is on duty for the operator; only people holding a role the policy lets supervise count."""
    sessions = list(sessions)
    if document is not None:
        allowed = document.supervisor_roles
        sessions = [s for s in sessions if s.supervisor.roles_at(exam.site) & allowed]
    return f.SupervisionContext(
        supervisors_on_duty=tuple(s.supervisor.username for s in sessions),
        direct_supervisor_present=any(s.mode == DutySession.Mode.DIRECT for s in sessions),
    )


def operator_facts(user: User, exam: Examination, document: PolicyDocument | None) -> f.Operator:
    """Return the operator's roles at the site, entitlements from the policy, and competence-backed grants."""
    roles = user.roles_at(exam.site)
    operator = f.Operator(user.username, roles) if document is None else document.operator(user.username, roles)
    return with_competence(operator, user)


def equipment_facts(exam: Examination, on: dt.date) -> tuple[f.Unit, ...]:
    """The units the examination's room needs, with their status: one indexed query (none with no room)."""
    if exam.room_id is None:
        return ()
    return tuple(f.Unit(name, f.UnitStatus(status), reason) for name, status, reason in units_needed(exam.room_id, on))


def case_for(exam: Examination, operator: User, document: PolicyDocument | None, *, now: dt.datetime) -> f.Case:
    """Return the facts for deciding whether ``operator`` may perform ``exam`` at ``now``."""
    on = timezone.localtime(now).date()
    return f.Case(
        operator=operator_facts(operator, exam, document),
        request=request_facts(exam),
        patient=patient_facts(exam, latest_checklist(exam), on),
        supervision=supervision_facts(covering_sessions(exam, operator, now), exam, document),
        on=on,
        equipment=equipment_facts(exam, on),
    )
