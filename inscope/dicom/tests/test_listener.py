"""The listener in-process on a free port, with pynetdicom as the modality: echo, worklist, MPPS, storage, the
calling AE title restriction, cancel and shutdown. The handlers run on pynetdicom's threads, so the data is
committed (transactional tests)."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from pydicom import Dataset, dcmread
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, XRayRadiationDoseSRStorage
from pynetdicom import AE

from inscope.dicom.listener import MODALITY_PERFORMED_PROCEDURE_STEP as ModalityPerformedProcedureStep
from inscope.dicom.listener import MODALITY_WORKLIST_FIND as ModalityWorklistInformationFind
from inscope.dicom.listener import VERIFICATION as Verification
from inscope.dicom.listener import Listener, ListenerSettings
from inscope.dicom.models import InterfaceMessage, PerformedStep, ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dose.models import DoseStudy
from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("purge_allowed_after_test")]

LONDON = zoneinfo.ZoneInfo("Europe/London")
CONTEXTS = (Verification, ModalityWorklistInformationFind, ModalityPerformedProcedureStep, CTImageStorage,
            XRayRadiationDoseSRStorage)


@pytest.fixture
def start_listener():
    started: list[Listener] = []

    def start(*, restrict: bool = False, process: bool = True) -> Listener:
        config = ListenerSettings(ae_title="INSCOPE", bind="127.0.0.1", port=0, restrict_calling_ae=restrict)
        listener = Listener(config, process=process)
        listener.start()
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.stop(grace_seconds=2, drain_seconds=5)


@pytest.fixture
def listener(start_listener):
    return start_listener()


def associate(listener: Listener, calling: str = "NGH_DX1"):
    ae = AE(ae_title=calling)
    for context in CONTEXTS:
        ae.add_requested_context(context)
    host, port = listener.address
    return ae.associate(host, port, ae_title="INSCOPE")


@pytest.fixture
def room(site):
    return f.RoomFactory.create(site=site, name="X-ray room 1", modality="DX", ae_title="NGH_DX1")


@pytest.fixture
def offered(department, site, room, ap):
    muller = f.PatientFactory.create(nhs_number="9434765870", family_name="Müller", given_name="Zoë")
    ivanov = f.PatientFactory.create(nhs_number="9434765897", family_name="Иванов", given_name="Иван")
    return [
        f.ExaminationFactory.create(department=department, site=site, room=room, status=status, operator=ap,
                                    patient=patient, accession_number=accession,
                                    scheduled_at=dt.datetime(2026, 11, 28, hour, tzinfo=LONDON))
        for accession, status, patient, hour in [("ACC1", "in_progress", muller, 9), ("ACC2", "authorised", ivanov, 11),
                                                 ("ACC3", "scheduled", muller, 12)]
    ]


def worklist_query(**sps) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = ""
    ds.AccessionNumber = ""
    item = Dataset()
    for keyword, value in {"ScheduledStationAETitle": "NGH_DX1", "Modality": "DX",
                           "ScheduledProcedureStepStartDate": "20261128", **sps}.items():
        setattr(item, keyword, value)
    ds.ScheduledProcedureStepSequence = Sequence([item])
    return ds


def find(assoc, query: Dataset) -> list[tuple[int, Dataset | None]]:
    return [(status.Status, ds) for status, ds in assoc.send_c_find(query, ModalityWorklistInformationFind)]


def matches(responses: list[tuple[int, Dataset | None]]) -> list[Dataset]:
    return [ds for status, ds in responses if status in (0xFF00, 0xFF01) and ds is not None]


def test_echo(listener):
    assoc = associate(listener)
    assert assoc.is_established
    assert assoc.send_c_echo().Status == 0x0000
    assoc.release()


def test_worklist_query_over_the_network_in_each_names_character_set(listener, offered):
    assoc = associate(listener)
    responses = find(assoc, worklist_query())
    assoc.release()

    assert [status for status, _ in responses] == [0xFF00, 0xFF00, 0x0000]
    items = matches(responses)
    assert [ds.AccessionNumber for ds in items] == ["ACC1", "ACC2"]
    assert [ds.SpecificCharacterSet for ds in items] == ["ISO_IR 100", "ISO_IR 192"]
    assert [str(ds.PatientName) for ds in items] == ["Müller^Zoë", "Иванов^Иван"]


def test_a_malformed_query_is_refused_with_a_reason_and_recorded(listener, offered):
    assoc = associate(listener)
    [(status, _)] = find(assoc, worklist_query(ScheduledProcedureStepStartDate="20261131"))
    assoc.release()

    assert status == 0xA900
    [message] = InterfaceMessage.objects.all()
    assert (message.channel, message.calling_ae_title) == ("worklist", "NGH_DX1")
    assert "is not a valid date" in message.summary


def test_keys_it_cannot_match_on_answer_pending_with_a_warning(listener, offered):
    query = worklist_query()
    query.AdmissionID = "ADM1"
    assoc = associate(listener)
    statuses = [status for status, _ in find(assoc, query)]
    assoc.release()

    assert statuses == [0xFF01, 0xFF01, 0x0000]


def test_a_cancelled_query_stops(listener, department, site, room, ap):
    patient = f.PatientFactory.create()
    start = dt.datetime(2026, 11, 28, 0, 0, tzinfo=LONDON)
    Examination.objects.bulk_create([
        Examination(department=department, site=site, room=room, patient=patient, accession_number=f"BULK{n:05d}",
                    study_instance_uid=f"2.25.{n + 1}", protocol_code="XCHES", protocol_name="XR Chest PA",
                    modality="XR", referrer="GP", status="authorised", operator=ap,
                    scheduled_at=start + dt.timedelta(seconds=30 * n))
        for n in range(2000)
    ])
    assoc = associate(listener)
    statuses = []
    for status, _ in assoc.send_c_find(worklist_query(), ModalityWorklistInformationFind, msg_id=7):
        statuses.append(status.Status)
        if len(statuses) == 1:
            assoc.send_c_cancel(7, query_model=ModalityWorklistInformationFind)
    assoc.release()

    assert statuses[-1] == 0xFE00
    assert len(statuses) < 2000


def n_create(exam: Examination) -> Dataset:
    ds = Dataset()
    step = Dataset()
    step.AccessionNumber = exam.accession_number
    step.StudyInstanceUID = exam.study_instance_uid
    ds.ScheduledStepAttributesSequence = Sequence([step])
    ds.PatientID = exam.patient.nhs_number
    ds.PerformedStationAETitle = "NGH_DX1"
    ds.PerformedProcedureStepStartDate = "20261128"
    ds.PerformedProcedureStepStartTime = "110500"
    ds.PerformedProcedureStepStatus = "IN PROGRESS"
    return ds


def test_mpps_in_progress_then_completed(listener, offered):
    authorised = offered[1]
    assoc = associate(listener)
    status, _ = assoc.send_n_create(n_create(authorised), ModalityPerformedProcedureStep, "1.2.826.0.1.3680043.8.498.7")
    assert status.Status == 0x0000
    assert Examination.objects.get(pk=authorised.pk).status == "in_progress"

    done = Dataset()
    done.PerformedProcedureStepStatus = "COMPLETED"
    done.PerformedProcedureStepEndDate, done.PerformedProcedureStepEndTime = "20261128", "111500"
    done.ImageAndFluoroscopyAreaDoseProduct = "1.5"
    status, _ = assoc.send_n_set(done, ModalityPerformedProcedureStep, "1.2.826.0.1.3680043.8.498.7")
    assoc.release()

    assert status.Status == 0x0000
    exam = Examination.objects.get(pk=authorised.pk)
    assert exam.status == "completed"
    assert exam.ended_at == dt.datetime(2026, 11, 28, 11, 15, tzinfo=LONDON)
    assert PerformedStep.objects.get().dose["dap_gy_cm2"] == pytest.approx(0.15)


def test_mpps_errors_reach_the_modality_as_statuses(listener, offered):
    done = Dataset()
    done.PerformedProcedureStepStatus = "COMPLETED"
    assoc = associate(listener)
    status, _ = assoc.send_n_set(done, ModalityPerformedProcedureStep, "1.2.3.404")
    assoc.release()

    assert status.Status == 0x0112
    assert InterfaceMessage.objects.get().channel == "mpps"


def test_unregistered_calling_ae_titles_are_refused_and_recorded_once(start_listener, room):
    listener = start_listener(restrict=True)

    for _ in range(2):
        assoc = associate(listener, calling="ROGUE")
        assert assoc.is_rejected
    [message] = InterfaceMessage.objects.all()
    assert (message.channel, message.calling_ae_title, message.detail["attempts"]) == ("association", "ROGUE", 2)
    assert "no room has this AE title" in message.summary

    assoc = associate(listener, calling="NGH_DX1")
    assert assoc.is_established
    assoc.release()


def test_a_room_registered_while_running_may_call_at_once(start_listener, room, site):
    listener = start_listener(restrict=True)
    assert associate(listener, calling="NGH_CT1").is_rejected

    f.RoomFactory.create(site=site, name="CT 1", modality="CT", ae_title="NGH_CT1")

    assoc = associate(listener, calling="NGH_CT1")
    assert assoc.is_established
    assoc.release()


def test_without_the_restriction_anyone_may_call(listener):
    assoc = associate(listener, calling="ANYONE")
    assert assoc.is_established
    assoc.release()


def ct_image() -> Dataset:
    return dcmread(str(get_testdata_file("CT_small.dcm")))


def test_a_stored_object_is_kept_before_success_and_processed_after(listener):
    assoc = associate(listener, calling="NGH_CT1")
    status = assoc.send_c_store(ct_image())
    again = assoc.send_c_store(ct_image())
    assoc.release()

    assert (status.Status, again.Status) == (0x0000, 0x0000)
    obj = ReceivedObject.objects.get()
    assert (obj.source, obj.calling_ae_title, obj.sop_class_uid) == ("listener", "NGH_CT1", CTImageStorage)
    assert bytes(obj.data)[128:132] == b"DICM"  # a Part 10 file, as the inbox stores it
    listener.wait_until_processed()
    obj.refresh_from_db()
    assert obj.state == "ignored" and obj.reason  # a CT image without dose attributes


def test_objects_stored_before_a_restart_are_processed_at_start(start_listener):
    from inscope.dicom import inbox

    with open(str(get_testdata_file("CT_small.dcm")), "rb") as handle:
        obj, created = inbox.store_received(handle.read(), source="listener", calling_ae_title="NGH_CT1")
    assert created and obj.state == "received"

    start_listener()
    deadline = time.monotonic() + 20
    while ReceivedObject.objects.get(pk=obj.pk).state == "received" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ReceivedObject.objects.get(pk=obj.pk).state == "ignored"  # a CT image without dose: read, then ignored


def test_stop_aborts_associations_still_open_after_the_grace_period(start_listener):
    listener = start_listener()
    assoc = associate(listener)
    assert assoc.is_established

    listener.stop(grace_seconds=0.2, drain_seconds=0)

    deadline = time.monotonic() + 5
    while assoc.is_established and time.monotonic() < deadline:
        time.sleep(0.05)
    assert assoc.is_aborted
    with pytest.raises(RuntimeError):
        listener.address  # noqa: B018 - no longer listening


def test_a_modality_day_worklist_then_mpps_then_dose_report(listener, offered):
    """What a modality does, end to end: pick the examination from the worklist, report it started, send its
    dose report, report it completed; the examination is completed with its dose."""
    query = worklist_query(ScheduledProcedureStepStartTime="1100")
    query.PatientID = ""
    query.StudyInstanceUID = ""
    assoc = associate(listener)
    [item] = matches(find(assoc, query))
    exam = Examination.objects.get(accession_number=item.AccessionNumber)
    assert exam.status == "authorised"

    mpps_uid = "1.2.826.0.1.3680043.8.498.77"
    created = Dataset()
    step = Dataset()
    step.AccessionNumber, step.StudyInstanceUID = item.AccessionNumber, item.StudyInstanceUID
    created.ScheduledStepAttributesSequence = Sequence([step])
    created.PatientID = item.PatientID
    created.PerformedProcedureStepStatus = "IN PROGRESS"
    created.PerformedProcedureStepStartDate, created.PerformedProcedureStepStartTime = "20261128", "110200"
    assert assoc.send_n_create(created, ModalityPerformedProcedureStep, mpps_uid)[0].Status == 0x0000

    report = b.from_bytes(b.to_bytes(b.projection_rdsr(
        study_uid=item.StudyInstanceUID, accession=item.AccessionNumber, patient_id=item.PatientID,
        station_ae="NGH_DX1", events=[{"uid": "1.2.826.0.1.3680043.8.498.78", "kind": "projection",
                                       "dap_gy_m2": 0.000012}])))
    assert assoc.send_c_store(report).Status == 0x0000

    done = Dataset()
    done.PerformedProcedureStepStatus = "COMPLETED"
    done.PerformedProcedureStepEndDate, done.PerformedProcedureStepEndTime = "20261128", "110900"
    assert assoc.send_n_set(done, ModalityPerformedProcedureStep, mpps_uid)[0].Status == 0x0000
    assoc.release()
    listener.wait_until_processed()

    exam.refresh_from_db()
    assert exam.status == "completed"
    assert [e.action for e in exam.events.order_by("id")][-2:] == ["started_on_modality", "completed_on_modality"]
    assert ReceivedObject.objects.get().state == "processed"
    study = DoseStudy.objects.get(study_instance_uid=item.StudyInstanceUID)
    assert study.examination_id == exam.pk
    assert study.total_dap_gy_m2 == pytest.approx(0.000012)
    assert not InterfaceMessage.objects.exists()
