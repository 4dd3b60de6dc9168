"""Systems authenticate with a bearer token: only a live token of an active account gets in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from inscope.audit.models import AuditEvent
from inscope.staff.models import ApiToken

pytestmark = pytest.mark.django_db

WORKLIST = "/api/v1/worklist"


def test_a_valid_token_is_accepted(radiographer):
    _, key = ApiToken.issue(radiographer, "RIS")

    response = Client().get(WORKLIST, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_no_credentials_get_401_in_the_error_format():
    response = Client().get(WORKLIST)

    assert response.status_code == 401
    assert response.json()["error"].startswith("Authentication required")
    assert response.json()["field"] is None
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "not-even-a-scheme"])
def test_a_wrong_key_or_scheme_is_refused(radiographer, header):
    ApiToken.issue(radiographer, "RIS")

    assert Client().get(WORKLIST, HTTP_AUTHORIZATION=header).status_code == 401


def test_a_revoked_token_is_refused(radiographer):
    token, key = ApiToken.issue(radiographer, "RIS")
    token.revoked_at = timezone.now()
    token.save()

    assert Client().get(WORKLIST, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_of_an_inactive_account_is_refused(radiographer):
    _, key = ApiToken.issue(radiographer, "RIS")
    radiographer.is_active = False
    radiographer.save()

    assert Client().get(WORKLIST, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_only_the_hash_of_the_key_is_stored(radiographer):
    token, key = ApiToken.issue(radiographer, "RIS")

    assert key not in token.key_hash
    assert token.key_hash == ApiToken.hash(key)


def test_a_bearer_client_needs_no_csrf_token(radiographer):
    _, key = ApiToken.issue(radiographer, "RIS")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/examinations/999/start", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 404  # authenticated; the examination simply does not exist


def test_issue_api_token_prints_a_working_key_once(radiographer):
    out, err = StringIO(), StringIO()

    call_command("issue_api_token", "r.hughes", "Northgate RIS", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=radiographer)
    assert token.name == "Northgate RIS"
    assert token.key_hash == ApiToken.hash(key)
    assert key not in err.getvalue()
    assert AuditEvent.objects.filter(action="api_token.issued", object_id=str(token.pk), channel="cli").exists()
    assert Client().get(WORKLIST, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_issue_api_token_refuses_unknown_and_inactive_accounts(radiographer):
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_api_token", "nobody", "RIS", stdout=StringIO(), stderr=StringIO())
    radiographer.is_active = False
    radiographer.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("issue_api_token", "r.hughes", "RIS", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_revoke_api_token_stops_the_key_working_at_once(radiographer):
    out = StringIO()
    call_command("issue_api_token", "r.hughes", "Northgate RIS", stdout=out, stderr=StringIO())

    call_command("revoke_api_token", "r.hughes", "Northgate RIS", stdout=StringIO())

    assert Client().get(WORKLIST, HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}").status_code == 401
    with pytest.raises(CommandError, match="no active token"):
        call_command("revoke_api_token", "r.hughes", "Northgate RIS", stdout=StringIO())
