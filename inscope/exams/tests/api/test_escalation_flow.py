"""Out of scope, the start escalates to the named radiographer, who sees it in their queue and acts on it;
the AP can never resolve their own escalation."""

from __future__ import annotations

import pytest

from inscope.exams.models import Escalation, Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(api_as, trainee, chest_xray, supervised, in_scope_checklist):
    """Tom Reid, a trainee, starts a chest X-ray with only indirect supervision on duty."""
    client = api_as(trainee)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    response = client.post_api(f"/examinations/{chest_xray.pk}/start")
    assert response.status_code == 200, response.json()
    return response.json()


def test_an_out_of_scope_start_is_escalated_to_the_radiographer(escalated, api_as, radiographer, chest_xray):
    assert escalated["decision"]["outcome"] == "escalate"
    assert escalated["decision"]["reason_codes"] == ["trainee-without-direct-supervisor"]
    assert escalated["examination"]["status"] == "escalated"
    assert escalated["escalated_to"] == ["r.hughes"]

    queue = api_as(radiographer).get_api("/escalations", {"status": "open"})

    assert queue.status_code == 200
    [item] = queue.json()["items"]
    assert item["id"] == escalated["escalation_id"]
    assert (item["kind"], item["status"], item["raised_by"]) == ("scope", "open", "ap.trainee")
    assert item["examination"]["id"] == chest_xray.pk
    assert item["recipients"] == ["r.hughes"]


def test_the_radiographer_acknowledges_then_takes_over(escalated, api_as, radiographer):
    client = api_as(radiographer)
    pk = escalated["escalation_id"]

    acknowledged = client.post_api(f"/escalations/{pk}/acknowledge")
    taken = client.post_api(f"/escalations/{pk}/take-over", {"reason": "Trainee needs direct supervision"})

    assert acknowledged.json()["escalation"]["status"] == "acknowledged"
    assert acknowledged.json()["escalation"]["acknowledged_by"] == "r.hughes"
    assert taken.status_code == 200, taken.json()
    assert taken.json()["escalation"]["resolution"] == "taken_over"
    assert (taken.json()["examination"]["status"], taken.json()["examination"]["operator"]) == ("in_progress",
                                                                                                 "r.hughes")
    assert client.get_api("/escalations", {"status": "open"}).json()["items"] == []
    assert client.get_api("/escalations", {"status": "resolved"}).json()["count"] == 1
    events = client.get_api(f"/examinations/{taken.json()['examination']['id']}").json()["events"]
    taken_over = next(e for e in events if e["action"] == "taken_over")
    assert (taken_over["by"], taken_over["decision"]["outcome"]) == ("r.hughes", "proceed")


def test_the_ap_cannot_resolve_their_own_escalation(escalated, api_as, trainee, ap):
    pk = escalated["escalation_id"]

    for user in (trainee, ap):
        client = api_as(user)
        assert client.post_api(f"/escalations/{pk}/take-over", {"reason": "I can do it"}).status_code == 403
        assert client.post_api(f"/escalations/{pk}/authorise", {"reason": "Fine"}).status_code == 403
        assert client.get_api("/escalations").status_code == 403
    assert Escalation.objects.get(pk=pk).status == "open"


def test_a_radiographer_cannot_resolve_an_escalation_they_raised(api_as, radiographer, chest_xray, supervised):
    client = api_as(radiographer)
    raised = client.post_api(f"/examinations/{chest_xray.pk}/escalate", {"note": "Patient is very frail"})
    assert raised.status_code == 201, raised.json()

    response = client.post_api(f"/escalations/{raised.json()['id']}/cancel", {"reason": "Not needed"})

    assert response.status_code == 403
    assert "raised yourself" in response.json()["error"]


def test_the_radiographer_cancels_with_a_reason(escalated, api_as, radiographer):
    client = api_as(radiographer)
    pk = escalated["escalation_id"]

    no_reason = client.post_api(f"/escalations/{pk}/cancel", {"reason": "  "})
    cancelled = client.post_api(f"/escalations/{pk}/cancel", {"reason": "Rebook with a radiographer"})

    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reason")
    assert cancelled.json()["examination"]["status"] == "cancelled"
    again = client.post_api(f"/escalations/{pk}/cancel", {"reason": "Twice"})
    assert again.status_code == 409


def test_the_ap_escalates_during_an_examination(api_as, ap, chest_xray, supervised, in_scope_checklist, radiographer):
    client = api_as(ap)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    client.post_api(f"/examinations/{chest_xray.pk}/start")

    response = client.post_api(f"/examinations/{chest_xray.pk}/escalate", {"note": "Cannot stand for the PA"})

    assert response.status_code == 201, response.json()
    assert response.json()["reason_codes"] == ["operator-escalated"]
    assert response.json()["note"] == "Cannot stand for the PA"
    assert Examination.objects.get(pk=chest_xray.pk).status == "escalated"
    assert api_as(radiographer).get_api("/escalations").json()["count"] == 1


def test_an_escalation_needs_a_note(api_as, ap, chest_xray, supervised):
    response = api_as(ap).post_api(f"/examinations/{chest_xray.pk}/escalate", {"note": ""})

    assert (response.status_code, response.json()["field"]) == (400, "note")


def test_a_refused_authorisation_answers_409_with_the_decision(api_as, radiographer, chest_xray, supervised,
                                                              in_scope_checklist):
    unentitled = f.person("ap.new", "assistant_practitioner", name="New Starter")
    client = api_as(unentitled)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    pk = client.post_api(f"/examinations/{chest_xray.pk}/start").json()["escalation_id"]

    response = api_as(radiographer).post_api(f"/escalations/{pk}/authorise", {"reason": "Go ahead"})

    assert response.status_code == 409
    data = response.json()
    assert data["error"] and data["field"] is None
    assert data["decision"]["outcome"] != "proceed"
    assert data["decision"]["reason_codes"]
    assert Escalation.objects.get(pk=pk).status == "open"
