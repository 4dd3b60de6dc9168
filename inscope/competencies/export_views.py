"""Downloads: portfolio exports, the entitlement record, and evidence files (served only after a permission check,
never from a public media URL)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from inscope.audit.services import record
from inscope.competencies import exports
from inscope.competencies.access import (
    may_keep_entitlement_record,
    may_view_portfolio,
    read_portfolio,
    record_portfolio_read,
)
from inscope.competencies.models import Evidence
from inscope.competencies.views import department_for, policy_document
from inscope.staff.requests import AuthedRequest

CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def portfolio_csv(request: AuthedRequest, username: str) -> HttpResponse:
    person = read_portfolio(request.user, username, action="portfolio.exported", what="Exported (CSV) the portfolio")
    today = timezone.localdate()
    text = exports.to_csv(exports.PORTFOLIO_HEADER, exports.portfolio_rows(person, today))
    return _download(text, "text/csv; charset=utf-8", f"portfolio-{person.username}-{today.isoformat()}.csv")


@login_required
@require_GET
def portfolio_pdf(request: AuthedRequest, username: str) -> HttpResponse:
    person = read_portfolio(request.user, username, action="portfolio.exported", what="Exported (PDF) the portfolio")
    today = timezone.localdate()
    return _download(exports.portfolio_pdf(person, today), "application/pdf",
                     f"portfolio-{person.username}-{today.isoformat()}.pdf")


@login_required
@require_GET
def entitlement_record(request: AuthedRequest) -> HttpResponse:
    if not may_keep_entitlement_record(request.user):
        raise PermissionDenied("Only managers and the radiation protection supervisor can export the entitlement "
                               "record.")
    document, label = policy_document(request.user)
    department = department_for(request.user)
    text = exports.to_csv(exports.RECORD_HEADER, exports.entitlement_record_rows(document, label))
    if department is not None:
        record("entitlement_record.exported", department, by=request.user, channel="web",
               summary="IR(ME)R entitlement record exported")
    return _download(text, "text/csv; charset=utf-8", f"entitlement-record-{timezone.localdate().isoformat()}.csv")


@login_required
@require_GET
def evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    evidence = Evidence.objects.select_related("person").filter(pk=pk).first()
    if evidence is None or not evidence.file or not may_view_portfolio(request.user, evidence.person):
        raise Http404("No such file.")
    extension = PurePath(evidence.file.name or "").suffix.lower()
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    record_portfolio_read(request.user, evidence.person, action="portfolio.evidence_downloaded",
                          what=f"Downloaded evidence file {evidence.pk}", detail={"evidence": evidence.pk})
    return FileResponse(handle, as_attachment=True, filename=evidence.file_name or f"evidence-{pk}{extension}",
                        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
