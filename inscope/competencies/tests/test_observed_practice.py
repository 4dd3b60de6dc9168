"""Observed practice is counted from the examination workflow: an examination completed under direct supervision,
or performed by the AP beside a radiographer who took it over as supervised practice, is evidence toward the
competency covering its protocol."""

import pytest

from inscope.competencies.models import Evidence
from inscope.competencies.queries import observed_practice
from inscope.exams import services as exam_services
from inscope.exams.models import Escalation
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def exposure():
    return exam_services.ExposureInput(projection="DP", kvp="55", mas="2", dap="0.01", dap_unit="Gy·cm²")


def test_a_directly_supervised_chest_counts_for_the_trainee(trainee, radiographer, site, chest_xray, framework):
    f.on_duty(radiographer, site, mode="direct", supervisees=[trainee])
    exam_services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=trainee, source="web")
    started = exam_services.start_examination(chest_xray, by=trainee, source="web")
    assert started.examination.status == "in_progress", started.decision.codes

    exam_services.complete_examination(chest_xray, by=trainee, source="web", exposures=[exposure()], images_count=1)

    row = Evidence.objects.get(person=trainee)
    assert (row.kind, row.competency.code, row.accession_number) == ("observed", "AP-XR-CHEST",
                                                                     chest_xray.accession_number)
    assert "Rachel Hughes" in row.description
    assert observed_practice(trainee, row.competency) == 1


def test_indirect_supervision_does_not_count(ap, chest_xray, supervised, framework):
    exam_services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    exam_services.start_examination(chest_xray, by=ap, source="web")

    exam_services.complete_examination(chest_xray, by=ap, source="web", exposures=[exposure()], images_count=1)

    assert not Evidence.objects.exists()


def test_supervised_practice_after_a_take_over_counts_for_the_ap(ap, radiographer, department, site, xray_room,
                                                                 policy, supervised, framework):
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XFOOT",
                                protocol_name="XR Foot")
    exam_services.record_checklist(exam, f.IN_SCOPE_CHECKS, by=ap, source="web")
    started = exam_services.start_examination(exam, by=ap, source="web")
    assert started.examination.status == "escalated"  # Priya Patel is not entitled for XR Foot
    escalation = Escalation.objects.get(examination=exam)

    exam_services.take_over_examination(escalation, by=radiographer, source="web", reason_text="Teaching case",
                                        supervised_practice=True)
    exam_services.complete_examination(exam, by=radiographer, source="web", exposures=[exposure()], images_count=1)

    row = Evidence.objects.get(person=ap)
    assert (row.kind, row.competency.code) == ("observed", "AP-XR-LOWER-LIMB")
    assert not Evidence.objects.filter(person=radiographer).exists()


def test_a_take_over_without_supervised_practice_does_not_count(ap, radiographer, department, site, xray_room,
                                                                policy, supervised, framework):
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XFOOT",
                                protocol_name="XR Foot")
    exam_services.record_checklist(exam, f.IN_SCOPE_CHECKS, by=ap, source="web")
    exam_services.start_examination(exam, by=ap, source="web")

    exam_services.take_over_examination(Escalation.objects.get(examination=exam), by=radiographer, source="web",
                                        reason_text="Busy list")
    exam_services.complete_examination(exam, by=radiographer, source="web", exposures=[exposure()], images_count=1)

    assert not Evidence.objects.exists()
