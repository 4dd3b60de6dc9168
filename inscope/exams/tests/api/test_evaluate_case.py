"""POST /cases/evaluate: decide a hypothetical case against the policy in force, recording nothing."""

from __future__ import annotations

from typing import Any

import pytest

from inscope.audit.models import AuditEvent
from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

CASE: dict[str, Any] = {
    "operator": "ap.patel",
    "protocol_code": "XCHES",
    "on": "2026-11-20",
    "patient": {"age": 45, "childbearing_potential": False, "identity": "confirmed", "cooperative": True,
                "has_capacity": True, "mobility": "independent", "trauma": False},
    "request": {"justification": "authorised", "justified_by": "Rachel Hughes"},
    "supervision": {"supervisors_on_duty": ["r.hughes"], "direct_supervisor_present": False},
}


def test_an_in_scope_case_proceeds_and_nothing_is_written(api_as, manager, policy):
    client = api_as(manager)
    before = AuditEvent.objects.count()

    response = client.post_api("/cases/evaluate", CASE)

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "proceed"
    assert response.json()["policy_version"] == "v1"
    assert AuditEvent.objects.count() == before
    assert not Examination.objects.exists()


def test_a_trauma_patient_escalates_for_an_ap(api_as, manager, policy):
    case = {**CASE, "patient": {**CASE["patient"], "trauma": True}}

    response = api_as(manager).post_api("/cases/evaluate", case)

    assert response.json()["outcome"] == "escalate"
    # ap.patel's entitlement is for non-trauma patients, and the protocol excludes trauma for APs.
    assert response.json()["reason_codes"] == ["entitlement-condition-not-met", "patient-trauma"]
    assert response.json()["escalate_to"] == "radiographer"


def test_unknown_facts_never_proceed(api_as, manager, policy):
    response = api_as(manager).post_api("/cases/evaluate", {"operator": "ap.patel", "protocol_code": "XCHES"})

    assert response.status_code == 200
    assert response.json()["outcome"] != "proceed"


def test_roles_can_be_overridden(api_as, manager, policy):
    response = api_as(manager).post_api("/cases/evaluate", {**CASE, "operator": "someone.new",
                                                             "roles": ["radiographer"]})

    assert response.status_code == 200
    assert response.json()["outcome"] != "proceed"  # a radiographer with no entitlement in the policy


def test_bad_facts_are_refused(api_as, manager, policy):
    client = api_as(manager)

    bad_role = client.post_api("/cases/evaluate", {**CASE, "roles": ["wizard"]})
    bad_mobility = client.post_api("/cases/evaluate", {**CASE, "patient": {"mobility": "flying"}})

    assert (bad_role.status_code, bad_role.json()["field"]) == (422, "roles[0]")
    assert (bad_mobility.status_code, bad_mobility.json()["field"]) == (422, "patient.mobility")


def test_no_policy_in_force_says_so(api_as, manager, site):
    response = api_as(manager).post_api("/cases/evaluate", CASE)

    assert response.json()["reason_codes"] == ["policy-not-in-force"]


def test_someone_without_a_role_that_reads_the_policy_is_refused(api_as, policy):
    nobody = f.person("no.roles")

    assert api_as(nobody).post_api("/cases/evaluate", CASE).status_code == 403
