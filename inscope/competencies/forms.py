"""Reading the portfolio's forms: NHS date inputs (name[day], name[month], name[year]) and choices, with each
problem raised as a DomainError naming its field, so the page can point the error summary at it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict

from inscope.competencies.models import Competency
from inscope.lib.errors import DomainError
from inscope.rules.facts import Laterality, Mobility, PatientGroup, Setting

DATE_PARTS = ("day", "month", "year")
# The grant form's conditions: (value, label) per checkbox, named as the policy document names them.
CONDITION_CHOICES: dict[str, list[tuple[str, str]]] = {
    "exclude": [
        (PatientGroup.PREGNANT, "Pregnant patients"),
        (PatientGroup.TRAUMA, "Trauma patients"),
        (PatientGroup.REDUCED_MOBILITY, "Patients with reduced mobility (independent patients only)"),
        (PatientGroup.NON_COOPERATIVE, "Patients who cannot co-operate"),
        (PatientGroup.LACKS_CAPACITY, "Patients who lack capacity to consent"),
    ],
    "mobility": [(Mobility.INDEPENDENT, "Independent"), (Mobility.WHEELCHAIR, "Wheelchair"),
                 (Mobility.TROLLEY, "Trolley"), (Mobility.BED, "Bed")],
    "laterality": [(Laterality.LEFT, "Left"), (Laterality.RIGHT, "Right"), (Laterality.BILATERAL, "Bilateral"),
                   (Laterality.NOT_APPLICABLE, "Not applicable (midline or whole body)")],
    "settings": [(Setting.GP, "GP direct access"), (Setting.OUTPATIENT, "Outpatient"),
                 (Setting.INPATIENT, "Inpatient"), (Setting.EMERGENCY, "Emergency department")],
}
CONDITION_FIELDS = {"min_age", "max_age", *CONDITION_CHOICES, "supervision"}


def date_parts(post: QueryDict, name: str) -> dict[str, str]:
    return {part: post.get(f"{name}[{part}]", "").strip() for part in DATE_PARTS}


def optional_date(post: QueryDict, name: str, label: str) -> dt.date | None:
    """Return the date entered in an NHS date input, or None when it is left empty."""
    parts = date_parts(post, name)
    if not any(parts.values()):
        return None
    missing = [p for p in DATE_PARTS if not parts[p]]
    if missing:
        raise DomainError(f"{label} must include a {' and '.join(missing)}.", field=name)
    try:
        day, month, year = (int(parts[p]) for p in DATE_PARTS)
        if year < 1000:
            raise ValueError(year)
        return dt.date(year, month, day)
    except ValueError:
        raise DomainError(f"{label} must be a real date, like 27 3 2026.", field=name) from None


def date_field(post: QueryDict, name: str, label: str) -> dt.date:
    """Return the date entered in an NHS date input, which must be filled in."""
    value = optional_date(post, name, label)
    if value is None:
        raise DomainError(f"Enter the {label.lower()}.", field=name)
    return value


def text_field(post: QueryDict, name: str, label: str, *, required: bool = True, limit: int = 300) -> str:
    value = post.get(name, "").strip()
    if required and not value:
        raise DomainError(f"Enter the {label.lower()}.", field=name)
    if len(value) > limit:
        raise DomainError(f"{label} must be {limit} characters or fewer.", field=name)
    return value


def choice_field(post: QueryDict, name: str, label: str, choices: list[str]) -> str:
    value = post.get(name, "").strip()
    if value not in choices:
        raise DomainError(f"Choose the {label.lower()}.", field=name)
    return value


def competency_field(post: QueryDict, competencies: list[Competency], name: str = "competency") -> Competency:
    code = post.get(name, "").strip()
    found = next((c for c in competencies if c.code == code), None)
    if found is None:
        if code:
            raise DomainError(f"{code} is not a competency in this person's frameworks.", field=name)
        raise DomainError("Choose the competency.", field=name)
    return found


def conditions_field(post: QueryDict) -> dict[str, Any] | None:
    """Return the grant form's conditions in the policy document's shape, or None when none is given.

    Only the form is read here; the values are checked by the policy's own reader (the grant service)."""
    data: dict[str, Any] = {}
    for name, label in (("min_age", "Youngest age"), ("max_age", "Oldest age")):
        value = post.get(name, "").strip()
        if value:
            if not value.isdigit():
                raise DomainError(f"{label} must be a whole number of years, like 18.", field=name)
            data[name] = int(value)
    for name in CONDITION_CHOICES:
        values = [v.strip() for v in post.getlist(name) if v.strip()]
        if values:
            data[name] = values
    supervision = post.get("supervision", "").strip()
    if supervision:
        data["supervision"] = supervision
    return data or None
