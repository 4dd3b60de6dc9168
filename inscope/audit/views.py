"""The audit trail, read-only: the latest events, filtered by who, what and when."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from inscope.audit.models import AuditEvent
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, require
from inscope.staff.requests import AuthedRequest

LIMIT = 200


@login_required
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_AUDIT)
    filters = {key: request.GET.get(key, "").strip() for key in ("actor", "action", "object_type", "date")}
    events = AuditEvent.objects.select_related("actor")
    errors = []
    if filters["actor"]:
        events = events.filter(actor_label__iexact=filters["actor"])
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["object_type"]:
        events = events.filter(object_type=filters["object_type"])
    if filters["date"]:
        try:
            day = dt.date.fromisoformat(filters["date"])
        except ValueError:
            errors.append({"text": "Enter the date as YYYY-MM-DD, for example 2026-11-28", "href": "#date"})
        else:
            events = events.filter(at__date=day)
    object_types = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    return render_page(
        request,
        "audit/list.html",
        {
            "page_title": "Audit trail",
            "nav": "audit",
            "events": list(events.order_by("-at", "-id")[:LIMIT]),
            "limit": LIMIT,
            "filters": filters,
            "object_types": list(object_types),
            "errors": errors,
            "filtered": any(filters.values()),
        },
    )
