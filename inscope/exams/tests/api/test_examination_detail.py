"""GET /examinations/{id}: the examination in full, for those who may see the patient; the read is audited."""

from __future__ import annotations

import pytest

from inscope.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_detail_has_the_decision_escalations_and_history(api_as, trainee, radiographer, chest_xray, supervised,
                                                              in_scope_checklist):
    client = api_as(trainee)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    client.post_api(f"/examinations/{chest_xray.pk}/start")

    response = api_as(radiographer).get_api(f"/examinations/{chest_xray.pk}")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "escalated"
    assert data["decision"]["outcome"] == "escalate"
    assert data["policy_version"] == "v1"
    assert data["checklist"]["answers"]["identity"] == "confirmed"  # sent as identity_confirmed: true
    [escalation] = data["escalations"]
    assert (escalation["raised_by"], escalation["recipients"]) == ("ap.trainee", ["r.hughes"])
    assert [e["action"] for e in data["events"]] == ["checklist_recorded", "escalated", "escalation_raised_scope"]
    assert data["supervisor"] == "r.hughes"
    assert set(data["patient"]) == {"name", "family_name", "given_name", "nhs_number", "date_of_birth", "sex", "age"}
    assert AuditEvent.objects.filter(action="patient.viewed", channel="api", actor=radiographer,
                                     object_id=str(chest_xray.patient_id)).exists()


def test_someone_who_may_not_see_patients_gets_404_like_a_missing_examination(api_as, stranger, chest_xray):
    client = api_as(stranger)

    hidden = client.get_api(f"/examinations/{chest_xray.pk}")
    missing = client.get_api("/examinations/987654")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"error": "No such examination.", "field": None}
    assert not AuditEvent.objects.filter(action="patient.viewed").exists()
