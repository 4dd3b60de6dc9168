"""API test helpers: a client that authenticates as a person with a bearer token, and JSON posting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from inscope.staff.models import ApiToken, User

API = "/api/v1"


class ApiClient(Client):
    """A test client whose every request carries the user's bearer token; paths are relative to /api/v1."""

    def __init__(self, user: User | None = None, **defaults: Any) -> None:
        if user is not None:
            _, key = ApiToken.issue(user, "tests")
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        super().__init__(**defaults)

    def get_api(self, path: str, params: dict[str, Any] | None = None):
        return self.get(f"{API}{path}", params or {})

    def post_api(self, path: str, body: dict[str, Any] | None = None):
        return self.post(f"{API}{path}", body or {}, content_type="application/json")


@pytest.fixture
def api_as():
    """api_as(user) -> a client acting as that user through a bearer token."""
    return ApiClient


IN_SCOPE_CHECKLIST = {
    "identity_confirmed": True,
    "cooperative": True,
    "mobility": "independent",
    "trauma": False,
    "has_capacity": True,
}


@pytest.fixture
def in_scope_checklist() -> dict[str, Any]:
    """The answers that put a co-operative, independently mobile adult within the XCHES protocol."""
    return dict(IN_SCOPE_CHECKLIST)
