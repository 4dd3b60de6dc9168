"""The AP's screens: the worklist and the examination, from checks to completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from inscope.audit.services import history_for
from inscope.department.models import Site
from inscope.exams import forms, services
from inscope.exams.access import get_examination_for_user
from inscope.exams.facts import latest_checklist
from inscope.exams.models import Examination
from inscope.exams.mri_screening import questions
from inscope.exams.services.completion import DAP_UNITS, REPEAT_REASONS
from inscope.lib.errors import DomainError, OutsideScope
from inscope.lib.pages import render_page
from inscope.policy.services import document_for, in_force
from inscope.rules.decisions import Outcome
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

OPEN = Examination.Status.SCHEDULED, Examination.Status.ESCALATED, Examination.Status.AUTHORISED


def _sites_for(user) -> list[Site]:
    sites = Site.objects.select_related("department").order_by("name")
    return [s for s in sites if can(user, Action.VIEW_WORKLIST, s)]


@login_required
def worklist(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_WORKLIST)
    sites = _sites_for(request.user)
    site = next((s for s in sites if s.code == request.GET.get("site")), sites[0] if sites else None)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    exams = (
        Examination.objects.filter(site=site).on_day(day)
        .select_related("patient", "room", "operator").order_by("scheduled_at", "id")
    )
    status = request.GET.get("status", "")
    if status in Examination.Status.values:
        exams = exams.filter(status=status)
    version = _worklist_version(exams)
    if request.htmx and request.headers.get("X-Worklist-Version") == version:
        return HttpResponse(status=204)  # the 10-second poll: nothing changed, so nothing to send or swap
    context = {"page_title": "Worklist", "nav": "worklist", "exams": exams, "sites": sites, "site": site, "day": day,
               "status": status, "statuses": Examination.Status.choices, "version": version}
    return render_page(request, "exams/worklist.html", context, block="rows")


def _worklist_version(exams: QuerySet[Examination]) -> str:
    """Return a token that changes whenever a row of the worklist could: a new examination or a new event."""
    seen = exams.order_by().aggregate(count=Count("id", distinct=True), last=Max("id"), event=Max("events__id"))
    return f"{seen['count']}-{seen['last'] or 0}-{seen['event'] or 0}"


def _detail_context(request: AuthedRequest, exam: Examination, **extra: Any) -> dict[str, Any]:
    user = request.user
    version = in_force(exam.department)
    entry = document_for(version).protocols.get(exam.protocol_code) if version else None
    preview = None
    if exam.status in (Examination.Status.SCHEDULED,) and can(user, Action.PERFORM_EXAMINATION, exam.site):
        preview = services.evaluate_examination(exam, operator=user)
    return {
        "page_title": f"{exam.protocol_name} for {exam.patient}",
        "nav": "worklist",
        "exam": exam,
        "patient": exam.patient,
        "age": exam.patient.age_on(timezone.localdate()),
        "protocol": entry,
        "preview": preview,
        "answers": latest_checklist(exam),
        "required_checks": set(
            preview.required_checks if preview else (exam.decision or {}).get("required_checks", [])
        ),
        "mri_questions": questions(),
        "can_perform": can(user, Action.PERFORM_EXAMINATION, exam.site),
        "can_justify": can(user, Action.JUSTIFY_REQUEST, exam.site),
        "is_operator": exam.operator_id == user.pk,
        "open_statuses": OPEN,
        # Each escalation lists who it went to: one query for all their recipients, not one per escalation.
        "escalations": exam.escalations.select_related("raised_by", "resolved_by").prefetch_related("recipients")
        .order_by("-raised_at"),
        "events": exam.events.select_related("by").order_by("at", "id"),
        "exposures": exam.exposures.all(),
        "audit": history_for(exam),
        "dap_units": list(DAP_UNITS),
        "repeat_reasons": REPEAT_REASONS,
        "exposure_rows": range(forms.EXPOSURE_ROWS),
        "Outcome": Outcome,
        **extra,
    }


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    return render_page(request, "exams/detail.html", _detail_context(request, exam))


def _redisplay(request: AuthedRequest, exam: Examination, error: DomainError, form: str) -> HttpResponse:
    """Show the examination again with the error summary, keeping what was typed."""
    exam.refresh_from_db()
    errors = [{"text": error.message, "href": f"#{error.field or form}"}]
    context = _detail_context(request, exam, errors=errors, error_field=error.field, post=request.POST, form=form)
    if isinstance(error, OutsideScope):
        context["refusal"] = error.decision
    return render_page(request, "exams/detail.html", context, status=400)


@login_required
@require_POST
def checklist(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    try:
        services.record_checklist(exam, forms.checklist_answers(request.POST), by=request.user, source="web")
    except DomainError as error:
        return _redisplay(request, exam, error, "checklist")
    messages.success(request, "Pre-examination checks saved.")
    return redirect(exam)


@login_required
@require_POST
def justify(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    choice = request.POST.get("justification", "")
    try:
        if choice not in ("justified", "authorised", "declined"):
            raise DomainError("Choose whether the exposure is justified, authorised under guidelines, or not "
                              "justified.", field="justification")
        exam = services.justify_request(exam, by=request.user, source="web", authorised=choice == "authorised",
                                        declined=choice == "declined", note=request.POST.get("justification_note", ""))
    except DomainError as error:
        return _redisplay(request, exam, error, "justify")
    if exam.justification == Examination.Justification.DECLINED:
        messages.warning(request, "Recorded: the exposure is not justified. It must not go ahead.")
    else:
        messages.success(request, f"Recorded: {exam.get_justification_display().lower()}.")
    return redirect(exam)


@login_required
@require_POST
def start(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    try:
        result = services.start_examination(exam, by=request.user, source="web")
    except DomainError as error:
        return _redisplay(request, exam, error, "start")
    outcome = result.decision.outcome
    if outcome is Outcome.PROCEED:
        messages.success(request, "Within your scope of practice: you may perform the examination.")
    elif outcome is Outcome.ESCALATE:
        names = ", ".join(p.name for p in result.escalation.recipients.all()) if result.escalation else ""
        messages.warning(request, f"Escalated to {names}. Do not start until a radiographer responds.")
    else:
        messages.error(request, "Stopped: the examination must not go ahead. See the reasons below.")
    return redirect(exam)


@login_required
@require_POST
def escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    try:
        escalation = services.escalate_examination(exam, by=request.user, source="web",
                                                   note=request.POST.get("note", ""))
    except DomainError as error:
        return _redisplay(request, exam, error, "escalate")
    names = ", ".join(p.name for p in escalation.recipients.all()) or "the radiographer on duty"
    messages.warning(request, f"Escalated to {names}.")
    return redirect(exam)


@login_required
@require_POST
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    try:
        exam = services.complete_examination(
            exam, by=request.user, source="web", exposures=forms.exposures(request.POST),
            images_count=forms.images_count(request.POST), aftercare=request.POST.get("aftercare", ""),
            notes=request.POST.get("notes", ""),
        )
    except DomainError as error:
        return _redisplay(request, exam, error, "complete")
    if exam.drl_exceeded:
        messages.warning(request, f"Completed. The total DAP is above the DRL of {exam.drl_value} Gy·cm²: "
                                  "this is flagged for dose review.")
    else:
        messages.success(request, "Examination completed.")
    return redirect(exam)


@login_required
@require_POST
def finding(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = get_examination_for_user(request.user, pk, channel="web")
    try:
        escalation = services.flag_finding(exam, by=request.user, source="web", note=request.POST.get("note", ""))
    except DomainError as error:
        return _redisplay(request, exam, error, "finding")
    names = ", ".join(p.name for p in escalation.recipients.all()) or "the radiographer on duty"
    messages.warning(request, f"Finding escalated urgently to {names}.")
    return redirect(exam)


@login_required
def new_request(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.CREATE_REQUEST)
    sites = list(Site.objects.select_related("department").prefetch_related("rooms"))
    department = request.user.department or (sites[0].department if sites else None)
    version = in_force(department) if department else None
    protocols = sorted(document_for(version).protocols.values(), key=lambda p: p.rule.name) if version else []
    context: dict[str, Any] = {"page_title": "New examination request", "nav": "worklist", "sites": sites,
                               "protocols": protocols, "post": request.POST}
    if request.method == "POST":
        try:
            data = forms.request_input(request.POST)
            if department is None:  # no department, so no policy in force (as create_request would say)
                raise DomainError("No approved policy is in force, so the protocol cannot be checked.")
            exam = services.create_request(department, data, by=request.user, source="web")
        except DomainError as error:
            context["errors"] = [{"text": error.message, "href": f"#{error.field or 'nhs_number'}"}]
            context["error_field"] = error.field
            return render_page(request, "exams/new_request.html", context, status=400)
        messages.success(request, f"Request {exam.accession_number} added to the worklist.")
        return redirect(exam)
    return render_page(request, "exams/new_request.html", context)
