"""The supervising radiographer's screens: the live escalation queue and acting on one escalation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from inscope.department.models import Department
from inscope.exams import services
from inscope.exams.access import get_escalation_for_user
from inscope.exams.models import Escalation
from inscope.exams.services.escalations import FINDING_ACTIONS
from inscope.exams.services.routing import acknowledgement_minutes
from inscope.lib.errors import DomainError, OutsideScope
from inscope.lib.pages import render_page
from inscope.rules.decisions import Urgency
from inscope.rules.escalation import is_overdue
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """Unresolved escalations sent to me, oldest first, with their age; the table refreshes itself."""
    if not (can(request.user, Action.RESOLVE_ESCALATION) or can(request.user, Action.JUSTIFY_REQUEST)):
        require(request.user, Action.RESOLVE_ESCALATION)  # refuses, with the usual message
    now = timezone.now()
    department = request.user.department or Department.objects.first()
    minutes = acknowledgement_minutes(department) if department else settings.INSCOPE_ESCALATION_ACK_MINUTES
    escalations = (
        Escalation.objects.unresolved().for_supervisor(request.user)
        .select_related("examination__patient", "examination__site", "examination__room", "raised_by")
        .order_by("raised_at")
    )
    rows = [
        (e, int((now - e.raised_at).total_seconds() // 60),
         e.status == Escalation.Status.OPEN and is_overdue(e.raised_at, Urgency(e.urgency), now=now,
                                                           routine_minutes=minutes))
        for e in escalations
    ]
    context = {"page_title": "Escalations", "nav": "queue", "rows": rows, "ack_minutes": minutes}
    return render_page(request, "exams/queue.html", context, block="rows")


def _context(escalation: Escalation, **extra):
    exam = escalation.examination
    return {"page_title": "Escalation", "nav": "queue", "escalation": escalation, "exam": exam,
            "finding_actions": FINDING_ACTIONS, **extra}


@login_required
def escalation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    escalation = get_escalation_for_user(request.user, pk)
    return render_page(request, "exams/escalation.html", _context(escalation))


ACTIONS = {
    "acknowledge": lambda e, r: services.acknowledge_escalation(e, by=r.user, source="web"),
    "take-over": lambda e, r: services.take_over_examination(
        e, by=r.user, source="web", reason_text=r.POST.get("reason", ""),
        supervised_practice=r.POST.get("supervised_practice") == "yes",
    ),
    "authorise": lambda e, r: services.authorise_examination(e, by=r.user, source="web",
                                                              reason_text=r.POST.get("reason", "")),
    "cancel": lambda e, r: services.cancel_from_escalation(e, by=r.user, source="web",
                                                            reason_text=r.POST.get("reason", "")),
    "finding-action": lambda e, r: services.record_finding_action(e, by=r.user, source="web",
                                                                   action=r.POST.get("action", ""),
                                                                   note=r.POST.get("note", "")),
}
DONE = {
    "acknowledge": "Acknowledged. The AP can see you are dealing with it.",
    "take-over": "You are now the operator. The examination is in progress.",
    "authorise": "Authorised: the AP may now start the examination.",
    "cancel": "The examination is cancelled.",
    "finding-action": "Recorded what you did about the finding.",
}


@login_required
@require_POST
def act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    escalation = get_escalation_for_user(request.user, pk)
    try:
        ACTIONS[action](escalation, request)
    except DomainError as error:
        escalation.refresh_from_db()
        context = _context(escalation, errors=[{"text": error.message, "href": f"#{error.field or 'reason'}"}],
                           error_field=error.field, post=request.POST)
        if isinstance(error, OutsideScope):
            context["refusal"] = error.decision
        return render_page(request, "exams/escalation.html", context, status=400)
    messages.success(request, DONE[action])
    if action in ("take-over",):
        return redirect(escalation.examination)
    return redirect("exams:queue")
