"""The equipment pages: the register (per site and room, with what is due), a unit's page with its history and
the forms to report a fault, record a service event and return it to service, the forms to add and edit a unit,
a room's fault report (reached from the examination page) and the inventory export. Every change goes through
inscope.equipment.services, which checks who may make it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inscope.department.models import Department, Room, Site
from inscope.equipment import exports, services
from inscope.equipment.models import Accessory, Status, TestEquipment, Unit
from inscope.lib.errors import DomainError, NotAllowed
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

UNIT_FORM_FIELDS = {"place", "required", *services.DETAIL_FIELDS}
FAULT_STATUSES = [(Status.OUT_OF_SERVICE, "Out of service: it must not be used"),
                  (Status.RESTRICTED, "Restricted: a radiographer decides, examination by examination")]
UNIT_FORMS = {
    "fault": {"status", "description"},
    "service": {"kind", "note"},
    "return": {"signed_off_by", "note"},
}


def department_for(user: Any) -> Department | None:
    return user.department or Department.objects.order_by("pk").first()


def _department(request: AuthedRequest) -> Department:
    department = department_for(request.user)
    if department is None:
        raise Http404("No department is set up.")
    return department


def _errors(error: DomainError, form: str, fields: set[str]) -> tuple[list[dict[str, str]], str | None]:
    field = error.field if error.field in fields else None
    return [{"text": error.message, "href": f"#{form}-{field}" if field else f"#{form}"}], field


# --- The register ---------------------------------------------------------------------------------------------------


def _units(department: Department, site: Site | None = None) -> list[Unit]:
    units = Unit.objects.filter(department=department).select_related("site", "room")
    return list(units.filter(site=site) if site else units)


@login_required
@require_GET
def register(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.VIEW_EQUIPMENT)
    department = _department(request)
    sites = list(Site.objects.filter(department=department))
    site = next((s for s in sites if s.code == request.GET.get("site")), None)
    units = _units(department, site)
    places: dict[str, list[Unit]] = {}
    for unit in units:
        places.setdefault(unit.location, []).append(unit)
    accessories = Accessory.objects.filter(department=department).select_related("site", "room")
    return render_page(request, "equipment/register.html", {
        "page_title": "Equipment", "nav": "equipment", "department": department, "sites": sites, "site": site,
        "places": places, "today": timezone.localdate(), "due_tag": due_tag,
        "accessories": list(accessories.filter(site=site) if site else accessories),
        "test_equipment": list(TestEquipment.objects.filter(department=department)),
        "out_of_service": sum(u.status == Status.OUT_OF_SERVICE and not u.decommissioned_on for u in units),
        "can_manage": can(request.user, Action.MANAGE_EQUIPMENT),
    })


def _export_units(request: AuthedRequest) -> tuple[list[Unit], str]:
    require(request.user, Action.VIEW_EQUIPMENT)
    department = _department(request)
    return _units(department), department.name


def _download(content: str | bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"equipment-inventory-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def inventory_csv(request: AuthedRequest) -> HttpResponse:
    units, department = _export_units(request)
    text = exports.inventory_csv(units, department=department, by=request.user.username)
    return _download(text, "text/csv; charset=utf-8", "csv")


@login_required
@require_GET
def inventory_xlsx(request: AuthedRequest) -> HttpResponse:
    units, department = _export_units(request)
    body = exports.inventory_xlsx(units, department=department, by=request.user.username)
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


# --- A unit's page and its forms ------------------------------------------------------------------------------------


def _unit(request: AuthedRequest, pk: int) -> Unit:
    require(request.user, Action.VIEW_EQUIPMENT)
    return get_object_or_404(Unit.objects.select_related("site", "room", "department"),
                             pk=pk, department=_department(request))


def _unit_context(request: AuthedRequest, unit: Unit, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "page_title": unit.name, "nav": "equipment", "unit": unit,
        "events": list(unit.events.select_related("by").order_by("-at", "-id")),
        "open_faults": services.open_faults(unit),
        "can_report": can(user, Action.REPORT_FAULT, unit.site),
        "can_service": can(user, Action.MANAGE_EQUIPMENT, unit.site),
        "can_return": can(user, Action.RETURN_TO_SERVICE, unit.site),
        "fault_statuses": FAULT_STATUSES,
        "service_kinds": [(k.value, k.label) for k in services.SERVICE_EVENTS],
        "errors": [], "error_field": None, "form": "", "post": {},
        **extra,
    }


@login_required
@require_GET
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    return render_page(request, "equipment/unit.html", _unit_context(request, unit))


def _report(request: AuthedRequest, unit: Unit) -> str:
    services.report_fault(unit, status=request.POST.get("status", ""),
                          description=request.POST.get("description", ""), by=request.user, source="web")
    return f"Fault reported: {unit.name} is now {unit.get_status_display().lower()}."


def _service(request: AuthedRequest, unit: Unit) -> str:
    event = services.record_service_event(unit, kind=request.POST.get("kind", ""),
                                          note=request.POST.get("note", ""), by=request.user, source="web")
    return f"{event.get_kind_display()} recorded for {unit.name}."


def _return(request: AuthedRequest, unit: Unit) -> str:
    services.return_to_service(unit, signed_off_by=request.POST.get("signed_off_by", ""),
                               note=request.POST.get("note", ""), by=request.user, source="web")
    return f"{unit.name} is back in service."


WRITES: dict[str, Callable[[AuthedRequest, Unit], str]] = {"fault": _report, "service": _service, "return": _return}


@login_required
@require_POST
def unit_write(request: AuthedRequest, pk: int, form: str) -> HttpResponse:
    if form not in WRITES:
        raise Http404("No such form.")
    unit = _unit(request, pk)
    try:
        message = WRITES[form](request, unit)
    except DomainError as error:
        errors, field = _errors(error, form, UNIT_FORMS[form])
        unit.refresh_from_db()
        context = _unit_context(request, unit, errors=errors, error_field=field, form=form, post=request.POST)
        return render_page(request, "equipment/unit.html", context, status=403 if isinstance(error, NotAllowed)
                           else 400)
    messages.success(request, message)
    return redirect("equipment:unit", unit.pk)


# --- Reporting a fault from the examination page: the room's units --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def room_fault(request: AuthedRequest, room_pk: int) -> HttpResponse:
    require(request.user, Action.REPORT_FAULT)
    room = get_object_or_404(Room.objects.select_related("site"), pk=room_pk)
    units = list(Unit.objects.filter(room=room, decommissioned_on__isnull=True).select_related("site"))
    context: dict[str, Any] = {
        "page_title": f"Report a fault in {room.name}", "nav": "equipment", "room": room, "units": units,
        "back": request.GET.get("from", "") or request.POST.get("from", ""),
        "fault_statuses": FAULT_STATUSES,
        "errors": [], "error_field": None, "post": {},
    }
    if request.method == "POST":
        try:
            unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
            if unit is None:
                raise DomainError("Choose the unit that has the fault.", field="unit")
            message = _report(request, unit)
        except DomainError as error:
            errors, field = _errors(error, "fault", {"unit", "status", "description"})
            context.update(errors=errors, error_field=field, post=request.POST)
            return render_page(request, "equipment/room_fault.html", context, status=400)
        messages.success(request, message)
        return redirect("equipment:unit", unit.pk)
    return render_page(request, "equipment/room_fault.html", context)


# --- Adding and editing a unit --------------------------------------------------------------------------------------


def _place(data: QueryDict, department: Department) -> tuple[Site | None, Room | None]:
    """The form's location: "room-<id>" for a fixed unit, "site-<id>" for a mobile unit kept at a site."""
    kind, _, pk = data.get("place", "").partition("-")
    if kind == "room" and pk.isdigit():
        room = Room.objects.filter(pk=int(pk), site__department=department).select_related("site").first()
        if room:
            return room.site, room
    if kind == "site" and pk.isdigit():
        site = Site.objects.filter(pk=int(pk), department=department).first()
        if site:
            return site, None
    raise DomainError("Choose the room, or for a mobile unit the site it is kept at.", field="place")


def _details(data: QueryDict) -> dict[str, Any]:
    fields = [f for f in services.DETAIL_FIELDS if f != "required"]
    return {**{f: data.get(f, "") for f in fields}, "required": data.get("required") == "yes"}


def _form_context(request: AuthedRequest, department: Department, unit: Unit | None, **extra: Any) -> dict[str, Any]:
    return {
        "page_title": f"Edit {unit.name}" if unit else "Add a unit", "nav": "equipment", "unit": unit,
        "kinds": Unit.Kind.choices, "rooms": list(Room.objects.filter(site__department=department)
                                                  .select_related("site")),
        "sites": list(Site.objects.filter(department=department)), "errors": [], "error_field": None,
        "post": {}, **extra,
    }


def _initial(unit: Unit) -> dict[str, Any]:
    values = {f: getattr(unit, f) for f in services.DETAIL_FIELDS}
    values["installed_on"] = unit.installed_on.isoformat()
    values["required"] = "yes" if unit.required else ""
    values["place"] = f"room-{unit.room_id}" if unit.room_id else f"site-{unit.site_id}"
    return values


@login_required
@require_http_methods(["GET", "POST"])
def unit_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.MANAGE_EQUIPMENT)
    department = _department(request)
    unit = _unit(request, pk) if pk else None
    if request.method == "GET":
        post = _initial(unit) if unit else {"required": "yes", "installed_on": ""}
        return render_page(request, "equipment/unit_form.html", _form_context(request, department, unit, post=post))
    try:
        if unit is None:
            site, room = _place(request.POST, department)
            unit = services.register_unit(department=department, site=site, room=room, by=request.user,
                                          source="web", **_details(request.POST))
            message = f"{unit.name} added to the register, in service."
        else:
            unit = services.update_unit(unit, by=request.user, source="web", **_details(request.POST))
            message = f"{unit.name} updated."
    except DomainError as error:
        errors, field = _errors(error, "unit", UNIT_FORM_FIELDS)
        context = _form_context(request, department, unit, errors=errors, error_field=field, post=request.POST)
        return render_page(request, "equipment/unit_form.html", context, status=400)
    messages.success(request, message)
    return redirect(reverse("equipment:unit", args=[unit.pk]))


def due_tag(due: dt.date | None, today: dt.date) -> tuple[str, str]:
    """(text, colour) for a screening or calibration due date: overdue red, within 30 days yellow."""
    if due is None:
        return "Not recorded", "grey"
    if due < today:
        return f"Overdue since {due:%d %b %Y}", "red"
    if (due - today).days <= 30:
        return f"Due {due:%d %b %Y}", "yellow"
    return f"Due {due:%d %b %Y}", "green"
