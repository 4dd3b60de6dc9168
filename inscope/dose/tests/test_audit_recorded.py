"""The audit over doses recorded as the listener and import record them (record_dose), compared by the DRL service:
the policy's DRL, then an approved local DRL once a second person approves it; and mammography on AGD per view."""

from __future__ import annotations

import datetime as dt

import pytest

from inscope.dose.audit import AuditFilters, run_audit
from inscope.dose.models import IrradiationEventRecord
from inscope.dose.report import DoseReport, EventKind, IrradiationEvent, ObjectKind
from inscope.dose.services import drls, record_dose
from inscope.dose.tests.audit_data import at, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

RDSR = "1.2.840.10008.5.1.4.1.1.88.67"
PERIOD = AuditFilters(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 28))


def chest_report(exam, number: int, dap_gy_cm2: float, day: dt.date) -> DoseReport:
    uid = exam.study_instance_uid
    return DoseReport(
        sop_instance_uid=f"{uid}.9.{number}", sop_class_uid=RDSR, object_kind=ObjectKind.RDSR, study_instance_uid=uid,
        modality="DX", accession_number=exam.accession_number, study_date_time=at(day),
        station_ae_title="NGH_DX1", events=(IrradiationEvent(uid=f"{uid}.1", kind=EventKind.PROJECTION,
                                                             at=at(day), dap_gy_m2=dap_gy_cm2 / 1e4),))


def test_recorded_studies_are_audited_against_the_drl_they_were_compared_with(policy, department, site, xray_room,
                                                                              manager, mpe):
    def chest(number: int, dap: float, day: dt.date) -> None:
        exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed")
        record_dose(chest_report(exam, number, dap, day), source="import")

    for number, dap in enumerate((0.08, 0.12, 0.16), start=1):
        chest(number, dap, dt.date(2026, 11, 2))  # the policy's DRL for XCHES: 0.10 Gy·cm²
    level = drls.propose_local_drl(department=department, protocol_code="XCHES", quantity="dap", value=0.14,
                                   unit="Gy·cm²", effective_from=dt.date(2026, 11, 10), source="Local audit Q3",
                                   by=mpe)
    drls.approve_local_drl(level, by=manager)
    for number, dap in enumerate((0.13, 0.15), start=4):
        chest(number, dap, dt.date(2026, 11, 20))

    [row] = run_audit(PERIOD).rows

    assert (row.protocol, row.n, row.unit) == ("XCHES", 5, "Gy·cm²")
    assert row.median == pytest.approx(0.13) and row.p75 == pytest.approx(0.15)
    level.refresh_from_db()
    assert row.drl_label == level.label and row.drl_value == pytest.approx(0.14)  # the latest study's DRL
    assert len(row.drl_versions) == 2 and any(v.startswith("Policy v1") for v in row.drl_versions)
    assert row.above_drl == 3  # 0.12 and 0.16 above the policy's 0.10; 0.15 above the local 0.14
    assert row.ratio == pytest.approx(0.13 / 0.14)


def test_mammography_is_audited_on_the_largest_agd_per_view(department, site):
    room = f.RoomFactory.create(site=site, name="Mammography 1", modality="MG", ae_title="NGH_MG1")
    s = study(when=at("2026-11-03"), modality="MG", room=room, description="SCREENING MAMMO", events=0,
              agd_left_mgy=2.9, agd_right_mgy=3.1)
    for number, (side, view, agd) in enumerate([("L", "CC", 1.4), ("L", "MLO", 1.5), ("R", "CC", 1.3),
                                                ("R", "MLO", 1.8)]):
        IrradiationEventRecord.objects.create(study=s, event_uid=f"{s.study_instance_uid}.{number}",
                                              kind="mammography", laterality=side, view=view, agd_mgy=agd,
                                              source_sop_instance_uid=f"{s.study_instance_uid}.0.1")

    [row] = run_audit(PERIOD).rows

    assert (row.quantity, row.quantity_name, row.unit) == ("agd", "AGD", "mGy")
    assert row.values == [pytest.approx(1.8)]
