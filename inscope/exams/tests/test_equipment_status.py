"""The decision reads the room's equipment: a required unit out of service stops the examination, a restricted
one escalates it, and once the unit is returned to service the examination proceeds."""

import pytest

from inscope.equipment import services as equipment
from inscope.exams import services
from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def detector(xray_room):
    return f.UnitFactory.create(room=xray_room, name="X-ray room 1 detector")


def start(exam, ap):
    services.record_checklist(exam, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return services.start_examination(exam, by=ap, source="web")


def test_an_out_of_service_unit_stops_the_examination_and_returning_it_lets_it_proceed(
        ap, chest_xray, supervised, detector, manager, radiographer):
    equipment.report_fault(detector, status="out_of_service", description="Uniformity check failed", by=ap,
                           source="web")

    result = start(chest_xray, ap)

    assert result.decision.outcome == "stop"
    assert result.decision.codes == ("equipment-out-of-service",)
    assert "X-ray room 1 detector (Fault: Uniformity check failed)" in result.decision.reasons[0].message
    assert Examination.objects.get(pk=chest_xray.pk).status == "scheduled"

    equipment.record_service_event(detector, kind="engineer_visit", note="Detector replaced", by=manager,
                                   source="web")
    equipment.return_to_service(detector, signed_off_by="Rachel Hughes", note="Uniformity passed",
                                by=radiographer, source="web")

    assert start(chest_xray, ap).decision.outcome == "proceed"


def test_a_restricted_unit_escalates(ap, chest_xray, supervised, detector):
    equipment.report_fault(detector, status="restricted", description="Faint grid lines", by=ap, source="web")

    result = start(chest_xray, ap)

    assert result.decision.outcome == "escalate"
    assert result.decision.codes == ("equipment-restricted",)


@pytest.mark.parametrize("change", ["not required", "decommissioned", "another room"])
def test_only_the_rooms_required_units_in_use_count(ap, chest_xray, supervised, detector, site, change):
    if change == "not required":
        detector.required = False
    elif change == "decommissioned":
        detector.decommissioned_on = detector.installed_on
    else:
        detector.room = f.RoomFactory.create(site=site, name="X-ray room 2", ae_title="NGH_DX2")
    detector.status = "out_of_service"
    detector.save()

    assert start(chest_xray, ap).decision.outcome == "proceed"


def test_the_decision_reads_the_status_in_one_query(ap, chest_xray, detector, django_assert_num_queries):
    from inscope.exams.facts import equipment_facts

    with django_assert_num_queries(1):
        units = equipment_facts(chest_xray, detector.installed_on)
    assert [(u.name, u.status.value) for u in units] == [("X-ray room 1 detector", "in_service")]
