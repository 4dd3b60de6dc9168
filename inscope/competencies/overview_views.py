"""The overviews: the entitlement matrix (who can do what) and the competency frameworks (list, import, export)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from inscope.competencies import matrix as staff_matrix
from inscope.competencies.access import is_manager, may_view_portfolio, oversees
from inscope.competencies.models import Framework
from inscope.competencies.services import import_framework
from inscope.competencies.services.frameworks import InvalidFramework
from inscope.competencies.views import department_for
from inscope.lib.errors import DomainError, NotAllowed
from inscope.lib.pages import render_page
from inscope.policy import matrix as entitlement_matrix
from inscope.policy.document import Problem
from inscope.policy.services import document_for, in_force
from inscope.staff.permissions import Action, require
from inscope.staff.requests import AuthedRequest

MAX_FRAMEWORK_BYTES = 1024 * 1024


@login_required
@require_GET
def matrix(request: AuthedRequest) -> HttpResponse:
    """Who can do what: everyone who reads the policy sees it, as the entitlements are written there; portfolio
    links only for the people whose portfolio the viewer may open."""
    require(request.user, Action.VIEW_POLICY)
    department = department_for(request.user)
    version = in_force(department) if department else None
    context: dict[str, Any] = {"page_title": "Who can do what", "nav": "matrix", "version": version, "grid": None,
                               "portfolios": set(), "oversees": oversees(request.user)}
    if version is not None:
        document, today = document_for(version), timezone.localdate()
        people = staff_matrix.staff(document, department)
        context["grid"] = entitlement_matrix.build_matrix(document, today, staff_matrix.accounts(document, people,
                                                                                                 today))
        context["portfolios"] = {p.username for p in people if may_view_portfolio(request.user, p)}
    context["statuses"] = [
        (s, entitlement_matrix.LABELS[s], entitlement_matrix.COLOURS[s], entitlement_matrix.MEANINGS[s])
        for s in entitlement_matrix.Status
    ]
    context["conditions_meaning"] = entitlement_matrix.CONDITIONS_MEANING
    return render_page(request, "competencies/matrix.html", context)


def problem_text(problem: Problem) -> str:
    where = problem.location or "(document)"
    return f"Line {problem.line}: {where}: {problem.message}" if problem.line else f"{where}: {problem.message}"


def _frameworks_context(request: AuthedRequest, **extra: Any) -> dict[str, Any]:
    return {
        "page_title": "Competency frameworks",
        "nav": "people",
        "frameworks": Framework.objects.select_related("created_by").prefetch_related("competencies"),
        "can_import": is_manager(request.user),
        "errors": [],
        "text": "",
        "text_error": "",
        **extra,
    }


@login_required
@require_GET
def frameworks(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_WORKLIST)
    return render_page(request, "competencies/frameworks.html", _frameworks_context(request))


def _uploaded_text(request: AuthedRequest) -> str:
    upload = request.FILES.get("upload")
    if upload is None:
        return request.POST.get("source_yaml", "")
    if upload.size is None or upload.size > MAX_FRAMEWORK_BYTES:
        raise DomainError("The file must be smaller than 1 MB.", field="upload")
    try:
        return upload.read().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise DomainError("The file must be YAML text in UTF-8.", field="upload") from None


@login_required
@require_POST
def framework_import(request: AuthedRequest) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied("Only a manager can import competency frameworks.")
    text = request.POST.get("source_yaml", "")
    try:
        text = _uploaded_text(request)
        if not text.strip():
            raise DomainError("Paste the framework YAML or choose a file.", field="source_yaml")
        framework = import_framework(text, by=request.user, channel="web")
    except InvalidFramework as exc:
        errors = [{"text": problem_text(p), "href": "#source_yaml"} for p in exc.problems]
        context = _frameworks_context(request, errors=errors, text=text,
                                      text_error=f"{exc.message} Correct them and import again.")
        return render_page(request, "competencies/frameworks.html", context, status=400)
    except DomainError as exc:
        href = "#upload" if exc.field == "upload" else "#source_yaml"
        context = _frameworks_context(request, errors=[{"text": exc.message, "href": href}], text=text,
                                      text_error=exc.message)
        return render_page(request, "competencies/frameworks.html", context,
                           status=403 if isinstance(exc, NotAllowed) else 400)
    messages.success(request, f"{framework} imported with {framework.competencies.count()} competencies.")
    return redirect("competencies:frameworks")


@login_required
@require_GET
def framework_export(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_WORKLIST)
    framework = get_object_or_404(Framework, pk=pk)
    response = HttpResponse(framework.source_yaml, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(framework.name)}-v{framework.version}.yaml"'
    return response
