"""DAP typed in on completion is recorded as a dose study through ``record_dose`` and compared with the DRL that
applies, chosen as for a dose report (equipment, room, protocol, policy, national); the examination stores that one
comparison. On the demo department: X-ray room 2 has an approved local chest DRL of 0.12 Gy·cm², above the
policy's 0.10."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from inscope.audit.models import AuditEvent
from inscope.department.models import Room
from inscope.dose.audit import AuditFilters, run_audit
from inscope.dose.models import DoseStudy, ReferenceLevel
from inscope.dose.services import record_dose
from inscope.dose.services.manual import manual_uid
from inscope.dose.tests.audit_data import local_drl
from inscope.dose.tests.reports import event, report
from inscope.exams import services
from inscope.exams.models import ExamEvent, Examination
from inscope.policy.models import PolicyVersion
from inscope.staff.models import User
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    capsys.readouterr()


def chest_in(room_name: str) -> Examination:
    room = Room.objects.select_related("site").get(name=room_name, site__name__icontains="Northgate")
    return f.ExaminationFactory.create(
        department=room.site.department, site=room.site, room=room, status="in_progress",
        operator=User.objects.get(username="ap.patel"), policy_version=PolicyVersion.objects.get(status="approved"))


def complete(exam: Examination, dap: str = "0.11") -> Examination:
    return services.complete_examination(
        exam, by=User.objects.get(username="ap.patel"), source="web", images_count=1,
        exposures=[services.ExposureInput(projection="PA", kvp="110", mas="2", dap=dap, dap_unit="Gy·cm²")])


def test_a_manual_chest_dap_in_xray_room_2_is_compared_with_the_rooms_approved_drl_not_the_policys(demo):
    room_drl = ReferenceLevel.objects.get(scope="local", status="approved", protocol_code="XCHES",
                                          room__name="X-ray room 2")

    exam = complete(chest_in("X-ray room 2"))

    assert (exam.drl_value, exam.drl_exceeded) == (Decimal("0.1200"), False)  # 0.11 is above the policy's 0.10
    assert exam.drl_source == room_drl.label[:160]
    study = DoseStudy.objects.get(examination=exam)
    assert (study.source, study.reference_level, study.room_id) == ("manual", room_drl, exam.room_id)
    assert study.total_dap_gy_m2 == pytest.approx(0.11e-4) and study.drl_ratio == pytest.approx(0.11 / 0.12)
    assert not study.saue_reviews.exists()  # an ordinary chest X-ray meets no screening criterion
    compared = ExamEvent.objects.get(examination=exam, action="drl_compared")
    assert compared.by == exam.operator and "0.92 × DRL, at or below the DRL" in compared.reason
    recorded = AuditEvent.objects.get(action="dose.recorded", object_id=str(study.pk))
    assert (recorded.actor, recorded.channel) == (exam.operator, "web")
    assert AuditEvent.objects.filter(action="examination.drl_compared", object_id=str(exam.pk)).exists()


def test_in_xray_room_1_with_no_room_drl_the_policys_drl_is_used_as_for_a_dose_report(demo):
    exam = complete(chest_in("X-ray room 1"))

    assert (exam.drl_value, exam.drl_exceeded) == (Decimal("0.1000"), True)
    assert exam.drl_source.startswith("Policy v1 local DRL XCHES")
    assert DoseStudy.objects.get(examination=exam).reference_level is None  # a policy DRL has no row


def test_a_drl_for_the_rooms_equipment_is_preferred_to_the_room_drl(demo):
    department = Room.objects.get(name="X-ray room 2").site.department
    equipment = local_drl(department, "XCHES", dap_gy_cm2=0.105)
    equipment.station_ae_title = "NGH_DX2"
    equipment.save()

    exam = complete(chest_in("X-ray room 2"))

    assert (exam.drl_value, exam.drl_exceeded) == (Decimal("0.1050"), True)
    assert DoseStudy.objects.get(examination=exam).reference_level == equipment


def test_a_protocol_with_no_drl_is_recorded_and_says_why_it_was_not_compared(demo):
    exam = chest_in("X-ray room 2")
    Examination.objects.filter(pk=exam.pk).update(protocol_code="XKNEE", protocol_name="XR Knee")

    exam = complete(exam)

    assert (exam.drl_value, exam.drl_exceeded, exam.drl_source) == (None, None, "")
    reason = ExamEvent.objects.get(examination=exam, action="drl_compared").reason
    assert reason == "DAP 0.1100 Gy·cm² not compared: No approved DRL is set for protocol XKNEE."


def test_a_dose_report_arriving_later_is_its_own_study_and_the_audit_counts_the_examination_once(demo):
    exam = complete(chest_in("X-ray room 2"))
    manual = DoseStudy.objects.get(examination=exam)
    assert manual.study_instance_uid == manual_uid(exam, "study") != exam.study_instance_uid
    assert exam.ended_at is not None
    day = timezone.localdate(exam.ended_at)
    filters = AuditFilters(start=day, end=day, protocol="XCHES", room_id=exam.room_id)
    assert [(row.source, row.n) for row in run_audit(filters).rows] == [("manual", 1)]

    record_dose(report("r1", [event(1, dap_gy_cm2=0.1)], study="2.25.777", accession_number=exam.accession_number,
                       station_ae_title="NGH_DX2"), source="import")

    assert exam.dose_studies.count() == 2
    # The dose report now stands for the examination; the manual entry is no longer counted.
    assert [(row.source, row.n) for row in run_audit(filters).rows] == [("report", 1)]


def test_two_exposures_typed_in_with_the_same_figures_are_two_exposures(demo):
    exam = services.complete_examination(
        chest_in("X-ray room 2"), by=User.objects.get(username="ap.patel"), source="api", images_count=2,
        exposures=[services.ExposureInput(projection="PA", kvp="110", mas="2", dap="0.05", dap_unit="Gy·cm²"),
                   services.ExposureInput(projection="PA", kvp="110", mas="2", dap="0.05", dap_unit="Gy·cm²",
                                          is_repeat=True, repeat_reason="motion")])

    study = DoseStudy.objects.get(examination=exam)
    assert study.event_count == 2 and study.total_dap_gy_m2 == pytest.approx(0.1e-4)
    assert exam.drl_exceeded is False and study.source_objects.get().object_kind == "manual"


def test_a_typed_in_total_equal_to_the_drl_is_within_it(demo):
    exam = services.complete_examination(
        chest_in("X-ray room 2"), by=User.objects.get(username="ap.patel"), source="web", images_count=2,
        exposures=[services.ExposureInput(projection="PA", kvp="110", mas="2", dap="0.04", dap_unit="Gy·cm²"),
                   services.ExposureInput(projection="LAT", kvp="110", mas="4", dap="0.08", dap_unit="Gy·cm²")])

    assert (exam.total_dap_gy_cm2, exam.drl_value, exam.drl_exceeded) == (Decimal("0.12"), Decimal("0.1200"), False)
