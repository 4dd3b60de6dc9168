"""Fetching examinations and escalations for a person: the only way views and the API reach them.

Reading a patient's record is itself recorded in the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from inscope.audit.services import record
from inscope.exams.models import Escalation, Examination
from inscope.staff.models import User
from inscope.staff.permissions import Action, can


def get_examination_for_user(user: User, pk: int, *, channel: str, for_update: bool = False) -> Examination:
    """Return the examination if the user may see its patient; record the read."""
    related = ("patient", "site", "room", "operator", "policy_version")
    exam = Examination.objects.select_related(*related).filter(pk=pk).first()
    # Not found and not visible look the same to the caller, so IDs cannot be probed.
    if exam is None:
        raise Http404("No such examination.")
    # Patient data is visible to clinical roles at the examination's site only.
    if not can(user, Action.VIEW_PATIENT, exam.site):
        raise Http404("No such examination.")
    record("patient.viewed", exam.patient, by=user, channel=channel,
           summary=f"Viewed via examination {exam.accession_number}")
    return exam


def get_escalation_for_user(user: User, pk: int, *, channel: str = "web") -> Escalation:
    """Return the escalation if the user may act on escalations at its site; record the read."""
    escalation = Escalation.objects.select_related("examination__patient", "examination__site", "raised_by").filter(
        pk=pk
    ).first()
    if escalation is None or not can(user, Action.VIEW_PATIENT, escalation.examination.site):
        raise Http404("No such escalation.")
    recipient = escalation.recipients.filter(pk=user.pk).exists()  # a practitioner it was sent to may read it
    if not (recipient or can(user, Action.RESOLVE_ESCALATION, escalation.examination.site)):
        raise PermissionDenied("Only a supervising radiographer, or someone it was sent to, can see an escalation.")
    record("patient.viewed", escalation.examination.patient, by=user, channel=channel,
           summary=f"Viewed via escalation {escalation.pk}")
    return escalation
