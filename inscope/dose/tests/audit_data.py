"""Dose data for the audit, page and API tests, written straight to the database (test set-up only).

Figures are given in display units (DAP in Gy·cm²) and stored as the models store them (DAP in Gy·m²).
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from inscope.department.models import Department, Room
from inscope.dose.models import DoseObject, DoseStudy, DrlSet, IrradiationEventRecord, ReferenceLevel, SaueReview
from inscope.exams.models import Examination
from inscope.staff.models import User

LONDON = zoneinfo.ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def at(day: dt.date | str, hour: int = 10) -> dt.datetime:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def local_drl(department: Department, protocol_code: str, *, dap_gy_cm2: float | None = None,
              dlp_mgy_cm: float | None = None, by: User | None = None, room: Room | None = None,
              effective_from: dt.date = dt.date(2026, 1, 1), status: str = "approved") -> ReferenceLevel:
    if dap_gy_cm2 is not None:
        quantity, value, published = "dap", dap_gy_cm2 / 1e4, f"{dap_gy_cm2} Gy·cm²"
    else:
        quantity, value, published = "dlp", float(dlp_mgy_cm or 0), f"{dlp_mgy_cm} mGy·cm"
    return ReferenceLevel.objects.create(
        scope="local", department=department, modality="DX" if quantity == "dap" else "CT",
        examination=f"{protocol_code} local", protocol_code=protocol_code, room=room, quantity=quantity,
        value=value, value_as_published=published, source="Northgate local audit 2026", effective_from=effective_from,
        status=status, proposed_by=by, approved_by=by if status == "approved" else None)


def national_set(name: str = "UKHSA NDRLs 2022 (test)") -> tuple[DrlSet, ReferenceLevel]:
    drl_set = DrlSet.objects.create(name=name, source="UKHSA, National Diagnostic Reference Levels (test copy)",
                                    file_sha256=f"{next(_numbers):064d}")
    level = ReferenceLevel.objects.create(
        scope="national", drl_set=drl_set, modality="CT", examination="Head", detail="Acute stroke",
        quantity="dlp", value=790.0, value_as_published="790 mGy cm", source=drl_set.source, year=2022,
        effective_from=dt.date(2024, 11, 20), status="approved")
    return drl_set, level


def study(*, when: dt.datetime, modality: str = "DX", exam: Examination | None = None, room: Room | None = None,
          department: Department | None = None, description: str = "", dap_gy_cm2: float | None = None,
          dlp_mgy_cm: float | None = None, drl: ReferenceLevel | None = None, events: int = 1,
          warnings: list[str] | None = None, **fields) -> DoseStudy:
    """A dose study with its events and one source object, compared with ``drl`` when one is given."""
    number = next(_numbers)
    dap = dap_gy_cm2 / 1e4 if dap_gy_cm2 is not None else None
    study = DoseStudy.objects.create(
        study_instance_uid=f"2.25.{900000 + number}", examination=exam, department=department,
        room=room, accession_number=exam.accession_number if exam else f"UNL{number:05d}", modality=modality,
        study_date_time=when, study_description=description or (exam.protocol_name if exam else ""),
        station_ae_title=room.ae_title if room else "", source="import", event_count=events,
        total_dap_gy_m2=dap, total_dlp_mgy_cm=dlp_mgy_cm, warnings=warnings or [], **fields)
    for index in range(events):
        IrradiationEventRecord.objects.create(
            study=study, event_uid=f"{study.study_instance_uid}.{index + 1}", kind="ct" if modality == "CT" else
            "projection", at=when, protocol="Test protocol", dap_gy_m2=dap / events if dap is not None else None,
            dlp_mgy_cm=dlp_mgy_cm / events if dlp_mgy_cm is not None else None, kvp=80.0,
            source_sop_instance_uid=f"{study.study_instance_uid}.0.1")
    DoseObject.objects.create(study=study, sop_instance_uid=f"{study.study_instance_uid}.0.1",
                              sop_class_uid="1.2.840.10008.5.1.4.1.1.88.67", object_kind="rdsr",
                              events_in_object=events, new_events=events)
    if drl is not None:
        compare(study, drl)
    return study


def compare(study: DoseStudy, drl: ReferenceLevel) -> DoseStudy:
    """Store a DRL comparison as the dose service does."""
    figure = study.total_dap_gy_m2 if drl.quantity == "dap" else study.total_dlp_mgy_cm
    assert figure is not None
    study.reference_level = drl
    study.drl_label = drl.label
    study.drl_quantity = drl.quantity
    study.drl_value = drl.value
    study.drl_ratio = figure / drl.value
    study.drl_exceeded = figure > drl.value
    study.save()
    return study


def saue_review(study: DoseStudy, *, criterion: str = "drl-multiple", status: str = "open", **fields) -> SaueReview:
    defaults = {
        "code": "3", "category": "interventional radiology and cardiology (including interventional CT)",
        "summary": f"{study.modality} study {study.accession_number}: dose at least 10 × the local DRL",
        "figures": {"ratio_to_drl": {"value": 12.5, "unit": "× DRL"},
                    "total_dap": {"value": 62.5, "unit": "Gy·cm²"}},
        "band": "", "examination": study.examination,
    }
    defaults.update(fields)
    return SaueReview.objects.create(study=study, criterion=criterion, status=status, **defaults)
