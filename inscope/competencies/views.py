"""The people pages: the staff list and each person's development portfolio, with its forms.

Every write goes through a service with channel "web"; a refusal is shown in the NHS error summary (400, or 403
when the person may not take the action) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from inscope.competencies import forms, portfolio, services
from inscope.competencies.access import (
    PORTFOLIO_ROLES,
    is_assessor,
    may_keep_entitlement_record,
    may_view_portfolio,
    oversees,
    person_for,
    read_portfolio,
)
from inscope.competencies.models import CpdEntry, Evidence, Grant, SignOff, TrainingRecord
from inscope.competencies.queries import competencies_for, grant_conditions
from inscope.competencies.services.evidence import SELF_RECORDABLE
from inscope.department.models import Department
from inscope.lib.errors import DomainError, NotAllowed
from inscope.lib.pages import render_page
from inscope.policy.document import PolicyDocument
from inscope.policy.limits import describe_conditions
from inscope.policy.matrix import review_status
from inscope.policy.services import document_for, in_force
from inscope.staff.models import User
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

DATE_FIELDS = {"occurred_on", "review_date", "completed_on", "renew_on"}


def department_for(user: User) -> Department | None:
    return user.department or Department.objects.order_by("pk").first()


def policy_document(person: User) -> tuple[PolicyDocument | None, str]:
    department = department_for(person)
    version = in_force(department) if department else None
    return (document_for(version), version.label) if version else (None, "")


def role_words(user: User) -> str:
    return ", ".join(sorted(r.value.replace("_", " ") for r in user.all_roles())) or "no role"


@login_required
@require_GET
def people(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_WORKLIST)
    staff = (
        User.objects.filter(is_active=True, role_assignments__role__in=[r.value for r in PORTFOLIO_ROLES])
        .prefetch_related("role_assignments")
        .distinct()
        .order_by("display_name", "username")
    )
    rows = [(p, role_words(p), portfolio.framework_labels(p)) for p in staff if may_view_portfolio(request.user, p)]
    context = {"page_title": "People", "nav": "people", "rows": rows, "oversees": oversees(request.user),
               "keeps_record": may_keep_entitlement_record(request.user)}
    return render_page(request, "competencies/people.html", context)


def _portfolio_context(request: AuthedRequest, person: User, **extra: Any) -> dict[str, Any]:
    viewer, today = request.user, timezone.localdate()
    is_self = viewer.pk == person.pk
    document, label = policy_document(person)
    entry = document.people.get(person.username) if document else None
    current_form, error_field = extra.get("form", ""), extra.get("error_field")
    post = extra.get("post") or {}

    def field_error(form: str, name: str) -> dict[str, str] | None:
        errors = extra.get("errors") or []
        return {"text": errors[0]["text"]} if errors and form == current_form and name == error_field else None

    def posted(form: str, name: str, default: str = "") -> str:
        return post.get(name, default) if form == current_form else default

    def posted_list(form: str, name: str) -> list[str]:
        return post.getlist(name) if form == current_form and hasattr(post, "getlist") else []

    kinds = [(k, label_) for k, label_ in Evidence.Kind.choices if k != Evidence.Kind.OBSERVED]
    if is_self:
        kinds = [(k, label_) for k, label_ in kinds if k in SELF_RECORDABLE]
    return {
        "page_title": f"{person} – portfolio",
        "nav": "people",
        "person": person,
        "roles": role_words(person),
        "frameworks": portfolio.framework_labels(person),
        "today": today,
        "statuses": portfolio.competency_statuses(person, today),
        "evidence": Evidence.objects.filter(person=person).select_related("competency", "recorded_by"),
        "sign_offs": SignOff.objects.filter(person=person).select_related("competency", "assessor"),
        "grants": portfolio.grant_statuses(person, today),
        "grant_history": [(g, describe_conditions(grant_conditions(g))) for g in Grant.objects.filter(person=person)
                          .select_related("granted_by").order_by("-recorded_at", "-id")],
        "policy_label": label,
        "policy_entitlements": [(e, review_status(e, today)) for e in entry.entitlements] if entry else [],
        "protocols": list(document.protocols.values()) if document else [],
        "training": portfolio.training_statuses(person, today),
        "training_history": TrainingRecord.objects.filter(person=person).select_related("recorded_by")
        .order_by("-completed_on", "-id"),
        "courses": TrainingRecord.Course.choices,
        "cpd": CpdEntry.objects.filter(person=person),
        "cpd_hours": portfolio.cpd_hours(person, today),
        "progress": portfolio.pathway_progress(person, today),
        "competencies": competencies_for(person),
        "kinds": kinds,
        "is_self": is_self,
        "can_add_evidence": is_self or is_assessor(viewer) or can(viewer, Action.EDIT_POLICY),
        "can_sign_off": not is_self and is_assessor(viewer),
        "can_revoke_sign_off": not is_self and (is_assessor(viewer) or can(viewer, Action.EDIT_POLICY)),
        "can_entitle": not is_self and can(viewer, Action.APPROVE_POLICY),
        "can_add_training": is_self or can(viewer, Action.EDIT_POLICY),
        "can_add_cpd": is_self,
        "field_error": field_error,
        "posted": posted,
        "posted_list": posted_list,
        "condition_choices": forms.CONDITION_CHOICES,
        "errors": [],
        "form": "",
        **extra,
    }


@login_required
@require_GET
def person_portfolio(request: AuthedRequest, username: str) -> HttpResponse:
    person = read_portfolio(request.user, username, action="portfolio.viewed", what="Viewed the portfolio")
    return render_page(request, "competencies/portfolio.html", _portfolio_context(request, person))


# --- Writes -----------------------------------------------------------------------------------------------------------


def _evidence(request: AuthedRequest, person: User) -> str:
    post = request.POST
    kind = forms.choice_field(post, "kind", "Kind of evidence",
                              [k for k in Evidence.Kind.values if k != Evidence.Kind.OBSERVED])
    competency = forms.competency_field(post, competencies_for(person))
    occurred_on = forms.date_field(post, "occurred_on", "Date")
    description = forms.text_field(post, "description", "Description")
    evidence = services.record_evidence(person, competency, kind=kind, occurred_on=occurred_on,
                                        description=description, by=request.user, channel="web",
                                        upload=request.FILES.get("file"))
    return f"{evidence.get_kind_display()} recorded for {competency.code}."


def _sign_off(request: AuthedRequest, person: User) -> str:
    competency = forms.competency_field(request.POST, competencies_for(person))
    sign_off = services.sign_off_competency(person, competency, by=request.user, channel="web",
                                            note=forms.text_field(request.POST, "note", "Note", required=False))
    until = f" until {sign_off.expires_on:%d %B %Y}" if sign_off.expires_on else ""
    return f"{competency.code} signed off for {person}{until}."


def _revoke_sign_off(request: AuthedRequest, person: User) -> str:
    competency = forms.competency_field(request.POST, competencies_for(person))
    services.revoke_sign_off(person, competency, by=request.user, channel="web",
                             reason=request.POST.get("reason", ""))
    return f"The sign-off of {competency.code} is revoked, with immediate effect."


def _entitle(request: AuthedRequest, person: User) -> str:
    department = department_for(person)
    if department is None:
        raise DomainError("There is no department, so no policy in force.", field="protocol_code")
    code = request.POST.get("protocol_code", "").strip()
    if not code:
        raise DomainError("Choose the protocol.", field="protocol_code")
    review_date = forms.date_field(request.POST, "review_date", "Review date")
    conditions = forms.conditions_field(request.POST)
    grant = services.grant_entitlement(person, code, review_date=review_date, by=request.user, channel="web",
                                       department=department, conditions=conditions)
    described = describe_conditions(grant_conditions(grant))
    return (f"{person} is entitled as operator for {code} until {review_date:%d %B %Y}"
            + (f", with conditions: {described}." if described else "."))


def _revoke_entitlement(request: AuthedRequest, person: User) -> str:
    code = request.POST.get("protocol_code", "").strip()
    services.revoke_entitlement(person, code, by=request.user, channel="web", reason=request.POST.get("reason", ""))
    return f"{person}'s entitlement for {code} is revoked, with immediate effect."


def _training(request: AuthedRequest, person: User) -> str:
    course = forms.choice_field(request.POST, "course", "Course", list(TrainingRecord.Course.values))
    completed_on = forms.date_field(request.POST, "completed_on", "Completion date")
    renew_on = forms.optional_date(request.POST, "renew_on", "Renewal date")
    record = services.record_training(person, course=course, completed_on=completed_on, renew_on=renew_on,
                                      by=request.user, channel="web")
    return f"{record.get_course_display()} training recorded."


def _cpd(request: AuthedRequest, person: User) -> str:
    if request.user.pk != person.pk:
        raise NotAllowed("People record their own CPD.")
    occurred_on = forms.date_field(request.POST, "occurred_on", "Date")
    entry = services.add_cpd_entry(person, occurred_on=occurred_on, title=request.POST.get("title", ""),
                                   hours=request.POST.get("hours", "").strip(),
                                   reflection=forms.text_field(request.POST, "reflection", "Reflection",
                                                               required=False, limit=5000),
                                   by=request.user, channel="web")
    return f"CPD recorded: {entry.title}."


WRITES: dict[str, tuple[Callable[[AuthedRequest, User], str], str]] = {
    "evidence": (_evidence, "evidence"),
    "sign-off": (_sign_off, "competencies"),
    "revoke-sign-off": (_revoke_sign_off, "competencies"),
    "entitle": (_entitle, "entitlements"),
    "revoke-entitlement": (_revoke_entitlement, "entitlements"),
    "training": (_training, "training"),
    "cpd": (_cpd, "cpd"),
}


def error_href(form: str, field: str | None) -> str:
    if field is None:
        return f"#{form}"
    return f"#{form}-{field}-day" if field in DATE_FIELDS else f"#{form}-{field}"


@login_required
@require_POST
def write(request: AuthedRequest, username: str, form: str) -> HttpResponse:
    if form not in WRITES:
        raise Http404("No such form.")
    person = person_for(request.user, username)
    action, anchor = WRITES[form]
    try:
        message = action(request, person)
    except DomainError as error:
        field = error.field if error.field in _fields(form) else None
        errors = [{"text": error.message, "href": error_href(form, field)}]
        context = _portfolio_context(request, person, errors=errors, error_field=field, form=form, post=request.POST)
        return render_page(request, "competencies/portfolio.html", context,
                           status=403 if isinstance(error, NotAllowed) else 400)
    messages.success(request, message)
    return redirect(reverse("competencies:portfolio", args=[person.username]) + f"#{anchor}")


def _fields(form: str) -> set[str]:
    """The fields each form shows, so an error names one that is on the page."""
    return {
        "evidence": {"kind", "competency", "occurred_on", "description", "file"},
        "sign-off": {"competency", "note"},
        "revoke-sign-off": {"competency", "reason"},
        "entitle": {"protocol_code", "review_date", *forms.CONDITION_FIELDS},
        "revoke-entitlement": {"protocol_code", "reason"},
        "training": {"course", "completed_on", "renew_on"},
        "cpd": {"occurred_on", "title", "hours", "reflection"},
    }[form]
