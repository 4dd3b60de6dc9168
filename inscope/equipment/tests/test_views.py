"""The equipment pages: the register with what is due, a unit's page and its forms, reporting a fault from the
examination page, adding a unit, and the inventory export (with formula injection guarded)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from inscope.equipment.models import Accessory, TestEquipment, Unit, UnitEvent
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def text_of(page: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.decode())).split())


@pytest.fixture
def detector(xray_room):
    return f.UnitFactory.create(room=xray_room, name="X-ray room 1 detector")


def test_the_register_shows_units_accessories_and_what_is_overdue(client, ap, detector, department, site):
    Accessory.objects.create(department=department, site=site, kind="lead_apron", serial_number="LA-7",
                             lead_equivalence_mm="0.35", next_screening_due=dt.date(2026, 1, 1))
    TestEquipment.objects.create(department=department, kind="dosemeter", name="RaySafe X2", serial_number="RS1",
                                 calibration_due=dt.date(2027, 6, 1))
    client.force_login(ap)

    page = text_of(client.get(reverse("equipment:register")).content)

    assert "X-ray room 1 detector" in page
    assert "LA-7" in page and "Overdue since 01 Jan 2026" in page
    assert "RaySafe X2" in page and "Due 01 Jun 2027" in page


def test_someone_without_a_clinical_role_cannot_see_the_register(client, stranger):
    client.force_login(stranger)

    assert client.get(reverse("equipment:register")).status_code == 403


def test_a_fault_reported_on_the_unit_page_takes_it_out_of_service(client, ap, detector):
    client.force_login(ap)

    response = client.post(reverse("equipment:unit_write", args=[detector.pk, "fault"]),
                           {"status": "out_of_service", "description": "Cracked housing"})

    assert response.status_code == 302
    detector.refresh_from_db()
    assert detector.status == "out_of_service"
    page = text_of(client.get(reverse("equipment:unit", args=[detector.pk])).content)
    assert "Fault: Cracked housing" in page
    assert "Return to service" not in page  # an AP may not return it


def test_a_fault_without_a_description_is_shown_back_with_the_error(client, ap, detector):
    client.force_login(ap)

    response = client.post(reverse("equipment:unit_write", args=[detector.pk, "fault"]),
                           {"status": "out_of_service", "description": ""})

    assert response.status_code == 400
    assert 'href="#fault-description"' in response.content.decode()
    assert not UnitEvent.objects.exists()


def test_an_ap_cannot_record_a_service_event(client, ap, detector):
    client.force_login(ap)

    response = client.post(reverse("equipment:unit_write", args=[detector.pk, "service"]),
                           {"kind": "engineer_visit", "note": "Fixed it"})

    assert response.status_code == 403
    assert not UnitEvent.objects.exists()


def test_service_then_return_to_service_from_the_unit_page(client, ap, manager, radiographer, detector):
    client.force_login(ap)
    client.post(reverse("equipment:unit_write", args=[detector.pk, "fault"]),
                {"status": "out_of_service", "description": "No exposure"})
    client.force_login(radiographer)
    refused = client.post(reverse("equipment:unit_write", args=[detector.pk, "return"]),
                          {"signed_off_by": "Rachel Hughes", "note": "OK"})
    assert refused.status_code == 400
    assert "record the engineer visit" in text_of(refused.content)
    client.force_login(manager)
    client.post(reverse("equipment:unit_write", args=[detector.pk, "service"]),
                {"kind": "engineer_visit", "note": "Generator board replaced"})
    client.force_login(radiographer)

    response = client.post(reverse("equipment:unit_write", args=[detector.pk, "return"]),
                           {"signed_off_by": "Rachel Hughes", "note": "Test exposure fine"})

    assert response.status_code == 302
    detector.refresh_from_db()
    assert detector.status == "in_service"


def test_the_examination_page_links_to_the_rooms_fault_report(client, ap, chest_xray, detector):
    client.force_login(ap)
    exam_page = client.get(reverse("exams:detail", args=[chest_xray.pk])).content.decode()
    link = reverse("equipment:room_fault", args=[chest_xray.room_id])
    assert link in exam_page

    assert "X-ray room 1 detector" in text_of(client.get(link).content)
    response = client.post(link, {"unit": str(detector.pk), "status": "restricted",
                                  "description": "Grid lines on the last image"})

    assert response.status_code == 302
    detector.refresh_from_db()
    assert detector.status == "restricted"


def test_a_room_fault_must_name_the_unit(client, ap, detector):
    client.force_login(ap)

    response = client.post(reverse("equipment:room_fault", args=[detector.room_id]),
                           {"status": "restricted", "description": "x"})

    assert response.status_code == 400
    assert 'href="#fault-unit"' in response.content.decode()


def test_a_manager_adds_a_unit(client, manager, xray_room):
    client.force_login(manager)
    assert client.get(reverse("equipment:unit_new")).status_code == 200

    response = client.post(reverse("equipment:unit_new"), {
        "place": f"room-{xray_room.pk}", "kind": "xray_tube", "name": "X-ray room 1 tube", "manufacturer": "Siemens",
        "model": "Ysio Max", "serial_number": "YM-1", "installed_on": "2021-03-01", "ae_title": "ngh_dx1",
        "required": "yes"})

    unit = Unit.objects.get()
    assert response.status_code == 302
    assert (unit.room, unit.ae_title, unit.required) == (xray_room, "NGH_DX1", True)


def test_an_ap_cannot_add_a_unit(client, ap):
    client.force_login(ap)

    assert client.get(reverse("equipment:unit_new")).status_code == 403


def test_the_inventory_exports_guard_against_formulas(client, manager, detector):
    detector.name = "=HYPERLINK(\"http://evil\")"
    detector.save()
    client.force_login(manager)

    text = client.get(reverse("equipment:inventory_csv")).content.decode()
    assert "Name,Kind,Manufacturer,Model,Serial number,Installed,Decommissioned" in text
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(client.get(reverse("equipment:inventory_xlsx")).content))
    sheet = book["Inventory"]
    assert sheet["A2"].value == "=HYPERLINK(\"http://evil\")"
    assert sheet["A2"].data_type == "s"
    assert sheet["E2"].value == detector.serial_number
