"""The dose audit page and its CSV and XLSX exports, for people who may read dose audits (VIEW_DOSE_AUDIT)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from inscope.audit.services import record
from inscope.dose import charts, exports, forms
from inscope.dose.audit import MIN_STUDIES, Audit, AuditRow, bucket_for, choices, fmt, fmt_ratio, run_audit, trend
from inscope.dose.views.common import department_for
from inscope.lib.errors import DomainError
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, require
from inscope.staff.requests import AuthedRequest

# Charts are drawn for this many rows: the ones furthest above their DRL first. Filtering by protocol or room
# shows the charts of the others.
MAX_CHARTS = 6
FILTER_FIELDS = {"from", "to", "modality", "room", "protocol"}


def charted_rows(audit: Audit) -> list[AuditRow]:
    rows = [r for r in audit.rows if r.n]
    rows.sort(key=lambda r: (-(r.ratio if r.ratio is not None else -1.0), r.protocol, r.room))
    return rows[:MAX_CHARTS]


def _charts(audit: Audit) -> list[dict[str, Any]]:
    bucket = bucket_for(audit.filters)
    found = []
    for number, row in enumerate(charted_rows(audit), start=1):
        points = trend(row.samples, bucket)
        found.append({
            "row": row,
            "distribution": charts.distribution(row, f"chart-{number}-distribution"),
            "trend": charts.trend(row, points, bucket, f"chart-{number}-trend"),
            "points": points,
        })
    return found


@login_required
@require_GET
def audit_page(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_DOSE_AUDIT)
    department = department_for(request.user)
    context: dict[str, Any] = {
        "page_title": "Dose audit",
        "nav": "dose",
        "department": department,
        "choices": choices(department),
        "query": {k: request.GET.get(k, "") for k in FILTER_FIELDS},
        "errors": [],
        "fmt": fmt,
        "fmt_ratio": fmt_ratio,
        "min_studies": MIN_STUDIES,
        "max_charts": MAX_CHARTS,
        "audit": None,
    }
    try:
        filters = forms.audit_filters(request.GET, department)
    except DomainError as error:
        context["errors"] = [{"text": error.message, "href": f"#{error.field}"}]
        context["error_field"] = error.field
        return render_page(request, "dose/audit.html", context, status=400)
    audit = run_audit(filters)
    query = urlencode(filters.as_query())
    context.update({
        "filters": filters,
        "query": {**context["query"], "from": filters.start.isoformat(), "to": filters.end.isoformat()},
        "audit": audit,
        "charts": _charts(audit),
        "bucket": bucket_for(filters),
        "csv_url": f"{reverse('dose:audit_csv')}?{query}",
        "studies_csv_url": f"{reverse('dose:audit_csv')}?{query}&table=studies",
        "xlsx_url": f"{reverse('dose:audit_xlsx')}?{query}",
        "described": filters.describe(audit.rooms),
        "charted": len(charted_rows(audit)),
        "with_figures": sum(1 for r in audit.rows if r.n),
    })
    return render_page(request, "dose/audit.html", context)


def _export_audit(request: AuthedRequest) -> Audit:
    require(request.user, Action.VIEW_DOSE_AUDIT)
    department = department_for(request.user)
    audit = run_audit(forms.audit_filters(request.GET, department))
    return audit


def _file_name(audit: Audit, kind: str, extension: str) -> str:
    f = audit.filters
    return f"{kind}-{f.start.isoformat()}-to-{f.end.isoformat()}.{extension}"


def _log_export(request: AuthedRequest, audit: Audit, what: str) -> None:
    department = audit.filters.department
    if department is not None:
        record("dose.audit_exported", department, by=request.user, channel="web",
               summary=f"Dose audit exported ({what}), {audit.filters.start} to {audit.filters.end}",
               detail=audit.filters.as_query())


@login_required
@require_GET
def audit_csv(request: AuthedRequest) -> HttpResponse:
    try:
        audit = _export_audit(request)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    studies = request.GET.get("table") == "studies"
    by = request.user.username
    body = exports.studies_csv(audit, by=by) if studies else exports.audit_csv(audit, by=by)
    _log_export(request, audit, "CSV, studies" if studies else "CSV")
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")  # the BOM: Excel reads UTF-8
    name = _file_name(audit, "dose-audit-studies" if studies else "dose-audit", "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def audit_xlsx(request: AuthedRequest) -> HttpResponse:
    try:
        audit = _export_audit(request)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    body = exports.audit_xlsx(audit, by=request.user.username)
    _log_export(request, audit, "XLSX")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(audit, "dose-audit", "xlsx")}"'
    return response

