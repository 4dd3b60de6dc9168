"""Diagnostic reference levels: the national sets as loaded, local DRLs with their approval, and the links from
local protocols to national DRLs; with the forms to propose, approve, withdraw and link (each through the DRL
service, which enforces who may do what, e.g. that nobody approves their own proposal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inscope.department.models import Department, Room
from inscope.dose import forms
from inscope.dose.audit import SCALE, UNITS, fmt
from inscope.dose.models import DrlSet, ProtocolDrlLink, Quantity, ReferenceLevel
from inscope.dose.services import drls as drl_services
from inscope.dose.views.common import department_for
from inscope.lib.errors import DomainError, NotAllowed
from inscope.lib.pages import render_page
from inscope.policy.document import ProtocolEntry
from inscope.policy.services import document_for, in_force
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

FORM_FIELDS = {
    "propose": {"protocol_code", "quantity", "value", "unit", "room", "station_ae_title", "effective_from", "source"},
    "withdraw": {"reason"},
    "link": {"protocol_code", "reference_level"},
    "approve": set(),
}


def policy_protocols(department: Department | None) -> tuple[list[ProtocolEntry], str]:
    """The protocols of the policy in force, and its label ("" when none is in force)."""
    version = in_force(department) if department else None
    if version is None:
        return [], ""
    return list(document_for(version).protocols.values()), version.label


def shown_value(level: ReferenceLevel) -> str:
    quantity = Quantity(level.quantity)
    return f"{fmt(level.value * SCALE[quantity])} {UNITS[quantity]}"


def _context(request: AuthedRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    department = department_for(user)
    protocols, policy_label = policy_protocols(department)
    local = ReferenceLevel.objects.filter(scope=ReferenceLevel.Scope.LOCAL).select_related(
        "room__site", "proposed_by", "approved_by").order_by("protocol_code", "quantity", "-effective_from", "-id")
    links = ProtocolDrlLink.objects.select_related("reference_level__drl_set", "created_by").order_by(
        "protocol_code", "id")
    if department is not None:
        local = local.filter(department=department)
        links = links.filter(department=department)
    sets = DrlSet.objects.select_related("loaded_by").prefetch_related(
        Prefetch("levels", queryset=ReferenceLevel.objects.order_by("modality", "examination", "quantity", "id")))
    current = next((s for s in sets if s.is_current), None)
    return {
        "page_title": "Diagnostic reference levels",
        "nav": "dose",
        "department": department,
        "sets": list(sets),
        "current_set": current,
        "local_levels": list(local),
        "links": list(links),
        "protocols": protocols,
        "policy_label": policy_label,
        "rooms": list(Room.objects.select_related("site")),
        "quantities": Quantity.choices,
        "units": forms.DRL_UNITS,
        "national_levels": list(current.levels.all()) if current else [],
        "shown_value": shown_value,
        "can_propose": can(user, Action.PROPOSE_DRL),
        "can_approve": can(user, Action.APPROVE_DRL),
        "errors": [],
        "error_field": None,
        "form": "",
        "form_pk": None,
        "post": {},
        **extra,
    }


@login_required
@require_GET
def drl_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_DOSE_AUDIT)
    return render_page(request, "dose/drls.html", _context(request))


def _local_level(pk: int) -> ReferenceLevel:
    level = ReferenceLevel.objects.filter(pk=pk, scope=ReferenceLevel.Scope.LOCAL).first()
    if level is None:
        raise Http404("No such local DRL.")
    return level


def _propose(request: AuthedRequest, pk: int | None) -> str:
    require(request.user, Action.PROPOSE_DRL)
    department = department_for(request.user)
    protocols, _ = policy_protocols(department)
    if department is None or not protocols:
        raise DomainError("There is no policy in force, so no protocol to set a DRL for.", field="protocol_code")
    p = forms.proposal(request.POST, [e.code for e in protocols])
    level = drl_services.propose_local_drl(
        department=department, protocol_code=p.protocol_code, quantity=p.quantity, value=p.value, unit=p.unit,
        room=p.room, station_ae_title=p.station_ae_title, effective_from=p.effective_from, source=p.source,
        by=request.user)
    return f"Local DRL for {level.protocol_code} proposed ({shown_value(level)}); it needs approval before it is used."


def _approve(request: AuthedRequest, pk: int | None) -> str:
    require(request.user, Action.APPROVE_DRL)
    level = _local_level(pk or 0)
    drl_services.approve_local_drl(level, by=request.user)
    return f"Local DRL for {level.protocol_code} approved ({shown_value(level)})."


def _withdraw(request: AuthedRequest, pk: int | None) -> str:
    if not (can(request.user, Action.APPROVE_DRL) or can(request.user, Action.PROPOSE_DRL)):
        raise PermissionDenied("Your role does not allow you to withdraw a DRL.")
    level = _local_level(pk or 0)
    reason = forms.text(request.POST, "reason", "Reason for withdrawing", limit=400)
    drl_services.withdraw_local_drl(level, by=request.user, reason=reason)
    return f"Local DRL for {level.protocol_code} withdrawn."


def _link(request: AuthedRequest, pk: int | None) -> str:
    require(request.user, Action.PROPOSE_DRL)
    department = department_for(request.user)
    protocols, _ = policy_protocols(department)
    if department is None or not protocols:
        raise DomainError("There is no policy in force, so no protocol to link.", field="protocol_code")
    code = forms.choice(request.POST, "protocol_code", "Protocol", [e.code for e in protocols])
    level = forms.national_level(request.POST)
    drl_services.link_protocol_to_national(department=department, protocol_code=code, reference_level=level,
                                           by=request.user)
    return f"{code} is now compared with the national DRL {level.examination} ({shown_value(level)})."


WRITES: dict[str, Callable[[AuthedRequest, int | None], str]] = {
    "propose": _propose,
    "approve": _approve,
    "withdraw": _withdraw,
    "link": _link,
}


def _write(request: AuthedRequest, form: str, pk: int | None = None) -> HttpResponse:
    try:
        message = WRITES[form](request, pk)
    except DomainError as error:
        field = error.field if error.field in FORM_FIELDS[form] else None
        suffix = f"-{pk}" if pk else ""
        href = f"#{form}{suffix}-{field}" if field else f"#{form}{suffix}"
        context = _context(request, errors=[{"text": error.message, "href": href}], error_field=field, form=form,
                           form_pk=pk, post=request.POST)
        return render_page(request, "dose/drls.html", context, status=403 if isinstance(error, NotAllowed) else 400)
    messages.success(request, message)
    return redirect(reverse("dose:drls") + ("#local" if form != "link" else "#links"))


@login_required
@require_POST
def propose(request: AuthedRequest) -> HttpResponse:
    return _write(request, "propose")


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _write(request, "approve", pk)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    return _write(request, "withdraw", pk)


@login_required
@require_POST
def link(request: AuthedRequest) -> HttpResponse:
    return _write(request, "link")
