"""The demo's equipment register: units for every room, two lead aprons (one due for screening), a dosemeter
with its calibration due, and one detector that failed this morning's uniformity check.

The failing detector is Southview's X-ray room's, not X-ray room 2's as issue 10's story has it: the browser
journeys (the trainee becoming entitled, the dose audit) do their examinations in X-ray room 2 and must still
proceed there. Loaded last, so the examinations the demo starts while loading are not affected.
"""

from __future__ import annotations

import datetime as dt

from inscope.department.models import Department, Room
from inscope.equipment import services
from inscope.equipment.models import Accessory, TestEquipment
from inscope.staff.models import User

# (site code, room, kind, name, manufacturer, model, serial, station name, AE title of the room)
UNITS = [
    ("ngh", "X-ray room 1", "xray_tube", "X-ray room 1 tube", "Siemens Healthineers", "Ysio Max", "YM-20411"),
    ("ngh", "X-ray room 1", "detector", "X-ray room 1 detector", "Siemens Healthineers", "MAX wi-D", "WD-88120"),
    ("ngh", "X-ray room 2", "xray_tube", "X-ray room 2 tube", "Carestream", "DRX-Evolution Plus", "CE-50113"),
    ("ngh", "X-ray room 2", "detector", "X-ray room 2 detector", "Carestream", "DRX Plus 3543C", "DP-71932"),
    ("ngh", "CT 1", "ct_scanner", "CT 1 scanner", "GE HealthCare", "Revolution EVO", "RE-30877"),
    ("ngh", "MRI 1", "mr_scanner", "MRI 1 scanner", "Philips", "Ingenia Ambition 1.5T", "IA-11402"),
    ("svh", "X-ray", "xray_tube", "Southview X-ray tube", "Fujifilm", "FDR Smart X", "FS-40219"),
    ("svh", "X-ray", "detector", "Southview X-ray detector", "Fujifilm", "FDR D-EVO III", "DE-62045"),
]
FAILING = "Southview X-ray detector"


def load_equipment(department: Department, people: dict[str, User], today: dt.date) -> None:
    manager = people["m.okafor"]
    for site_code, room_name, kind, name, manufacturer, model, serial in UNITS:
        room = Room.objects.get(site__code=site_code, name=room_name)
        services.register_unit(
            department=department, room=room, by=manager, source="cli", kind=kind, name=name,
            manufacturer=manufacturer, model=model, serial_number=serial, installed_on=dt.date(2021, 9, 6),
            station_name=room.ae_title, device_serial_number=serial, ae_title=room.ae_title)
    unit = department.units.get(name=FAILING)
    services.set_unit_status(unit, "out_of_service", reason="Detector uniformity check failed this morning",
                             by=people["ap.patel"], source="cli")
    ngh = department.sites.get(code="ngh")
    xray2 = Room.objects.get(site=ngh, name="X-ray room 2")
    Accessory.objects.create(department=department, site=ngh, room=xray2, kind="lead_apron", serial_number="LA-0141",
                             lead_equivalence_mm="0.35", last_screened_on=today - dt.timedelta(days=120),
                             next_screening_due=today + dt.timedelta(days=245))
    Accessory.objects.create(department=department, site=ngh, room=xray2, kind="lead_apron", serial_number="LA-0087",
                             lead_equivalence_mm="0.50", last_screened_on=today - dt.timedelta(days=372),
                             next_screening_due=today - dt.timedelta(days=7))
    TestEquipment.objects.create(department=department, kind="dosemeter", name="RaySafe X2 R/F sensor",
                                 serial_number="X2-218775", certificate_reference="NPL-2025-04417",
                                 calibrated_on=today - dt.timedelta(days=340),
                                 calibration_due=today + dt.timedelta(days=25))
