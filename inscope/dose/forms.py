"""Reading the dose pages' forms: the audit filters (GET), proposing, withdrawing and linking DRLs, and the SAUE
outcome. Each problem is raised as a DomainError naming its field, so the page can point the error summary at it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.http import QueryDict

from inscope.department.models import Department, Room
from inscope.dose.audit import AuditFilters, default_period
from inscope.dose.models import Quantity, ReferenceLevel, SaueReview
from inscope.lib.errors import DomainError

# The units a DRL may be entered in, per quantity; the DRL service converts them to the stored unit.
DRL_UNITS: dict[str, list[str]] = {
    Quantity.DAP: ["Gy·cm²", "cGy·cm²", "mGy·cm²", "µGy·m²", "Gy·m²"],
    Quantity.DLP: ["mGy·cm"],
    Quantity.CTDIVOL: ["mGy"],
    Quantity.AGD: ["mGy"],
    Quantity.ACTIVITY: ["MBq"],
}
MAX_PERIOD_DAYS = 3 * 366


def _date(data: QueryDict, name: str, label: str, default: dt.date | None = None) -> dt.date:
    text = data.get(name, "").strip()
    if not text:
        if default is None:
            raise DomainError(f"Enter the {label.lower()}.", field=name)
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{label} must be a real date, like 2026-11-28.", field=name) from None


def audit_filters(data: QueryDict, department: Department | None) -> AuditFilters:
    """The audit's filters from the page's GET parameters (the last 90 days when no dates are given)."""
    first, last = default_period()
    start = _date(data, "from", "Start date", first)
    end = _date(data, "to", "End date", last)
    if end < start:
        raise DomainError("The end date must be the same as or after the start date.", field="to")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError("Choose a period of 3 years or less.", field="from")
    room_text = data.get("room", "").strip()
    room_id = None
    if room_text:
        if not room_text.isdigit() or not Room.objects.filter(pk=int(room_text)).exists():
            raise DomainError("Choose a room from the list.", field="room")
        room_id = int(room_text)
    return AuditFilters(start=start, end=end, modality=data.get("modality", "").strip().upper()[:4], room_id=room_id,
                        protocol=data.get("protocol", "").strip()[:200], department=department)


def text(data: QueryDict, name: str, label: str, *, required: bool = True, limit: int = 300) -> str:
    value = data.get(name, "").strip()
    if required and not value:
        raise DomainError(f"Enter the {label.lower()}.", field=name)
    if len(value) > limit:
        raise DomainError(f"{label} must be {limit} characters or fewer.", field=name)
    return value


def choice(data: QueryDict, name: str, label: str, choices: list[str]) -> str:
    value = data.get(name, "").strip()
    if value not in choices:
        raise DomainError(f"Choose the {label.lower()}.", field=name)
    return value


@dataclass(frozen=True)
class Proposal:
    protocol_code: str
    quantity: str
    value: float
    unit: str
    room: Room | None
    station_ae_title: str
    effective_from: dt.date
    source: str


def proposal(data: QueryDict, protocol_codes: list[str]) -> Proposal:
    protocol_code = choice(data, "protocol_code", "Protocol", protocol_codes)
    quantity = choice(data, "quantity", "Quantity", list(Quantity.values))
    value_text = data.get("value", "").strip().replace(",", "")
    if not value_text:
        raise DomainError("Enter the DRL value.", field="value")
    try:
        value = float(value_text)
    except ValueError:
        raise DomainError("The DRL value must be a number, like 0.15.", field="value") from None
    if not math.isfinite(value) or value <= 0:
        raise DomainError("The DRL value must be more than 0.", field="value")
    unit = data.get("unit", "").strip()
    if unit not in DRL_UNITS[quantity]:
        allowed = ", ".join(DRL_UNITS[quantity])
        raise DomainError(f"Choose a unit for {Quantity(quantity).label.split(' (')[0]}: {allowed}.", field="unit")
    room = None
    room_text = data.get("room", "").strip()
    if room_text:
        room = Room.objects.filter(pk=int(room_text)).first() if room_text.isdigit() else None
        if room is None:
            raise DomainError("Choose a room from the list, or leave it as any room.", field="room")
    station = text(data, "station_ae_title", "Equipment AE title", required=False, limit=16).upper()
    return Proposal(protocol_code=protocol_code, quantity=quantity, value=value, unit=unit, room=room,
                    station_ae_title=station, effective_from=_date(data, "effective_from", "Effective from date"),
                    source=text(data, "source", "Basis", limit=400))


def national_level(data: QueryDict) -> ReferenceLevel:
    value = data.get("reference_level", "").strip()
    level = ReferenceLevel.objects.filter(pk=int(value), scope=ReferenceLevel.Scope.NATIONAL).first() if (
        value.isdigit()) else None
    if level is None:
        raise DomainError("Choose the national DRL.", field="reference_level")
    return level


def outcome(data: QueryDict) -> tuple[str, str]:
    chosen = choice(data, "outcome", "Outcome", list(SaueReview.Outcome.values))
    return chosen, text(data, "note", "Note explaining the decision", limit=4000)
