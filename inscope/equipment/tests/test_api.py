"""The equipment API: list and filter units, read one, report a fault and return a unit to service."""

import pytest

from inscope.equipment import services
from inscope.exams.tests.api.conftest import ApiClient
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def detector(xray_room):
    return f.UnitFactory.create(room=xray_room, name="X-ray room 1 detector", ae_title="NGH_DX1")


def test_list_units_filtered_by_status(ap, detector, xray_room):
    f.UnitFactory.create(room=xray_room, name="X-ray room 1 tube", status="out_of_service")

    response = ApiClient(ap).get_api("/equipment/units", {"status": "in_service", "site": xray_room.site.code})

    assert response.status_code == 200
    assert [(u["name"], u["room"], u["ae_title"]) for u in response.json()] == [
        ("X-ray room 1 detector", "X-ray room 1", "NGH_DX1")]


def test_fault_then_return_to_service(ap, radiographer, manager, detector):
    response = ApiClient(ap).post_api(f"/equipment/units/{detector.pk}/fault",
                                      {"status": "out_of_service", "description": "Uniformity failed"})
    assert response.status_code == 200
    assert response.json()["status"] == "out_of_service"

    refused = ApiClient(radiographer).post_api(f"/equipment/units/{detector.pk}/return-to-service",
                                               {"signed_off_by": "Rachel Hughes", "note": "ok"})
    assert refused.status_code == 409
    services.record_service_event(detector, kind="engineer_visit", note="Recalibrated", by=manager, source="web")
    response = ApiClient(radiographer).post_api(f"/equipment/units/{detector.pk}/return-to-service",
                                                {"signed_off_by": "Rachel Hughes", "note": "Uniformity passed"})
    assert response.status_code == 200
    assert ApiClient(ap).get_api(f"/equipment/units/{detector.pk}").json()["status"] == "in_service"


def test_bad_input_and_refusals(ap, detector, stranger):
    bad = ApiClient(ap).post_api(f"/equipment/units/{detector.pk}/fault", {"status": "broken", "description": "x"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"
    blank = ApiClient(ap).post_api(f"/equipment/units/{detector.pk}/fault",
                                   {"status": "restricted", "description": " "})
    assert (blank.status_code, blank.json()["field"]) == (400, "description")
    assert ApiClient(ap).post_api(f"/equipment/units/{detector.pk}/return-to-service",
                                  {"signed_off_by": "A Patel", "note": "x"}).status_code == 403
    assert ApiClient(stranger).get_api("/equipment/units").status_code == 403
    assert ApiClient(ap).get_api("/equipment/units/999999").status_code == 404


def test_a_caller_sees_only_the_units_of_the_sites_where_they_work(detector, department):
    elsewhere = f.SiteFactory.create(department=department, code="svh", name="Southview")
    far_unit = f.UnitFactory.create(room=f.RoomFactory.create(site=elsewhere, name="Southview X-ray"),
                                    name="Southview detector")
    local = f.person("ap.local", "assistant_practitioner", site=detector.site, name="Lee Local")

    listed = ApiClient(local).get_api("/equipment/units").json()

    assert [u["name"] for u in listed] == ["X-ray room 1 detector"]
    assert ApiClient(local).get_api(f"/equipment/units/{far_unit.pk}").status_code == 404
    assert ApiClient(local).post_api(f"/equipment/units/{far_unit.pk}/fault",
                                     {"status": "out_of_service", "description": "x"}).status_code == 404
