"""Every endpoint checks the caller's role before doing anything: refusals are 403 (or 404 where the patient
may not be seen at all), in the standard error format."""

from __future__ import annotations

import pytest

from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_read_the_worklist_or_examinations(api_as, stranger, chest_xray):
    client = api_as(stranger)

    worklist = client.get_api("/worklist")

    assert worklist.status_code == 403
    assert set(worklist.json()) == {"error", "field"}
    assert client.get_api(f"/examinations/{chest_xray.pk}").status_code == 404
    assert client.post_api(f"/examinations/{chest_xray.pk}/start").status_code == 404


def test_an_ap_cannot_open_the_escalation_queue(api_as, ap):
    response = api_as(ap).get_api("/escalations")

    assert response.status_code == 403
    assert "resolve escalation" in response.json()["error"]


def test_a_manager_cannot_perform_examinations(api_as, manager, chest_xray, supervised):
    client = api_as(manager)

    for action in ("evaluate", "start"):
        assert client.post_api(f"/examinations/{chest_xray.pk}/{action}").status_code == 403
    assert client.post_api(f"/examinations/{chest_xray.pk}/escalate", {"note": "x"}).status_code == 403
    assert Examination.objects.get(pk=chest_xray.pk).status == "scheduled"


def test_a_service_account_acts_only_with_its_own_roles(api_as, policy, chest_xray):
    ris = f.person("svc.ris", "administrator", name="Northgate RIS")
    client = api_as(ris)

    assert client.get_api("/worklist").status_code == 403
    assert client.post_api(f"/examinations/{chest_xray.pk}/start").status_code == 404
