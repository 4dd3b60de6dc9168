"""The register's services: who may change a unit, what each change records, and the return-to-service rule."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from inscope.audit.models import AppendOnlyError, AuditEvent
from inscope.equipment import services
from inscope.equipment.models import Unit, UnitEvent
from inscope.lib.errors import DomainError, InvalidTransition
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

DETAILS: dict[str, Any] = {
    "kind": "detector", "name": "X-ray room 1 detector", "manufacturer": "Carestream", "model": "DRX Plus",
    "serial_number": "CS-1001", "installed_on": "2023-05-02", "station_name": "NGHDX1",
    "device_serial_number": "DRX-77", "ae_title": " ngh_dx1 ",
}


@pytest.fixture
def unit(xray_room):
    return f.UnitFactory.create(room=xray_room, name="X-ray room 1 detector")


def kinds(unit):
    return list(UnitEvent.objects.filter(unit=unit).values_list("kind", flat=True))


def test_a_manager_registers_a_unit_with_its_dicom_identity(department, xray_room, manager):
    unit = services.register_unit(department=department, room=xray_room, by=manager, source="web", **DETAILS)

    unit.refresh_from_db()
    assert (unit.site, unit.status, unit.required) == (xray_room.site, "in_service", True)
    assert unit.ae_title == "NGH_DX1"  # as inscope.dose stores a station's AE title, so a local DRL applies
    assert kinds(unit) == ["registered"]
    assert AuditEvent.objects.filter(action="equipment.registered", object_id=str(unit.pk)).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "toaster", "Choose what kind"),
    ("serial_number", " ", "Enter the serial number"),
    ("installed_on", "2026-02-30", "Date installed must be a real date"),
    ("installed_on", "2099-01-01", "cannot be in the future"),
    ("ae_title", "A" * 17, "at most 16 characters"),
    ("name", "x" * 121, "120 characters or fewer"),
])
def test_bad_details_are_refused_and_nothing_is_saved(department, xray_room, manager, field, value, message):
    with pytest.raises(DomainError, match=message) as error:
        services.register_unit(department=department, room=xray_room, by=manager, source="web",
                               **(DETAILS | {field: value}))

    assert error.value.field == field
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="equipment.").exists()


def test_a_serial_number_is_registered_once(department, xray_room, manager):
    services.register_unit(department=department, room=xray_room, by=manager, source="web", **DETAILS)

    with pytest.raises(DomainError, match="already registered") as error:
        services.register_unit(department=department, room=xray_room, by=manager, source="web", **DETAILS)
    assert error.value.field == "serial_number"
    assert Unit.objects.count() == 1


def test_an_ap_may_not_register_a_unit(department, xray_room, ap):
    with pytest.raises(PermissionDenied):
        services.register_unit(department=department, room=xray_room, by=ap, source="web", **DETAILS)


def test_a_mobile_unit_has_a_site_and_no_room(department, site, manager):
    unit = services.register_unit(department=department, room=None, site=site, by=manager, source="web",
                                  **(DETAILS | {"kind": "mobile_xray", "name": "Mobile 1"}))

    assert unit.room is None
    assert unit.location == f"Mobile, kept at {site.name}"


def test_an_update_records_what_changed(unit, manager):
    services.update_unit(unit, by=manager, source="web", station_name="NGH-DX1-DET")

    event = UnitEvent.objects.get(unit=unit, kind="updated")
    assert "station_name:  → NGH-DX1-DET" in event.note


def test_anyone_clinical_reports_a_fault_and_the_unit_goes_out_of_service(unit, ap):
    services.report_fault(unit, status="out_of_service", description="Cracked detector housing", by=ap,
                          source="web")

    unit.refresh_from_db()
    assert (unit.status, unit.status_reason) == ("out_of_service", "Fault: Cracked detector housing")
    event = UnitEvent.objects.get(unit=unit, kind="fault_reported")
    assert (event.by, event.from_status, event.to_status) == (ap, "in_service", "out_of_service")
    assert AuditEvent.objects.filter(action="equipment.fault_reported", actor=ap).exists()


def test_a_restriction_reported_on_an_out_of_service_unit_leaves_it_out_of_service(unit, ap):
    services.report_fault(unit, status="out_of_service", description="No exposure", by=ap, source="web")
    services.report_fault(unit, status="restricted", description="Collimator light dim", by=ap, source="web")

    unit.refresh_from_db()
    assert unit.status == "out_of_service"


def test_a_fault_needs_a_description_and_a_status(unit, ap):
    with pytest.raises(DomainError) as error:
        services.report_fault(unit, status="out_of_service", description="  ", by=ap, source="web")
    assert error.value.field == "description"
    with pytest.raises(DomainError) as error:
        services.report_fault(unit, status="in_service", description="Fine really", by=ap, source="web")
    assert error.value.field == "status"
    unit.refresh_from_db()
    assert unit.status == "in_service"
    assert kinds(unit) == []


def test_return_to_service_needs_a_service_event_after_the_fault(unit, ap, radiographer, manager):
    services.report_fault(unit, status="out_of_service", description="Uniformity failed", by=ap, source="web")

    with pytest.raises(InvalidTransition, match="record the engineer visit"):
        services.return_to_service(unit, signed_off_by="Rachel Hughes", note="Looks fine", by=radiographer,
                                   source="web")
    services.record_service_event(unit, kind="engineer_visit", note="Detector recalibrated", by=manager,
                                  source="web")
    services.return_to_service(unit, signed_off_by="Rachel Hughes", note="Uniformity within tolerance",
                               by=radiographer, source="web")

    unit.refresh_from_db()
    assert unit.status == "in_service"
    assert kinds(unit) == ["fault_reported", "engineer_visit", "returned_to_service"]
    assert UnitEvent.objects.get(unit=unit, kind="returned_to_service").signed_off_by == "Rachel Hughes"


def test_a_service_event_dated_before_the_fault_does_not_answer_it(unit, ap, radiographer, manager):
    services.report_fault(unit, status="out_of_service", description="No exposure", by=ap, source="web")
    earlier = unit.events.get().at - dt.timedelta(hours=1)
    services.record_service_event(unit, kind="planned_maintenance", note="Annual PM", by=manager, source="web",
                                  at=earlier)

    with pytest.raises(InvalidTransition):
        services.return_to_service(unit, signed_off_by="R Hughes", note="ok", by=radiographer, source="web")


def test_return_to_service_needs_a_named_person_and_the_right_role(unit, ap, radiographer):
    services.set_unit_status(unit, "restricted", reason="Daily check overdue", by=None, source="qa")

    with pytest.raises(DomainError) as error:
        services.return_to_service(unit, signed_off_by=" ", note="Checked", by=radiographer, source="web")
    assert error.value.field == "signed_off_by"
    with pytest.raises(PermissionDenied):
        services.return_to_service(unit, signed_off_by="A Patel", note="Checked", by=ap, source="web")
    services.return_to_service(unit, signed_off_by="Rachel Hughes", note="Daily check done, all OK",
                               by=radiographer, source="web")
    unit.refresh_from_db()
    assert unit.status == "in_service"


def test_a_unit_in_service_cannot_be_returned_to_service(unit, radiographer):
    with pytest.raises(InvalidTransition, match="already in service"):
        services.return_to_service(unit, signed_off_by="R Hughes", note="ok", by=radiographer, source="web")


def test_the_qa_checks_set_a_status_without_a_person(unit):
    services.set_unit_status(unit, "out_of_service", reason="Tube output at action level", by=None, source="qa")

    unit.refresh_from_db()
    event = UnitEvent.objects.get(unit=unit)
    assert (unit.status, event.kind, event.by_label, event.source) == ("out_of_service", "status_changed", "qa", "qa")
    assert AuditEvent.objects.get(action="equipment.status_changed").channel == "system"


def test_a_decommissioned_unit_cannot_change(unit, manager, ap):
    services.decommission_unit(unit, on=dt.date(2026, 11, 1), note="Replaced", by=manager, source="web")

    with pytest.raises(InvalidTransition, match="decommissioned"):
        services.report_fault(unit, status="out_of_service", description="x", by=ap, source="web")


def test_the_history_is_append_only(unit, ap, append_only_enforced):
    services.report_fault(unit, status="restricted", description="Grid lines", by=ap, source="web")
    event = UnitEvent.objects.get(unit=unit)

    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
