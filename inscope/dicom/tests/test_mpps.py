"""MPPS (N-CREATE, N-SET) called directly: the examination started, completed or discontinued by the modality,
dose captured, and everything that cannot be done recorded as an interface message with the right status."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
from pydicom import Dataset
from pydicom.sequence import Sequence
from pynetdicom.dsutils import decode, encode

from inscope.audit.models import AuditEvent
from inscope.competencies import services as competency_services
from inscope.competencies.models import Evidence
from inscope.dicom.models import InterfaceMessage, PerformedStep
from inscope.dicom.mpps import create_step, update_step
from inscope.exams import services as exam_services
from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
MPPS_UID = "1.2.826.0.1.3680043.8.498.1001"
FRAMEWORK = Path(__file__).resolve().parents[2] / "competencies" / "reference" / "ap_general_radiography.yaml"


def n_create(exam: Examination | None = None, *, status="IN PROGRESS", accession=None, study_uid=None,
             patient_id=None, start=("20261128", "101500"), **extra) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    step = Dataset()
    step.AccessionNumber = accession if accession is not None else (exam.accession_number if exam else "")
    step.StudyInstanceUID = study_uid if study_uid is not None else (exam.study_instance_uid if exam else "")
    step.ScheduledProcedureStepID = step.AccessionNumber
    step.RequestedProcedureID = step.AccessionNumber
    ds.ScheduledStepAttributesSequence = Sequence([step])
    ds.PatientName = "Smith^Alex"
    ds.PatientID = patient_id if patient_id is not None else (exam.patient.nhs_number if exam else "")
    ds.PerformedStationAETitle = "NGH_DX1"
    ds.PerformedProcedureStepStartDate, ds.PerformedProcedureStepStartTime = start
    ds.PerformedProcedureStepStatus = status
    ds.Modality = "DX"
    ds.PerformedSeriesSequence = Sequence()
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


def n_set(status="COMPLETED", *, images=2, end=("20261128", "102700"), **extra) -> Dataset:
    ds = Dataset()
    ds.PerformedProcedureStepStatus = status
    ds.PerformedProcedureStepEndDate, ds.PerformedProcedureStepEndTime = end
    series = Dataset()
    series.SeriesInstanceUID = "1.2.3.4"
    series.ReferencedImageSequence = Sequence([Dataset() for _ in range(images)])
    ds.PerformedSeriesSequence = Sequence([series])
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


@pytest.fixture
def authorised(department, site, xray_room, ap, policy):
    """An examination a radiographer has authorised Priya Patel to perform."""
    return f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="authorised",
                                       operator=ap)


@pytest.fixture
def in_progress(ap, chest_xray, supervised):
    exam_services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return exam_services.start_examination(chest_xray, by=ap, source="web").examination


def messages() -> list[str]:
    return list(InterfaceMessage.objects.order_by("id").values_list("summary", flat=True))


def test_in_progress_starts_an_authorised_examination(authorised, ap):
    outcome = create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000
    exam = Examination.objects.get(pk=authorised.pk)
    assert exam.status == "in_progress"
    assert exam.started_at == dt.datetime(2026, 11, 28, 10, 15, tzinfo=LONDON)
    event = exam.events.get(action="started_on_modality")
    assert (event.by, event.source, event.from_status, event.to_status) == (ap, "system", "authorised", "in_progress")
    assert "NGH_DX1" in event.reason and MPPS_UID in event.reason
    step = PerformedStep.objects.get(sop_instance_uid=MPPS_UID)
    assert (step.examination, step.status, step.station_ae_title) == (exam, "IN PROGRESS", "NGH_DX1")
    assert AuditEvent.objects.filter(action="mpps.created", object_id=str(step.pk)).exists()
    assert messages() == []


def test_in_progress_on_an_examination_already_started_records_the_equipment(in_progress):
    outcome = create_step(MPPS_UID, n_create(in_progress), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000
    exam = Examination.objects.get(pk=in_progress.pk)
    assert exam.status == "in_progress"
    event = exam.events.get(action="modality_started")
    assert (event.from_status, event.to_status) == ("in_progress", "in_progress")
    assert messages() == []


@pytest.mark.parametrize("status", ["scheduled", "escalated", "completed", "cancelled"])
def test_an_examination_not_offered_is_not_started_but_the_mpps_is_kept(department, site, xray_room, ap, status):
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status=status, operator=ap)

    outcome = create_step(MPPS_UID, n_create(exam), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000
    assert Examination.objects.get(pk=exam.pk).status == status
    assert PerformedStep.objects.get(sop_instance_uid=MPPS_UID).examination == exam
    [message] = InterfaceMessage.objects.all()
    assert message.channel == "mpps" and message.performed_step == PerformedStep.objects.get()
    assert f"Examination {exam.accession_number} is {exam.get_status_display().lower()}" in message.summary


def test_an_unknown_accession_number_is_kept_unlinked_with_a_message(authorised):
    outcome = create_step(MPPS_UID, n_create(accession="NOPE123", study_uid="1.2.3"), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000
    step = PerformedStep.objects.get(sop_instance_uid=MPPS_UID)
    assert step.examination is None and step.accession_number == "NOPE123"
    [message] = InterfaceMessage.objects.all()
    assert "no examination has accession number NOPE123 and study 1.2.3" in message.summary
    assert message.detail["accession_numbers"] == ["NOPE123"]
    assert "NOPE123" in message.detail["attributes"]  # the MPPS as received, for whoever deals with it
    assert Examination.objects.get(pk=authorised.pk).status == "authorised"


def test_references_to_two_different_examinations_are_a_mismatch(authorised, department, site, xray_room, ap):
    other = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="authorised",
                                        operator=ap)

    create_step(MPPS_UID, n_create(authorised, study_uid=other.study_instance_uid), calling_ae="NGH_DX1")

    assert PerformedStep.objects.get().examination is None
    assert "point to different examinations" in messages()[0]
    assert {e.status for e in Examination.objects.all()} == {"authorised"}


def test_a_patient_id_that_is_not_the_examinations_patient_is_a_mismatch(authorised):
    create_step(MPPS_UID, n_create(authorised, patient_id="4010232137"), calling_ae="NGH_DX1")

    assert PerformedStep.objects.get().examination is None
    assert "Patient ID 4010232137 is not the NHS number" in messages()[0]
    assert Examination.objects.get(pk=authorised.pk).status == "authorised"


def test_the_study_uid_alone_finds_the_examination(authorised):
    create_step(MPPS_UID, n_create(authorised, accession=""), calling_ae="NGH_DX1")

    assert Examination.objects.get(pk=authorised.pk).status == "in_progress"


def test_top_level_references_are_the_fallback(authorised):
    ds = n_create(authorised)
    del ds.ScheduledStepAttributesSequence
    ds.AccessionNumber = authorised.accession_number

    create_step(MPPS_UID, ds, calling_ae="NGH_DX1")

    assert PerformedStep.objects.get().examination == authorised


def test_a_second_n_create_for_the_same_step_is_a_duplicate(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")

    outcome = create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")

    assert outcome.status == 0x0111
    assert PerformedStep.objects.count() == 1
    assert "created a second time" in messages()[0]


def test_n_create_must_be_in_progress(authorised):
    outcome = create_step(MPPS_UID, n_create(authorised, status="COMPLETED"), calling_ae="NGH_DX1")

    assert outcome.status == 0x0106
    assert not PerformedStep.objects.exists()
    assert "must start IN PROGRESS" in messages()[0]


def test_without_a_sop_instance_uid_one_is_assigned_and_returned(authorised):
    outcome = create_step(None, n_create(authorised), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000 and outcome.attributes is not None
    assert outcome.attributes.AffectedSOPInstanceUID == PerformedStep.objects.get().sop_instance_uid
    assert outcome.attributes.AffectedSOPInstanceUID.startswith("2.25.")


def test_completed_completes_the_examination_with_images_and_dose(authorised, ap):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")
    exposure = Dataset()
    exposure.RadiationMode = "CONTINUOUS"
    exposure.KVP = "70"
    exposure.XRayTubeCurrentInuA = "2500"

    outcome = update_step(MPPS_UID, n_set(images=3, ImageAndFluoroscopyAreaDoseProduct="12.5",
                                          TotalTimeOfFluoroscopy=65, TotalNumberOfExposures=4, EntranceDoseInmGy="3.2",
                                          ExposureDoseSequence=Sequence([exposure])), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000
    exam = Examination.objects.get(pk=authorised.pk)
    assert (exam.status, exam.images_count) == ("completed", 3)
    assert exam.ended_at == dt.datetime(2026, 11, 28, 10, 27, tzinfo=LONDON)
    event = exam.events.get(action="completed_on_modality")
    assert event.by == ap and event.source == "system"
    assert "3 images" in event.reason and "DAP 1.25 Gy·cm²" in event.reason and "fluoroscopy 65 s" in event.reason
    step = PerformedStep.objects.get()
    assert (step.status, step.images_count) == ("COMPLETED", 3)
    assert step.dose["ImageAndFluoroscopyAreaDoseProduct"] == 12.5  # as sent, dGy·cm²
    assert step.dose["dap_gy_cm2"] == pytest.approx(1.25)
    assert step.dose["dap_gy_m2"] == pytest.approx(1.25e-4)
    assert (step.dose["fluoro_time_s"], step.dose["exposures"], step.dose["entrance_dose_mgy"]) == (65, 4, 3.2)
    assert step.dose["ExposureDoseSequence"] == [
        {"RadiationMode": "CONTINUOUS", "KVP": 70, "XRayTubeCurrentInuA": 2500},
    ]


def test_ct_dose_in_the_mpps_is_captured(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_CT1")
    series = Dataset()
    series.CTDIvol = 12.5
    later = Dataset()
    later.CTDIvol = 48.2

    update_step(MPPS_UID, n_set(CTExposureSequence=Sequence([series, later]),
                                CommentsOnRadiationDose="Total DLP: 1043,5 mGy*cm"), calling_ae="NGH_CT1")

    dose = PerformedStep.objects.get().dose
    assert dose["CTDIvol"] == [12.5, 48.2]
    assert dose["ctdivol_mgy"] == 48.2  # the highest sequence's
    assert dose["dlp_mgy_cm"] == 1043.5


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")
def test_a_decimal_comma_in_the_dap_is_read(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")

    encoded = encode(n_set(ImageAndFluoroscopyAreaDoseProduct="0.85"), True, True)
    assert encoded is not None
    sent = encoded.replace(b"0.85", b"0,85")

    update_step(MPPS_UID, decode(io.BytesIO(sent), True, True), calling_ae="NGH_DX1")

    assert PerformedStep.objects.get().dose["dap_gy_cm2"] == pytest.approx(0.085)


def test_an_update_in_progress_adds_dose_without_moving_the_examination(authorised):
    create_step(MPPS_UID, n_create(authorised, TotalNumberOfExposures=1), calling_ae="NGH_DX1")

    update_step(MPPS_UID, n_set("IN PROGRESS", ImageAndFluoroscopyAreaDoseProduct="4"), calling_ae="NGH_DX1")

    step = PerformedStep.objects.get()
    assert step.status == "IN PROGRESS"
    assert (step.dose["exposures"], step.dose["dap_gy_cm2"]) == (1, pytest.approx(0.4))
    assert Examination.objects.get(pk=authorised.pk).status == "in_progress"


def test_discontinued_discontinues_the_examination_with_the_reason(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")
    reason = Dataset()
    reason.CodeValue = "110502"
    reason.CodingSchemeDesignator = "DCM"
    reason.CodeMeaning = "Patient condition prevented continuing"

    update_step(MPPS_UID, n_set("DISCONTINUED", images=0,
                                PerformedProcedureStepDiscontinuationReasonCodeSequence=Sequence([reason])),
                calling_ae="NGH_DX1")

    exam = Examination.objects.get(pk=authorised.pk)
    assert exam.status == "discontinued"
    assert "Patient condition prevented continuing" in exam.events.get(action="discontinued_on_modality").reason
    assert PerformedStep.objects.get().discontinuation_reason == "Patient condition prevented continuing"


def test_n_set_for_a_step_never_created_is_no_such_instance_and_recorded():
    outcome = update_step("1.2.3.999", n_set(), calling_ae="NGH_DX1")

    assert outcome.status == 0x0112
    [message] = InterfaceMessage.objects.all()
    assert "1.2.3.999, which InScope never received" in message.summary
    assert "COMPLETED" in message.detail["attributes"]


def test_n_set_after_completed_may_no_longer_update(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")
    update_step(MPPS_UID, n_set(), calling_ae="NGH_DX1")

    outcome = update_step(MPPS_UID, n_set(images=5), calling_ae="NGH_DX1")

    assert outcome.status == 0x0110
    assert PerformedStep.objects.get().images_count == 2
    assert "updated after it was COMPLETED" in messages()[-1]


def test_an_unknown_status_is_refused(authorised):
    create_step(MPPS_UID, n_create(authorised), calling_ae="NGH_DX1")

    assert update_step(MPPS_UID, n_set("DONE"), calling_ae="NGH_DX1").status == 0x0106
    assert PerformedStep.objects.get().status == "IN PROGRESS"


def test_completed_after_the_examination_was_completed_by_hand_is_a_warning(in_progress, ap):
    create_step(MPPS_UID, n_create(in_progress), calling_ae="NGH_DX1")
    exposure = exam_services.ExposureInput(projection="PA", kvp="110", mas="2", dap="0.04", dap_unit="Gy·cm²")
    exam_services.complete_examination(in_progress, by=ap, source="web", exposures=[exposure], images_count=1)

    outcome = update_step(MPPS_UID, n_set(), calling_ae="NGH_DX1")

    assert outcome.status == 0x0000  # stored: the modality has nothing to do
    assert PerformedStep.objects.get().status == "COMPLETED"
    [message] = InterfaceMessage.objects.all()
    assert message.level == "warning" and "cannot complete it" in message.summary
    assert Examination.objects.get(pk=in_progress.pk).images_count == 1  # what the operator recorded stands


def test_completion_on_the_modality_counts_directly_supervised_practice(trainee, radiographer, site, chest_xray,
                                                                       manager):
    competency_services.import_framework(FRAMEWORK.read_text(encoding="utf-8"), by=manager, channel="system")
    f.on_duty(radiographer, site, mode="direct", supervisees=[trainee])
    exam_services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=trainee, source="web")
    assert exam_services.start_examination(chest_xray, by=trainee, source="web").examination.status == "in_progress"

    create_step(MPPS_UID, n_create(chest_xray), calling_ae="NGH_DX1")
    update_step(MPPS_UID, n_set(), calling_ae="NGH_DX1")

    row = Evidence.objects.get(person=trainee)
    assert (row.kind, row.accession_number) == ("observed", chest_xray.accession_number)
