"""What the dose pages share: the department a person works in, and the error summary's shape."""

from __future__ import annotations

from typing import Any

from inscope.department.models import Department
from inscope.lib.errors import DomainError
from inscope.staff.models import User


def department_for(user: User) -> Department | None:
    return user.department or Department.objects.order_by("pk").first()


def error_list(error: DomainError, form: str = "", fields: set[str] | None = None) -> list[dict[str, Any]]:
    """The NHS error summary's list for one error, linking to the field when it is on the page."""
    if error.field and (fields is None or error.field in fields):
        href = f"#{form}-{error.field}" if form else f"#{error.field}"
    else:
        href = f"#{form}" if form else "#main-content"
    return [{"text": error.message, "href": href}]
