"""The local policy screens: versions, one version read in full, writing and approving drafts. The matrix of who
can do what is one page with the grants and training, in inscope.competencies (/people/matrix/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inscope.department.models import Department
from inscope.lib.errors import DomainError
from inscope.lib.pages import render_page
from inscope.policy import matrix as policy_matrix
from inscope.policy.document import PolicyDocument, PolicyDocumentError, Problem
from inscope.policy.forms import ApproveForm, PolicyTextForm
from inscope.policy.models import PolicyVersion
from inscope.policy.services import InvalidPolicy, approve_policy, create_draft, document_for, in_force, update_draft
from inscope.staff.models import User
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

DEMO_POLICY = Path(__file__).resolve().parent / "demo_policy.yaml"


def department_for(user: User) -> Department | None:
    return user.department or Department.objects.order_by("pk").first()


def _version(request: AuthedRequest, pk: int) -> PolicyVersion:
    version = get_object_or_404(PolicyVersion.objects.select_related("department", "created_by", "approved_by"), pk=pk)
    if request.user.department_id and version.department_id != request.user.department_id:
        raise Http404("No such policy version in your department.")
    return version


def problem_text(problem: Problem) -> str:
    where = problem.location or "(document)"
    return f"Line {problem.line}: {where}: {problem.message}" if problem.line else f"{where}: {problem.message}"


@login_required
@require_GET
def version_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_POLICY)
    department = department_for(request.user)
    versions = (
        PolicyVersion.objects.filter(department=department).select_related("created_by", "approved_by")
        if department
        else PolicyVersion.objects.none()
    )
    return render_page(
        request,
        "policy/list.html",
        {"page_title": "Local policy", "nav": "policy", "department": department, "versions": versions},
    )


def _detail_context(request: AuthedRequest, version: PolicyVersion, **extra: Any) -> dict[str, Any]:
    try:
        document: PolicyDocument | None = document_for(version)
    except PolicyDocumentError:  # stored before a schema change; the YAML is still shown
        document = None
    today = timezone.localdate()
    people = []
    for person in document.people.values() if document else []:
        entitlements = [(e, policy_matrix.review_status(e, today)) for e in person.entitlements]
        people.append((person, entitlements))
    return {
        "page_title": f"Local policy {version.label}",
        "nav": "policy",
        "version": version,
        "document": document,
        "people": people,
        "in_force": in_force(version.department),
        "can_edit": version.status == PolicyVersion.Status.DRAFT and can(request.user, Action.EDIT_POLICY),
        "can_approve": version.status == PolicyVersion.Status.DRAFT and can(request.user, Action.APPROVE_POLICY),
        "errors": [],
        "note": "",
        "note_error": "",
        **extra,
    }


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_POLICY)
    version = _version(request, pk)
    return render_page(request, "policy/detail.html", _detail_context(request, version))


@login_required
@require_GET
def export(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_POLICY)
    version = _version(request, pk)
    response = HttpResponse(version.source_yaml, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(version)}"'
    return response


def export_filename(version: PolicyVersion) -> str:
    return f"{slugify(version.department.name)}-policy-v{version.number}.yaml"


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.APPROVE_POLICY)
    version = _version(request, pk)
    form = ApproveForm(request.POST)
    errors: list[dict[str, str]] = []
    if form.is_valid():
        previous = in_force(version.department)
        try:
            approve_policy(version, by=request.user, note=form.cleaned_data["note"], channel="web")
        except DomainError as exc:
            errors.append({"text": exc.message, "href": "#note"})
        else:
            text = f"Policy {version.label} approved and now in force."
            if previous is not None:
                text += f" {previous.label} is superseded."
            messages.success(request, text)
            return redirect("policy:detail", pk=version.pk)
    else:
        errors = [{"text": str(e), "href": "#note"} for e in form.errors.get("note", [])]
        errors += [{"text": str(e), "href": "#note"} for e in form.non_field_errors()]
    version.refresh_from_db()
    note_error = errors[0]["text"] if errors else ""
    context = _detail_context(request, version, errors=errors, note=request.POST.get("note", ""), note_error=note_error)
    return render_page(request, "policy/detail.html", context, status=400 if not form.is_valid() else 409)


def _starting_text(department: Department | None) -> str:
    current = in_force(department) if department else None
    return current.source_yaml if current else DEMO_POLICY.read_text(encoding="utf-8")


def _write(request: AuthedRequest, version: PolicyVersion | None) -> HttpResponse:
    """The form for a new draft (version None) or for editing a draft, and its submission."""
    department = version.department if version else department_for(request.user)
    if department is None:
        messages.error(request, "There is no department yet: create one in the admin first.")
        return redirect("policy:list")
    context: dict[str, Any] = {
        "page_title": f"Edit draft policy {version.label}" if version else "Start a new draft",
        "nav": "policy",
        "version": version,
        "department": department,
        "errors": [],
        "text_error": "",
        "upload_error": "",
    }
    if request.method != "POST":
        context["text"] = version.source_yaml if version else _starting_text(department)
        return render_page(request, "policy/edit.html", context)
    form = PolicyTextForm(request.POST, request.FILES)
    context["text"] = request.POST.get("source_yaml", "")
    if form.is_valid():
        text = form.cleaned_data["text"]
        context["text"] = text
        try:
            if version is None:
                saved = create_draft(department, source_yaml=text, by=request.user, channel="web")
            else:
                saved = update_draft(version, source_yaml=text, by=request.user, channel="web")
        except InvalidPolicy as exc:
            context["errors"] = [{"text": problem_text(p), "href": "#source_yaml"} for p in exc.problems]
            context["text_error"] = f"{exc.message} Correct them and save again."
        except DomainError as exc:
            context["errors"] = [{"text": exc.message, "href": "#source_yaml"}]
            context["text_error"] = exc.message
        else:
            verb = "saved" if version else "created"
            messages.success(
                request, f"Draft policy {saved.label} {verb}. Check it, then approve it to put it in force."
            )
            return redirect("policy:detail", pk=saved.pk)
    else:
        fields = (("upload", "#upload", "upload_error"), ("source_yaml", "#source_yaml", "text_error"))
        for field, anchor, key in fields:
            for error in form.errors.get(field, []):
                context["errors"].append({"text": str(error), "href": anchor})
                context[key] = str(error)
    return render_page(request, "policy/edit.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.EDIT_POLICY)
    return _write(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.EDIT_POLICY)
    version = _version(request, pk)
    if version.status != PolicyVersion.Status.DRAFT:
        messages.error(
            request,
            f"Policy {version.label} is {version.get_status_display().lower()} and cannot be edited: "
            "start a new draft instead.",
        )
        return redirect("policy:detail", pk=version.pk)
    return _write(request, version)
