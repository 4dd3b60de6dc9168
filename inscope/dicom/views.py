"""The interface messages screen: quarantined and ignored objects, open interface messages and what arrived lately.

For the people who look after the interfaces (MANAGE_INTERFACES: administrators, medical physics experts and
radiation protection supervisors). Re-processing and "dealt with" go through ``inscope.dicom.inbox``; with htmx
the section that changed is sent back on its own, otherwise the page is redirected to.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from inscope.audit.services import history_for
from inscope.dicom import inbox
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.lib.errors import DomainError
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, require
from inscope.staff.requests import AuthedRequest

LIMIT = 200
RECENT = 50
SECTIONS = ("quarantined", "ignored", "messages", "recent")
State = ReceivedObject.State


def dose_study_url(pk: int | None) -> str:
    """The dose study page, or "" when there is none (or the dose pages are not installed)."""
    if pk is None:
        return ""
    try:
        return reverse("dose:study", args=[pk])
    except NoReverseMatch:
        return ""


def _objects() -> Any:
    # The stored bytes are never needed to list objects; they can be megabytes each.
    return ReceivedObject.objects.defer("data").select_related("dose_study")


def _context(**extra: Any) -> dict[str, Any]:
    counts = ReceivedObject.objects.aggregate(
        quarantined=Count("pk", filter=Q(state=State.QUARANTINED)),
        ignored=Count("pk", filter=Q(state=State.IGNORED)),
        waiting=Count("pk", filter=Q(state=State.RECEIVED)),
    )
    open_messages = (InterfaceMessage.objects.filter(dealt_with_at__isnull=True)
                     # a quarantined object's own message is handled on the quarantined tab
                     .exclude(received_object__state=State.QUARANTINED, level=InterfaceMessage.Level.ERROR)
                     .select_related("received_object", "performed_step__examination")
                     .defer("received_object__data"))
    open_errors = InterfaceMessage.objects.filter(dealt_with_at__isnull=True, level=InterfaceMessage.Level.ERROR)
    quarantined = list(_objects().filter(state=State.QUARANTINED)
                       .prefetch_related(Prefetch("messages", queryset=open_errors, to_attr="open_errors"))
                       .order_by("-received_at", "-id")[:LIMIT])
    return {
        "page_title": "Interfaces",
        "nav": "interfaces",
        "counts": {**counts, "messages": open_messages.count()},
        "quarantined": quarantined,
        "ignored": list(_objects().filter(state=State.IGNORED).order_by("-received_at", "-id")[:LIMIT]),
        "open_messages": list(open_messages.order_by("-at", "-id")[:LIMIT]),
        "recent": list(_objects().order_by("-received_at", "-id")[:RECENT]),
        "limit": LIMIT,
        "dose_study_url": dose_study_url,
        "notice": "",
        **extra,
    }


@login_required
@require_GET
def interfaces(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_INTERFACES)
    return render_page(request, "dicom/interfaces.html", _context())


@login_required
@require_GET
def received_object(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_INTERFACES)
    obj = _objects().filter(pk=pk).first()
    if obj is None:
        raise Http404("No such received object.")
    context = {
        "page_title": f"Received object {obj.sop_instance_uid}",
        "nav": "interfaces",
        "obj": obj,
        "object_messages": list(obj.messages.order_by("-at", "-id")),
        "history": list(history_for(obj)),
        "dose_study_url": dose_study_url,
    }
    return render_page(request, "dicom/object.html", context)


def _section(request: AuthedRequest) -> str:
    section = request.POST.get("section", "")
    return section if section in SECTIONS else ""


def _answer(request: AuthedRequest, section: str, notice: str, *, error: bool = False,
            next_url: str = "") -> HttpResponse:
    """The changed section for htmx, or a redirect back with the notice as a message."""
    if request.htmx and section:
        context = _context(notice=notice, notice_is_error=error)
        # 200 even for a refusal: htmx swaps only successful responses, and the section carries the alert.
        return render_page(request, "dicom/interfaces.html", context, block=section)
    (messages.error if error else messages.success)(request, notice)
    return redirect(next_url or reverse("dicom:interfaces") + (f"#{section}" if section else ""))


@login_required
@require_POST
def reprocess(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_INTERFACES)
    obj = ReceivedObject.objects.defer("data").filter(pk=pk).first()
    if obj is None:
        raise Http404("No such received object.")
    section = _section(request)
    next_url = reverse("dicom:object", args=[pk]) if request.POST.get("from") == "object" else ""
    try:
        outcome = inbox.reprocess(obj, by=request.user, channel="web")
    except DomainError as error:
        return _answer(request, section, error.message, error=True, next_url=next_url)
    if outcome.status == "error":
        notice = f"Re-processed {obj.sop_instance_uid}: still quarantined. {outcome.message}"
    elif outcome.status == "ignored":
        notice = f"Re-processed {obj.sop_instance_uid}: not a dose object, ignored. {outcome.message}"
    else:
        notice = f"Re-processed {obj.sop_instance_uid}: {outcome.status}. {outcome.message}".strip()
    return _answer(request, section, notice, error=outcome.status == "error", next_url=next_url)


@login_required
@require_POST
def dealt_with(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_INTERFACES)
    message = InterfaceMessage.objects.filter(pk=pk).first()
    if message is None:
        raise Http404("No such interface message.")
    section = _section(request)
    next_url = (reverse("dicom:object", args=[message.received_object_id])
                if request.POST.get("from") == "object" and message.received_object_id else "")
    try:
        inbox.mark_dealt_with(message, by=request.user, channel="web")
    except DomainError as error:
        return _answer(request, section, error.message, error=True, next_url=next_url)
    return _answer(request, section, f"Marked as dealt with: {message.summary}", next_url=next_url)
