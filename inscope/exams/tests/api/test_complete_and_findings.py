"""Completing with exposures flags a total DAP above the protocol's DRL; a finding goes to the radiographer."""

from __future__ import annotations

import pytest

from inscope.exams.models import Examination

pytestmark = pytest.mark.django_db

PA = {"projection": "PA chest", "kvp": "110", "mas": 2.5, "dap": "0.06", "dap_unit": "Gy·cm²"}
REPEAT = {"projection": "PA chest", "kvp": 110, "mas": "2.5", "dap": 60, "dap_unit": "mGy·cm²", "is_repeat": True,
          "repeat_reason": "motion"}


@pytest.fixture
def started(api_as, ap, chest_xray, supervised, in_scope_checklist):
    client = api_as(ap)
    client.post_api(f"/examinations/{chest_xray.pk}/checklist", in_scope_checklist)
    assert client.post_api(f"/examinations/{chest_xray.pk}/start").json()["decision"]["outcome"] == "proceed"
    return client


def test_complete_records_exposures_and_flags_a_dap_above_the_drl(started, chest_xray):
    response = started.post_api(f"/examinations/{chest_xray.pk}/complete", {
        "exposures": [PA, REPEAT], "images_count": 1, "aftercare": "None needed", "notes": "Repeat for movement",
    })

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "completed"
    assert (data["total_dap_gy_cm2"], data["drl_value"], data["drl_exceeded"]) == ("0.1200", "0.1000", True)
    # The dose app chose the DRL (no approved local DRL here, so the policy's) and names it with its version.
    assert data["drl_source"] == "Policy v1 local DRL XCHES: 0.1 Gy·cm² (Northgate local DRL (example))"
    assert [x["dap_gy_cm2"] for x in data["exposures"]] == ["0.0600", "0.0600"]
    assert data["exposures"][1]["entered_dap"] == "60 mGy·cm²"
    assert (data["exposures"][1]["is_repeat"], data["exposures"][1]["repeat_reason"]) == (True, "motion")
    assert [(e["action"], e["source"]) for e in data["events"][-2:]] == [("completed", "api"), ("drl_compared", "api")]


def test_a_dap_within_the_drl_is_not_flagged(started, chest_xray):
    data = started.post_api(f"/examinations/{chest_xray.pk}/complete", {"exposures": [PA], "images_count": 1}).json()

    assert data["drl_exceeded"] is False


def test_exposure_problems_name_the_field(started, chest_xray):
    bad_unit = started.post_api(f"/examinations/{chest_xray.pk}/complete",
                                {"exposures": [PA, {**PA, "dap_unit": "rads"}], "images_count": 2})
    no_reason = started.post_api(f"/examinations/{chest_xray.pk}/complete",
                                 {"exposures": [{**REPEAT, "repeat_reason": ""}], "images_count": 1})
    missing = started.post_api(f"/examinations/{chest_xray.pk}/complete", {"exposures": [{"projection": "PA"}],
                                                                           "images_count": 1})

    assert (bad_unit.status_code, bad_unit.json()["field"]) == (400, "exposures[1].dap_unit")
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "exposures[0].repeat_reason")
    assert (missing.status_code, missing.json()["field"]) == (422, "exposures[0].kvp")
    assert Examination.objects.get(pk=chest_xray.pk).status == "in_progress"


def test_only_the_operator_completes(started, api_as, second_radiographer, chest_xray):
    response = api_as(second_radiographer).post_api(f"/examinations/{chest_xray.pk}/complete",
                                                    {"exposures": [PA], "images_count": 1})

    assert response.status_code == 403


def test_a_finding_is_escalated_and_the_radiographer_records_the_action(started, api_as, radiographer, chest_xray):
    started.post_api(f"/examinations/{chest_xray.pk}/complete", {"exposures": [PA], "images_count": 1})

    flagged = started.post_api(f"/examinations/{chest_xray.pk}/findings", {"note": "Large opacity, left upper zone"})

    assert flagged.status_code == 201, flagged.json()
    assert (flagged.json()["kind"], flagged.json()["reason_codes"]) == ("finding", ["urgent-finding"])
    client = api_as(radiographer)
    pk = flagged.json()["id"]
    wrong = client.post_api(f"/escalations/{pk}/finding-action", {"action": "shrugged"})
    done = client.post_api(f"/escalations/{pk}/finding-action", {"action": "informed_radiologist",
                                                                 "note": "Dr Shah will report today"})
    assert (wrong.status_code, wrong.json()["field"]) == (400, "action")
    assert done.status_code == 200, done.json()
    assert done.json()["escalation"]["resolution"] == "finding_actioned"
    assert done.json()["escalation"]["resolution_note"].startswith("Informed the radiologist.")
