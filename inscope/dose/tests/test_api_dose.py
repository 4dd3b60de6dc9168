"""The dose API at /api/v1/dose/: studies, the audit as JSON, SAUE reviews (and recording an outcome) and DRLs;
each refused to people who may not read dose audits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from inscope.dose.models import SaueReview
from inscope.dose.tests.audit_data import at, local_drl, national_set, saue_review, study
from inscope.staff.models import ApiToken, User
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/dose"


class Api(Client):
    def __init__(self, user: User) -> None:
        _, key = ApiToken.issue(user, "tests")
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {key}")

    def get_json(self, path: str, params: dict[str, Any] | None = None):
        return self.get(f"{API}{path}", params or {})

    def post_json(self, path: str, body: dict[str, Any]):
        return self.post(f"{API}{path}", body, content_type="application/json")


@pytest.fixture
def data(department, site, xray_room, manager):
    drl = local_drl(department, "XCHES", dap_gy_cm2=5.0, by=manager)
    studies = []
    for value in range(1, 11):
        exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed")
        studies.append(study(when=at(dt.date(2026, 10, value)), exam=exam, room=xray_room, dap_gy_cm2=float(value),
                             drl=drl, warnings=["Multi-valued kVp: first value used"] if value == 10 else None))
    ct = study(when=at("2026-11-01"), modality="CT", room=None, description="HEAD", dlp_mgy_cm=820.0, events=3)
    return drl, studies, ct


@pytest.mark.parametrize("path", ["/studies", "/audit", "/saue-reviews", "/drls"])
def test_reading_needs_the_dose_audit_permission(ap, path, data):
    assert Api(ap).get_json(path).status_code == 403
    assert Client().get(f"{API}{path}").status_code == 401


def test_studies_newest_first_with_filters(radiographer, data):
    _, studies, ct = data
    api = Api(radiographer)

    everything = api.get_json("/studies").json()
    october_dx = api.get_json("/studies", {"date_from": "2026-10-02", "date_to": "2026-10-03",
                                           "modality": "dx"}).json()

    assert everything["count"] == 11 and everything["items"][0]["id"] == ct.pk
    assert [s["id"] for s in october_dx["items"]] == [studies[2].pk, studies[1].pk]
    first = october_dx["items"][1]
    assert first["total_dap_gy_m2"] == pytest.approx(2e-4) and first["protocol_code"] == "XCHES"
    assert first["drl"]["quantity"] == "dap" and first["drl"]["ratio"] == pytest.approx(0.4)
    assert first["drl"]["exceeded"] is False and first["room"] == "X-ray room 1"
    page = api.get_json("/studies", {"limit": 2, "offset": 2}).json()
    assert (page["count"], len(page["items"]), page["offset"]) == (11, 2, 2)


def test_one_study_with_its_events_warnings_and_source_objects(radiographer, data):
    _, studies, ct = data
    api = Api(radiographer)

    body = api.get_json(f"/studies/{studies[9].pk}").json()
    head = api.get_json(f"/studies/{ct.pk}").json()

    assert body["warnings"] == ["Multi-valued kVp: first value used"]
    assert len(body["event_list"]) == 1 and body["event_list"][0]["kvp"] == 80.0
    assert body["objects"][0]["sop_instance_uid"] == f"{studies[9].study_instance_uid}.0.1"
    assert body["drl"]["label"] == data[0].label and body["drl"]["exceeded"] is True
    assert head["examination_id"] is None and head["drl"] is None and head["total_dlp_mgy_cm"] == 820.0
    assert len(head["event_list"]) == 3
    assert api.get_json("/studies/999999").status_code == 404


def test_the_audit_as_json(manager, data):
    body = Api(manager).get_json("/audit", {"date_from": "2026-10-01", "date_to": "2026-10-31"}).json()

    assert body["date_from"] == "2026-10-01" and body["min_studies"] == 10
    assert "method 7" in body["percentile_method"]
    assert body["drl_versions"] == [data[0].label]
    [row] = body["rows"]
    assert (row["protocol"], row["n"], row["unit"], row["source"]) == ("XCHES", 10, "Gy·cm²", "report")
    assert row["median"] == pytest.approx(5.5) and row["p75"] == pytest.approx(7.75)
    assert row["ratio"] == pytest.approx(1.1) and row["median_above_drl"] is True and row["indicative"] is False


def test_the_audit_refuses_a_backwards_period(manager):
    response = Api(manager).get_json("/audit", {"date_from": "2026-10-31", "date_to": "2026-10-01"})

    assert response.status_code == 400
    assert response.json() == {"error": "date_to must be the same as or after date_from.", "field": "date_to"}


def test_saue_reviews_open_first_and_the_outcome_is_recorded(rps, radiographer, data):
    _, studies, ct = data
    closed = saue_review(ct, criterion="repeat", status="closed", outcome="not_saue", outcome_note="Planned.",
                         reviewed_by=rps, reviewed_at=at("2026-11-02"))
    item = saue_review(studies[9])
    api = Api(rps)

    listed = api.get_json("/saue-reviews").json()

    assert [r["id"] for r in listed["items"]] == [item.pk, closed.pk]
    assert listed["notice"].startswith("InScope never notifies")
    assert listed["items"][1]["reviewed_by"] == "rps.lee"
    assert [r["id"] for r in api.get_json("/saue-reviews", {"status": "open"}).json()["items"]] == [item.pk]

    refused = Api(radiographer).post_json(f"/saue-reviews/{item.pk}/outcome", {"outcome": "not_saue", "note": "x"})
    assert refused.status_code == 403
    bad = api.post_json(f"/saue-reviews/{item.pk}/outcome", {"outcome": "tell_cqc", "note": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"
    assert api.post_json(f"/saue-reviews/{item.pk}/outcome", {"outcome": "not_saue", "note": ""}).status_code == 422
    assert SaueReview.objects.get(pk=item.pk).status == "open"

    done = api.post_json(f"/saue-reviews/{item.pk}/outcome", {"outcome": "notifiable", "note": "Employer notifies."})

    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["outcome"], body["reviewed_by"]) == ("closed", "notifiable", "rps.lee")
    assert api.post_json("/saue-reviews/999999/outcome", {"outcome": "not_saue", "note": "x"}).status_code == 404


def test_drls_national_and_local_with_links(radiographer, department, data, manager):
    drl = data[0]
    drl_set, head = national_set()

    body = Api(radiographer).get_json("/drls").json()

    assert [s["name"] for s in body["sets"]] == [drl_set.name]
    levels = {level["id"]: level for level in body["levels"]}
    assert levels[head.pk]["scope"] == "national" and levels[head.pk]["value_as_published"] == "790 mGy cm"
    assert levels[head.pk]["drl_set_id"] == drl_set.pk
    local = levels[drl.pk]
    assert (local["scope"], local["status"], local["protocol_code"], local["quantity"]) == (
        "local", "approved", "XCHES", "dap")
    assert local["value"] == pytest.approx(5e-4) and local["proposed_by"] == "m.okafor"
    assert body["links"] == []
