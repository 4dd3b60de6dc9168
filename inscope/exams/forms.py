"""Reading the examination forms into service inputs. Markup comes from the NHS.UK macros in the templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from inscope.exams.mri_screening import questions
from inscope.exams.services import ExposureInput, RequestInput
from inscope.exams.services.checklist import BOOLEAN_ANSWERS, CHOICE_ANSWERS
from inscope.lib.errors import DomainError

EXPOSURE_ROWS = 4


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def checklist_answers(post: QueryDict) -> dict[str, Any]:
    """Return the checklist answers from the form; unanswered items stay unknown (None)."""
    answers: dict[str, Any] = {name: _yes_no(post.get(name)) for name in BOOLEAN_ANSWERS}
    answers.update({name: post.get(name) or None for name in CHOICE_ANSWERS})
    answers["last_menstrual_period"] = post.get("last_menstrual_period") or None
    answers["weight_kg"] = post.get("weight_kg", "").strip() or None
    mri = {q.id: post[f"mri_{q.id}"] for q in questions() if post.get(f"mri_{q.id}")}
    answers["mri_answers"] = mri or None
    return answers


def exposures(post: QueryDict) -> list[ExposureInput]:
    rows = []
    for i in range(EXPOSURE_ROWS):
        projection = post.get(f"projection_{i}", "").strip()
        if not projection:
            continue
        rows.append(ExposureInput(
            projection=projection,
            kvp=post.get(f"kvp_{i}", ""),
            mas=post.get(f"mas_{i}", ""),
            dap=post.get(f"dap_{i}", ""),
            dap_unit=post.get(f"dap_unit_{i}", ""),
            is_repeat=post.get(f"repeat_{i}") == "yes",
            repeat_reason=post.get(f"repeat_reason_{i}", ""),
        ))
    return rows


def images_count(post: QueryDict) -> int:
    try:
        return int(post.get("images_count", ""))
    except ValueError:
        raise DomainError("Enter the number of images as a whole number.", field="images_count") from None


def _date(post: QueryDict, prefix: str, label: str) -> dt.date:
    try:
        return dt.date(int(post.get(f"{prefix}-year", "")), int(post.get(f"{prefix}-month", "")),
                       int(post.get(f"{prefix}-day", "")))
    except ValueError:
        raise DomainError(f"{label} must be a real date, like 17 5 1970.", field=prefix) from None


def request_input(post: QueryDict) -> RequestInput:
    for name, label in [("family_name", "family name"), ("given_name", "given name"), ("address", "address"),
                        ("postcode", "postcode"), ("referrer", "referrer"), ("accession_number", "accession number")]:
        if not post.get(name, "").strip():
            raise DomainError(f"Enter the patient's {label}." if name in ("family_name", "given_name", "address",
                              "postcode") else f"Enter the {label}.", field=name)
    try:
        scheduled = dt.datetime.fromisoformat(post.get("scheduled_at", ""))
    except ValueError:
        raise DomainError(
            "Scheduled time must be a date and time, like 2026-11-28T14:30.", field="scheduled_at"
        ) from None
    if timezone.is_naive(scheduled):
        scheduled = timezone.make_aware(scheduled)
    return RequestInput(
        nhs_number=post.get("nhs_number", ""),
        family_name=post.get("family_name", "").strip(),
        given_name=post.get("given_name", "").strip(),
        date_of_birth=_date(post, "date_of_birth", "Date of birth"),
        sex=post.get("sex", ""),
        address=post.get("address", "").strip(),
        postcode=post.get("postcode", "").strip(),
        protocol_code=post.get("protocol_code", ""),
        referrer=post.get("referrer", "").strip(),
        site_code=post.get("site_code", ""),
        room_name=post.get("room_name", ""),
        scheduled_at=scheduled,
        accession_number=post.get("accession_number", "").strip(),
        priority=post.get("priority", "routine"),
        clinical_question=post.get("clinical_question", "").strip(),
        justification=post.get("justification", "pending"),
        justified_by=post.get("justified_by", "").strip(),
        setting=post.get("setting", ""),
        laterality=post.get("laterality", ""),
    )
