"""REST endpoints for the equipment register: list and read units, report a fault, return a unit to service.

Mounted at /api/v1/equipment/. Changes go through inscope.equipment.services, which checks the caller's role.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from inscope.department.models import Site
from inscope.equipment import services
from inscope.equipment.models import Unit
from inscope.equipment.schemas import FaultIn, ReturnIn, UnitOut, UnitsQuery
from inscope.lib.api_errors import ErrorOut, ValidationErrorOut
from inscope.staff.models import User
from inscope.staff.permissions import Action, can, require

router = Router(tags=["Equipment"])
SOURCE = "api"


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _out(unit: Unit) -> dict[str, Any]:
    return {
        **{f: getattr(unit, f) for f in ("id", "name", "kind", "manufacturer", "model", "serial_number",
                                         "installed_on", "decommissioned_on", "station_name", "device_serial_number",
                                         "ae_title", "required", "status", "status_reason", "status_since")},
        "site": unit.site.code, "room": unit.room.name if unit.room else None,
    }


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    user = _user(request)
    require(user, Action.VIEW_EQUIPMENT)
    unit = get_object_or_404(Unit.objects.select_related("site", "room"), pk=unit_id)
    if not can(user, Action.VIEW_EQUIPMENT, unit.site):
        raise Http404("No such unit.")  # another site's register looks the same as none, so IDs cannot be probed
    return unit


@router.get("/units", response={200: list[UnitOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut})
def list_units(request: HttpRequest, filters: Query[UnitsQuery]) -> list[dict[str, Any]]:
    """The register's units, filtered by site code, room id and status."""
    user = _user(request)
    require(user, Action.VIEW_EQUIPMENT)
    sites = [s for s in Site.objects.all() if can(user, Action.VIEW_EQUIPMENT, s)]  # where the caller works
    units = Unit.objects.filter(site__in=sites).select_related("site", "room")
    if filters.site:
        units = units.filter(site__code=filters.site)
    if filters.room:
        units = units.filter(room_id=filters.room)
    if filters.status:
        units = units.filter(status=filters.status)
    return [_out(u) for u in units]


@router.get("/units/{unit_id}", response={200: UnitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def get_unit(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    return _out(_unit(request, unit_id))


@router.post("/units/{unit_id}/fault", response={200: UnitOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                                 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut})
def report_fault(request: HttpRequest, unit_id: int, payload: FaultIn) -> dict[str, Any]:
    """Report a fault: the unit is restricted or out of service at once."""
    unit = services.report_fault(_unit(request, unit_id), status=payload.status, description=payload.description,
                                 by=_user(request), source=SOURCE)
    return _out(unit)


@router.post("/units/{unit_id}/return-to-service", response={
    200: UnitOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut})
def return_to_service(request: HttpRequest, unit_id: int, payload: ReturnIn) -> dict[str, Any]:
    """Return a unit to service, signed off by a named person; refused (409) while a fault has no service event."""
    unit = services.return_to_service(_unit(request, unit_id), signed_off_by=payload.signed_off_by,
                                      note=payload.note, by=_user(request), source=SOURCE)
    return _out(unit)
