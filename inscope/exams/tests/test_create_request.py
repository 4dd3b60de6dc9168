"""A request joins the worklist only with a valid NHS number, a real date and a protocol from the policy."""

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone

from inscope.exams import services
from inscope.exams.models import Examination, Patient
from inscope.lib.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db

REQUEST = services.RequestInput(
    nhs_number="943 476 5919", family_name="Walker", given_name="Sarah", date_of_birth=dt.date(1980, 3, 14),
    sex="female", address="1 Station Road, Northgate", postcode="ng1 1ab", protocol_code="XCHES",
    referrer="Dr L Carter", site_code="ngh", scheduled_at=timezone.now(), accession_number="NGI0001",
    justification="authorised", justified_by="Rachel Hughes",
)


def test_a_radiographer_adds_a_request(policy, site, radiographer, department):
    exam = services.create_request(department, REQUEST, by=radiographer, source="web")

    assert (exam.protocol_name, exam.modality, exam.status) == ("XR Chest PA", "XR", "scheduled")
    assert exam.patient.nhs_number == "9434765919"
    assert exam.patient.postcode == "NG1 1AB"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "nhs_number", "check digit does not match"),
        ({"nhs_number": "94347659"}, "nhs_number", "10 digits"),
        ({"protocol_code": "XNOPE"}, "protocol_code", "Unknown protocol 'XNOPE'"),
        ({"date_of_birth": dt.date(2030, 1, 1)}, "date_of_birth", "must be in the past"),
        ({"site_code": "mars"}, "site_code", "Unknown site"),
        ({"priority": "whenever"}, "priority", "Priority must be one of"),
        ({"justified_by": ""}, "justified_by", "Say who justified"),
    ],
)
def test_bad_requests_are_refused_with_the_field_and_nothing_is_saved(policy, site, radiographer, department,
                                                                      change, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        services.create_request(department, replace(REQUEST, **change), by=radiographer, source="api")

    assert refused.value.field == field
    assert not Examination.objects.exists()
    assert not Patient.objects.exists()


def test_a_duplicate_accession_number_is_refused(policy, site, radiographer, department):
    services.create_request(department, REQUEST, by=radiographer, source="web")
    with pytest.raises(DomainError, match="already in use"):
        services.create_request(department, REQUEST, by=radiographer, source="web")


def test_a_known_nhs_number_with_another_date_of_birth_is_an_identification_problem(policy, site, radiographer,
                                                                                    department):
    services.create_request(department, REQUEST, by=radiographer, source="web")
    other = replace(REQUEST, accession_number="NGI0002", date_of_birth=dt.date(1981, 3, 14))

    with pytest.raises(DomainError, match="different date of birth"):
        services.create_request(department, other, by=radiographer, source="web")


def test_an_ap_cannot_add_requests(policy, site, ap, department):
    with pytest.raises(NotAllowed):
        services.create_request(department, REQUEST, by=ap, source="web")
