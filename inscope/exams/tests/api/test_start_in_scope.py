"""The AP records the checklist and starts an in-scope chest X-ray through the API; the decision comes back."""

from __future__ import annotations

import pytest

from inscope.audit.models import AuditEvent
from inscope.exams.models import ChecklistRecord, Examination

pytestmark = pytest.mark.django_db


def test_checklist_then_start_puts_the_examination_in_progress(api_as, ap, chest_xray, supervised,
                                                                in_scope_checklist):
    client = api_as(ap)

    checklist = client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    started = client.post_api(f"/examinations/{chest_xray.pk}/start")

    assert checklist.status_code == 201, checklist.json()
    assert checklist.json()["recorded_by"] == "ap.patel"
    assert checklist.json()["answers"]["mobility"] == "independent"
    assert started.status_code == 200, started.json()
    data = started.json()
    assert data["decision"]["outcome"] == "proceed"
    assert data["decision"]["policy_version"] == "v1"
    assert data["escalation_id"] is None and data["escalated_to"] == []
    assert (data["examination"]["status"], data["examination"]["operator"]) == ("in_progress", "ap.patel")
    exam = Examination.objects.get(pk=chest_xray.pk)
    assert exam.status == "in_progress"
    assert exam.events.get(action="started").source == "api"
    assert AuditEvent.objects.filter(action="patient.viewed", channel="api", actor=ap).exists()


def test_evaluate_previews_the_decision_without_changing_anything(api_as, ap, chest_xray, supervised,
                                                                   in_scope_checklist):
    client = api_as(ap)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)

    response = client.post_api(f"/examinations/{chest_xray.pk}/evaluate")

    assert response.status_code == 200
    assert response.json()["outcome"] == "proceed"
    assert set(response.json()["required_checks"]) >= {"identity", "justification", "cooperation", "mobility"}
    exam = Examination.objects.get(pk=chest_xray.pk)
    assert (exam.status, exam.decision, exam.operator) == ("scheduled", None, None)


def test_starting_twice_gives_409(api_as, ap, chest_xray, supervised, in_scope_checklist):
    client = api_as(ap)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    assert client.post_api(f"/examinations/{chest_xray.pk}/start").status_code == 200

    again = client.post_api(f"/examinations/{chest_xray.pk}/start")

    assert again.status_code == 409
    assert again.json() == {"error": "This examination is already in progress by Priya Patel.", "field": None}


def test_a_stop_decision_is_returned_with_200_and_changes_nothing(api_as, ap, chest_xray, in_scope_checklist):
    client = api_as(ap)  # nobody is on duty to supervise
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)

    response = client.post_api(f"/examinations/{chest_xray.pk}/start")

    assert response.status_code == 200
    data = response.json()
    assert data["decision"]["outcome"] == "stop"
    assert "no-supervisor-on-duty" in data["decision"]["reason_codes"]
    assert data["examination"]["status"] == "scheduled"
    assert data["examination"]["last_decision_outcome"] == "stop"


def test_checklist_answers_are_checked(api_as, ap, chest_xray):
    client = api_as(ap)

    typo = client.post_api(f"/examinations/{chest_xray.pk}/checklist", {"identity_confirm": True})
    not_boolean = client.post_api(f"/examinations/{chest_xray.pk}/checklist", {"trauma": "maybe"})
    bad_mri = client.post_api(f"/examinations/{chest_xray.pk}/checklist", {"mri_answers": {"nope": "yes"}})

    assert (typo.status_code, typo.json()["field"]) == (422, "identity_confirm")
    assert (not_boolean.status_code, not_boolean.json()["field"]) == (422, "trauma")
    assert (bad_mri.status_code, bad_mri.json()["field"]) == (400, "mri_answers")
    assert not ChecklistRecord.objects.exists()


def test_only_operators_record_checks_or_start(api_as, manager, chest_xray, supervised, in_scope_checklist):
    client = api_as(manager)

    assert client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist).status_code == 403
    assert client.post_api(f"/examinations/{chest_xray.pk}/start").status_code == 403
    assert Examination.objects.get(pk=chest_xray.pk).status == "scheduled"
