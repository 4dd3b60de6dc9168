"""How callers of the REST API prove who they are.

Systems (a RIS, a modality broker) send ``Authorization: Bearer <key>`` with a key from
``inscope issue_api_token``; only the key's SHA-256 hash is stored. People signed in to the web app use their
session, and then every unsafe request must carry the CSRF token, exactly as the web forms do.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from inscope.staff.models import ApiToken, RoleAssignment, User


class BearerToken(HttpBearer):
    """A live API token: known hash, not revoked, belonging to an active account."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        found = (
            ApiToken.objects.filter(key_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .select_related("user")
            .prefetch_related(Prefetch("user__role_assignments", queryset=RoleAssignment.objects.all()))
            .first()
        )
        if found is None:
            return None
        # Code that reads request.user (logging, templates) sees the token's owner, not AnonymousUser.
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser's Django session, with the CSRF check on unsafe methods.

    The CSRF check runs only once a session has identified someone: a request with no session is simply
    unauthenticated (401), not a CSRF failure.
    """

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


def api_auth() -> list[Any]:
    """The authentication every API operation accepts, tried in this order."""
    return [BearerToken(), SessionAuth(csrf=True)]
