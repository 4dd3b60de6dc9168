"""The supervision board: who is supervising whom today, and planning duty (managers)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from inscope.department.models import Room, Site
from inscope.lib.errors import DomainError
from inscope.lib.pages import render_page
from inscope.staff.models import User
from inscope.staff.permissions import SUPERVISORS, Action, can, require
from inscope.staff.requests import AuthedRequest
from inscope.supervision.models import DutySession
from inscope.supervision.services import plan_duty_session


def _when(day: dt.date, value: str, label: str) -> dt.datetime:
    try:
        moment = dt.time.fromisoformat(value)
    except ValueError:
        raise DomainError(f"{label} must be a time like 08:30.", field=label.split()[0].lower()) from None
    return timezone.make_aware(dt.datetime.combine(day, moment))


def _plan(request: AuthedRequest, day: dt.date) -> None:
    post = request.POST
    supervisor = User.objects.filter(pk=post.get("supervisor") or 0).first()
    site = Site.objects.filter(pk=post.get("site") or 0).first()
    if supervisor is None:
        raise DomainError("Choose the supervising radiographer.", field="supervisor")
    if site is None:
        raise DomainError("Choose the site.", field="site")
    room = Room.objects.filter(pk=post.get("room") or 0).first() if post.get("room") else None
    supervisees = list(User.objects.filter(pk__in=post.getlist("supervisees")))
    plan_duty_session(supervisor=supervisor, site=site, room=room, mode=post.get("mode", ""),
                      starts_at=_when(day, post.get("starts_at", ""), "Start time"),
                      ends_at=_when(day, post.get("ends_at", ""), "End time"),
                      supervisees=supervisees, by=request.user, source="web")


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_WORKLIST)
    day = timezone.localdate()
    context: dict = {"page_title": "Supervision", "nav": "supervision", "day": day}
    if request.method == "POST":
        require(request.user, Action.MANAGE_DUTY)
        try:
            _plan(request, day)
        except DomainError as error:
            context.update(errors=[{"text": error.message, "href": f"#{error.field or 'supervisor'}"}],
                           error_field=error.field, post=request.POST)
        else:
            messages.success(request, "Duty session planned.")
            return redirect("supervision:board")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    sessions = (
        DutySession.objects.filter(starts_at__lt=start + dt.timedelta(days=1), ends_at__gt=start)
        .select_related("supervisor", "site", "room")
        .prefetch_related("supervisees")
        .order_by("site__name", "starts_at")
    )
    now = timezone.now()
    people = User.objects.filter(role_assignments__role__in=[r.value for r in SUPERVISORS]).distinct()
    context.update(
        sessions=[(s, s.starts_at <= now < s.ends_at) for s in sessions],
        can_plan=can(request.user, Action.MANAGE_DUTY),
        supervisors=people.order_by("display_name"),
        sites=Site.objects.prefetch_related("rooms").order_by("name"),
        supervisees=User.objects.filter(role_assignments__role__in=["assistant_practitioner",
                                                                    "trainee_assistant_practitioner"])
        .distinct().order_by("display_name"),
        modes=DutySession.Mode.choices,
    )
    return render_page(request, "supervision/board.html", context, status=400 if "errors" in context else 200)
