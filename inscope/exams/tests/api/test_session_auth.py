"""The signed-in browser uses its session; unsafe requests must then carry the CSRF token."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db


def _csrf_cookie(client: Client) -> str:
    """Give the client a CSRF cookie, as any web page would, and return the token to send back."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def test_a_signed_in_user_reads_the_worklist(radiographer):
    client = Client()
    client.force_login(radiographer)

    assert client.get("/api/v1/worklist").status_code == 200


def test_a_session_post_without_the_csrf_token_is_refused(ap, chest_xray, supervised):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ap)

    response = client.post(f"/api/v1/examinations/{chest_xray.pk}/evaluate")

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]


def test_a_session_post_with_the_csrf_token_is_accepted(ap, chest_xray, supervised):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ap)
    token = _csrf_cookie(client)

    response = client.post(f"/api/v1/examinations/{chest_xray.pk}/evaluate", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
    assert response.json()["outcome"] != "proceed"  # no checklist yet: unknown is never fine


def test_without_a_session_a_post_is_unauthenticated_not_a_csrf_failure(chest_xray):
    response = Client(enforce_csrf_checks=True).post(f"/api/v1/examinations/{chest_xray.pk}/evaluate")

    assert response.status_code == 401


def test_an_inactive_users_session_is_refused(radiographer):
    client = Client()
    client.force_login(radiographer)
    radiographer.is_active = False
    radiographer.save()

    assert client.get("/api/v1/worklist").status_code == 401
