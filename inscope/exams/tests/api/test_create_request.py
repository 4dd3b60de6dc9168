"""POST /requests: a RIS adds an examination request; the department's rules refuse bad ones with the field."""

from __future__ import annotations

import pytest

from inscope.audit.models import AuditEvent
from inscope.exams.models import Examination

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return {
        "nhs_number": "943 476 5919",
        "family_name": "Jones",
        "given_name": "Carys",
        "date_of_birth": "1984-03-09",
        "sex": "female",
        "address": "2 Mill Lane, Northgate",
        "postcode": "ng2 2bb",
        "protocol_code": "XCHES",
        "referrer": "Dr B Khan (GP)",
        "site_code": "ngh",
        "scheduled_at": "2026-11-20T10:30:00+00:00",
        "accession_number": "RIS0000123",
        "priority": "routine",
        "room_name": "X-ray room 1",
        "clinical_question": "Persistent cough for six weeks",
        "justification": "authorised",
        "justified_by": "Rachel Hughes",
    }


def test_a_radiographer_creates_a_request(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", body)

    assert response.status_code == 201, response.json()
    data = response.json()
    exam = Examination.objects.get(accession_number="RIS0000123")
    assert data["id"] == exam.pk
    assert (data["status"], data["protocol_code"], data["protocol_name"]) == ("scheduled", "XCHES", "XR Chest PA")
    assert (data["site"], data["room"], data["modality"]) == ("ngh", "X-ray room 1", "XR")
    assert data["patient"] == {"name": "JONES, Carys", "nhs_number": "9434765919", "date_of_birth": "1984-03-09"}
    assert "address" not in data["patient"] and "postcode" not in data["patient"]
    assert exam.patient.postcode == "NG2 2BB"
    assert AuditEvent.objects.filter(action="examination.requested", channel="api", actor=radiographer).exists()


def test_an_nhs_number_with_a_wrong_check_digit_is_refused(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "nhs_number": "9434765918"})

    assert response.status_code == 400
    assert response.json()["field"] == "nhs_number"
    assert "check digit" in response.json()["error"]
    assert not Examination.objects.exists()


def test_an_unknown_protocol_is_refused(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "protocol_code": "XNOPE"})

    assert response.status_code == 400
    assert response.json() == {"error": "Unknown protocol 'XNOPE': it is not in policy v1.", "field": "protocol_code"}


def test_an_impossible_date_is_refused_with_a_clear_message(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "date_of_birth": "1984-02-30"})

    assert response.status_code == 422
    data = response.json()
    assert data["field"] == "date_of_birth"
    assert data["error"].startswith("date_of_birth: ")
    assert "day value is outside expected range" in data["error"]
    assert data["detail"][0]["loc"][-1] == "date_of_birth"


def test_a_date_of_birth_in_the_future_is_refused(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "date_of_birth": "2999-01-01"})

    assert (response.status_code, response.json()["field"]) == (400, "date_of_birth")


def test_a_duplicate_accession_number_is_refused(api_as, radiographer, policy, xray_room, body):
    client = api_as(radiographer)
    assert client.post_api("/requests", body).status_code == 201

    response = client.post_api("/requests", {**body, "scheduled_at": "2026-11-21T10:30:00+00:00"})

    assert response.status_code == 400
    assert response.json() == {"error": "Accession number RIS0000123 is already in use.", "field": "accession_number"}
    assert Examination.objects.count() == 1


def test_unknown_fields_and_bad_choices_are_refused(api_as, radiographer, policy, xray_room, body):
    client = api_as(radiographer)

    unknown = client.post_api("/requests", {**body, "ward": "7B"})
    bad_sex = client.post_api("/requests", {**body, "sex": "f"})

    assert (unknown.status_code, unknown.json()["field"]) == (422, "ward")
    assert (bad_sex.status_code, bad_sex.json()["field"]) == (422, "sex")


def test_an_unknown_site_is_refused(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "site_code": "elsewhere"})

    assert (response.status_code, response.json()["field"]) == (400, "site_code")


def test_an_assistant_practitioner_cannot_create_requests(api_as, ap, policy, xray_room, body):
    response = api_as(ap).post_api("/requests", body)

    assert response.status_code == 403
    assert not Examination.objects.exists()


def test_a_naive_time_is_read_as_uk_local_time(api_as, radiographer, policy, xray_room, body):
    response = api_as(radiographer).post_api("/requests", {**body, "scheduled_at": "2026-07-01T10:30:00"})

    assert response.status_code == 201
    assert response.json()["scheduled_at"].startswith("2026-07-01T09:30:00")  # BST is UTC+1
