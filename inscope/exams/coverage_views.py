"""The rota coverage check: which of a day's booked examinations have no entitled operator on duty."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from inscope.competencies.access import oversees
from inscope.department.models import Department
from inscope.exams.coverage import coverage_for_day
from inscope.lib.pages import render_page
from inscope.staff.requests import AuthedRequest


@login_required
@require_GET
def coverage(request: AuthedRequest) -> HttpResponse:
    if not oversees(request.user):
        raise PermissionDenied("Only managers, assessors and the radiation protection supervisor see rota coverage.")
    department = request.user.department or Department.objects.order_by("pk").first()
    context: dict[str, Any] = {"page_title": "Rota coverage", "nav": "people", "errors": [], "rows": [],
                               "date_text": request.GET.get("date", "")}
    status = 200
    day = timezone.localdate()
    if context["date_text"]:
        try:
            day = dt.date.fromisoformat(context["date_text"])
        except ValueError:
            context["errors"] = [{"text": "The date must be a real date, like 2026-11-28.", "href": "#date"}]
            status = 400
    context["day"] = day
    if department is not None and status == 200:
        context["rows"] = coverage_for_day(department, day)
    context["gaps"] = [r for r in context["rows"] if not r.covered]
    context["covered"] = [r for r in context["rows"] if r.covered]
    return render_page(request, "competencies/coverage.html", context, status=status)
