"""The REST API (django-ninja), mounted at /api/v1/. docs/interfaces.md describes it; /api/v1/docs shows it live.

Every error has the same body, ``{"error": "...", "field": "..." | null}``, plus ``decision`` when the decision
engine refused (409) and ``detail`` when the request was malformed (422).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from inscope.dicom.api import router as dicom_router
from inscope.dose.api import router as dose_router
from inscope.equipment.api import router as equipment_router
from inscope.exams.api import router as exams_router
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed, OutsideScope
from inscope.staff.auth import api_auth

api = NinjaAPI(
    title="InScope API",
    version="1.0.0",
    description=(
        "Examinations, the pre-examination checklist, scope-of-practice decisions and escalations for assistant "
        "practitioners in imaging. Authenticate with `Authorization: Bearer <key>` (a key from "
        "`inscope issue_api_token`) or, in the browser, with your signed-in session and the CSRF token."
    ),
    urls_namespace="api-1.0.0",
    auth=api_auth(),
)
api.add_router("/", exams_router)
api.add_router("/interfaces", dicom_router)
api.add_router("/dose", dose_router)
api.add_router("/equipment", equipment_router)


def _error(request: HttpRequest, status: int, message: str, field: str | None = None, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": message, "field": field, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, 400, exc.message, exc.field)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return _error(request, 403, exc.message, exc.field)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "You are not allowed to do this.")


@api.exception_handler(InvalidTransition)
def invalid_transition(request: HttpRequest, exc: InvalidTransition) -> HttpResponse:
    return _error(request, 409, exc.message, exc.field)


@api.exception_handler(OutsideScope)
def outside_scope(request: HttpRequest, exc: OutsideScope) -> HttpResponse:
    return _error(request, 409, exc.message, exc.field, decision=exc.decision.as_dict())


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "Not found.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "Authentication required: send 'Authorization: Bearer <key>' or sign in.")
    response["WWW-Authenticate"] = 'Bearer realm="InScope"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # e.g. "CSRF check Failed" (403) for a signed-in browser that did not send the CSRF token.
    return _error(request, exc.status_code, exc.message)


def _location(loc: Sequence[Any]) -> str | None:
    """["body", "payload", "exposures", 0, "kvp"] -> "exposures[0].kvp"; ["query", "date"] -> "date"."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # "body" and the operation's parameter name
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "The request could not be read."}
    field = _location(first["loc"])
    message = f"{field}: {first['msg']}" if field else str(first["msg"])
    return _error(request, 422, message, field, detail=errors)
