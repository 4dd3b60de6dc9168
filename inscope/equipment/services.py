"""Every change to the equipment register: one function per change. Each locks the unit's row, checks the
person's permission, validates everything before saving anything, saves, and appends a UnitEvent and an audit
entry, all in one transaction.

Return to service (the rule): a unit goes back into service only with a named person signing it off and a note,
and only when every fault reported since it last returned to service is followed by a service event (an
engineer visit or planned maintenance) recorded after it. A status set by the QA checks (set_unit_status)
without a fault report needs only the sign-off; the QA module will add its return-to-service checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from inscope.audit.models import AuditEvent
from inscope.audit.services import record
from inscope.department.models import Department, Room, Site
from inscope.equipment.models import Status, Unit, UnitEvent
from inscope.lib.errors import DomainError, InvalidTransition
from inscope.staff.models import User
from inscope.staff.permissions import Action, require

Event = UnitEvent.Kind
SERVICE_EVENTS = (Event.ENGINEER_VISIT, Event.PLANNED_MAINTENANCE)
NOT_IN_SERVICE = (Status.RESTRICTED, Status.OUT_OF_SERVICE)
DETAIL_FIELDS = ("kind", "name", "manufacturer", "model", "serial_number", "installed_on", "station_name",
                 "device_serial_number", "ae_title", "required")
LIMITS = {"name": 120, "manufacturer": 120, "model": 120, "serial_number": 64, "station_name": 64,
          "device_serial_number": 64}
LABELS = {"name": "Name", "manufacturer": "Manufacturer", "model": "Model", "serial_number": "Serial number",
          "station_name": "Station name", "device_serial_number": "Device serial number"}
OPTIONAL = {"station_name", "device_serial_number"}


def _channel(source: str) -> str:
    return source if source in AuditEvent.Channel.values else AuditEvent.Channel.SYSTEM


def _text(value: Any, field: str, label: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(f"Enter the {label.lower()}.", field=field)
    if len(text) > limit:
        raise DomainError(f"{label} must be {limit} characters or fewer.", field=field)
    return text


def _date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(f"{label} must be a real date, like 2026-11-28.", field=field) from None


def ae_title(value: Any) -> str:
    """An AE title as inscope.dose stores a station's: stripped, upper case, at most 16 characters."""
    text = str(value or "").strip().upper()
    if len(text) > 16:
        raise DomainError("An AE title has at most 16 characters.", field="ae_title")
    return text


def _details(data: dict[str, Any]) -> dict[str, Any]:
    """The unit's descriptive fields, validated."""
    out: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in Unit.Kind.values:
        raise DomainError("Choose what kind of equipment this is.", field="kind")
    out["kind"] = kind
    for field, limit in LIMITS.items():
        out[field] = _text(data.get(field), field, LABELS[field], limit=limit, required=field not in OPTIONAL)
    out["installed_on"] = _date(data.get("installed_on"), "installed_on", "Date installed")
    if out["installed_on"] > timezone.localdate():
        raise DomainError("Date installed cannot be in the future.", field="installed_on")
    out["ae_title"] = ae_title(data.get("ae_title"))
    out["required"] = bool(data.get("required", True))
    return out


def _place(department: Department, site: Site | None, room: Room | None) -> Site:
    if room is not None:
        if site is not None and room.site_id != site.pk:
            raise DomainError(f"{room.name} is not at {site.name}.", field="room")
        site = room.site
    if site is None:
        raise DomainError("Choose the room, or for a mobile unit the site it is kept at.", field="room")
    if site.department_id != department.pk:
        raise DomainError(f"{site.name} is not part of {department.name}.", field="site")
    return site


def _event(unit: Unit, kind: str, *, by: User | None, source: str, note: str, from_status: str = "",
           to_status: str = "", signed_off_by: str = "", at: dt.datetime | None = None) -> UnitEvent:
    return UnitEvent.objects.create(
        unit=unit, kind=kind, at=at or timezone.now(), by=by, by_label=getattr(by, "username", "") or source,
        source=source, from_status=from_status, to_status=to_status, note=note, signed_off_by=signed_off_by)


def _audit(action: str, unit: Unit, *, by: User | None, source: str, summary: str, **detail: Any) -> None:
    record(f"equipment.{action}", unit, by=by, channel=_channel(source), summary=summary,
           detail={"unit": unit.name, **detail})


def _locked(unit: Unit) -> Unit:
    locked = Unit.objects.select_for_update(of=("self",)).select_related("site", "room").get(pk=unit.pk)
    if locked.decommissioned_on is not None:
        raise InvalidTransition(f"{locked.name} was decommissioned on {locked.decommissioned_on:%d %b %Y}.")
    return locked


def _refresh(unit: Unit, saved: Unit) -> Unit:
    for field in ("status", "status_reason", "status_since", "decommissioned_on", *DETAIL_FIELDS):
        setattr(unit, field, getattr(saved, field))
    return unit


def register_unit(*, department: Department, room: Room | None, site: Site | None = None, by: User, source: str,
                  **data: Any) -> Unit:
    """Add a unit to the register, in service. ``data`` holds the fields in DETAIL_FIELDS."""
    place = _place(department, site, room)
    require(by, Action.MANAGE_EQUIPMENT, place)
    details = _details(data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                unit = Unit.objects.create(department=department, site=place, room=room,
                                           status_since=timezone.now(), **details)
        except IntegrityError:
            raise DomainError(f"{details['manufacturer']} serial number {details['serial_number']} is already "
                              "registered.", field="serial_number") from None
        _event(unit, Event.REGISTERED, by=by, source=source, note=f"Registered at {unit.location}.",
               to_status=unit.status)
        _audit("registered", unit, by=by, source=source, summary=f"Registered {unit.name} at {unit.location}")
    return unit


def update_unit(unit: Unit, *, by: User, source: str, **data: Any) -> Unit:
    """Change a unit's details (its status changes only through the functions below)."""
    with transaction.atomic():
        locked = _locked(unit)
        require(by, Action.MANAGE_EQUIPMENT, locked.site)
        details = _details({f: getattr(locked, f) for f in DETAIL_FIELDS} | data)
        changed = {f: [str(getattr(locked, f)), str(v)] for f, v in details.items() if getattr(locked, f) != v}
        if not changed:
            return _refresh(unit, locked)
        for field, value in details.items():
            setattr(locked, field, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise DomainError(f"{details['manufacturer']} serial number {details['serial_number']} is already "
                              "registered.", field="serial_number") from None
        note = "Changed " + "; ".join(f"{f}: {a} → {b}" for f, (a, b) in changed.items())
        _event(locked, Event.UPDATED, by=by, source=source, note=note[:2000])
        _audit("updated", locked, by=by, source=source, summary=f"Updated {locked.name}", changed=changed)
    return _refresh(unit, locked)


def decommission_unit(unit: Unit, *, on: dt.date, note: str, by: User, source: str) -> Unit:
    """Take a unit off the register from ``on``: it no longer counts for its room's examinations."""
    note = _text(note, "note", "Reason for decommissioning", limit=2000)
    with transaction.atomic():
        locked = _locked(unit)
        require(by, Action.MANAGE_EQUIPMENT, locked.site)
        on = _date(on, "decommissioned_on", "Date decommissioned")
        if on < locked.installed_on:
            raise DomainError("A unit cannot be decommissioned before it was installed.", field="decommissioned_on")
        locked.decommissioned_on = on
        locked.save(update_fields=["decommissioned_on"])
        _event(locked, Event.DECOMMISSIONED, by=by, source=source, note=note)
        _audit("decommissioned", locked, by=by, source=source, summary=f"Decommissioned {locked.name} on {on}")
    return _refresh(unit, locked)


def _change_status(locked: Unit, status: str, *, reason: str, by: User | None, source: str, kind: str,
                   signed_off_by: str = "") -> None:
    before = locked.status
    locked.status, locked.status_reason, locked.status_since = status, reason, timezone.now()
    locked.save(update_fields=["status", "status_reason", "status_since"])
    _event(locked, kind, by=by, source=source, note=reason, from_status=before, to_status=status,
           signed_off_by=signed_off_by)
    _audit(kind, locked, by=by, source=source,
           summary=f"{locked.name}: {Status(before).label} → {Status(status).label}. {reason}",
           from_status=before, to_status=status, signed_off_by=signed_off_by)


def _not_in_service(status: Any) -> str:
    if status not in NOT_IN_SERVICE:
        raise DomainError("Choose whether the unit is out of service or restricted.", field="status")
    return str(status)


def report_fault(unit: Unit, *, status: str, description: str, by: User, source: str) -> Unit:
    """Anyone clinical reports a fault: the unit becomes restricted or out of service at once.

    A unit already out of service stays so when a further fault is reported as only a restriction.
    """
    status = _not_in_service(status)
    description = _text(description, "description", "Description of the fault", limit=300)
    with transaction.atomic():
        locked = _locked(unit)
        require(by, Action.REPORT_FAULT, locked.site)
        worse = Status.OUT_OF_SERVICE if Status.OUT_OF_SERVICE in (status, locked.status) else status
        _change_status(locked, worse, reason=f"Fault: {description}", by=by, source=source,
                       kind=Event.FAULT_REPORTED)
    return _refresh(unit, locked)


def set_unit_status(unit: Unit, status: str, *, reason: str, by: User | None, source: str) -> Unit:
    """Restrict a unit or take it out of service for a reason (the QA checks call this; ``by`` is None when
    no person decided, e.g. a check past its window). Putting a unit back into service is return_to_service."""
    status = _not_in_service(status)
    reason = _text(reason, "reason", "Reason", limit=300)
    with transaction.atomic():
        locked = _locked(unit)
        if by is not None:
            require(by, Action.REPORT_FAULT, locked.site)
        if locked.status == status and locked.status_reason == reason:
            return _refresh(unit, locked)
        _change_status(locked, status, reason=reason, by=by, source=source, kind=Event.STATUS_CHANGED)
    return _refresh(unit, locked)


def record_service_event(unit: Unit, *, kind: str, note: str, by: User, source: str,
                         at: dt.datetime | None = None) -> UnitEvent:
    """Record an engineer visit or planned maintenance (what was done); the status does not change."""
    if kind not in SERVICE_EVENTS:
        raise DomainError("Choose an engineer visit or planned maintenance.", field="kind")
    note = _text(note, "note", "What was done", limit=2000)
    when = at or timezone.now()
    if when > timezone.now():
        raise DomainError("A service event cannot be dated in the future.", field="at")
    with transaction.atomic():
        locked = _locked(unit)
        require(by, Action.MANAGE_EQUIPMENT, locked.site)
        event = _event(locked, kind, by=by, source=source, note=note, at=when)
        _audit(kind, locked, by=by, source=source, summary=f"{Event(kind).label} on {locked.name}: {note}")
    return event


def open_faults(unit: Unit) -> list[UnitEvent]:
    """Faults reported since the unit last returned to service that no later service event answers."""
    events = list(unit.events.filter(kind__in=[Event.FAULT_REPORTED, Event.RETURNED_TO_SERVICE, *SERVICE_EVENTS])
                  .order_by("at", "id"))
    faults: list[UnitEvent] = []
    for event in events:
        if event.kind == Event.RETURNED_TO_SERVICE:
            faults = []
        elif event.kind == Event.FAULT_REPORTED:
            faults.append(event)
        else:
            faults = [f for f in faults if f.at > event.at]
    return faults


def return_to_service(unit: Unit, *, signed_off_by: str, note: str, by: User, source: str) -> Unit:
    """Put a restricted or out-of-service unit back into service, signed off by a named person."""
    signed_off_by = _text(signed_off_by, "signed_off_by", "Name of the person signing off", limit=150)
    note = _text(note, "note", "Note on the return to service", limit=300)
    with transaction.atomic():
        locked = _locked(unit)
        require(by, Action.RETURN_TO_SERVICE, locked.site)
        if locked.status == Status.IN_SERVICE:
            raise InvalidTransition(f"{locked.name} is already in service.")
        if faults := open_faults(locked):
            raise InvalidTransition(
                f"{locked.name} has a fault with no service event after it ({faults[-1].note}): record the "
                "engineer visit or maintenance first.")
        _change_status(locked, Status.IN_SERVICE, reason=note, by=by, source=source,
                       kind=Event.RETURNED_TO_SERVICE, signed_off_by=signed_off_by)
    return _refresh(unit, locked)
