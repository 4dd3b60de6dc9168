"""DCMTK's own clients against ``inscope dicom listen`` running as a real process: echoscu, findscu -W
(the modality worklist, sequence keys included) and storescu, as a modality would use them."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import time
import zoneinfo
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dicom.tests.processes import ListenerProcess, start_listener_process
from inscope.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("purge_allowed_after_test"),
    pytest.mark.skipif(shutil.which("findscu") is None,
                       reason="DCMTK is not installed (apt-get install dcmtk): needs echoscu, findscu, storescu"),
]

LONDON = zoneinfo.ZoneInfo("Europe/London")
SPS = "ScheduledProcedureStepSequence[0]"


@pytest.fixture
def rooms(site):
    return [f.RoomFactory.create(site=site, name="X-ray room 1", modality="DX", ae_title="NGH_DX1"),
            f.RoomFactory.create(site=site, name="CT 1", modality="CT", ae_title="NGH_CT1")]


@pytest.fixture
def worklist(department, site, rooms, ap):
    dx, ct = rooms
    muller = f.PatientFactory.create(nhs_number="9434765870", family_name="Müller", given_name="Zoë",
                              date_of_birth=dt.date(1985, 2, 3), sex="female")
    smith = f.PatientFactory.create(nhs_number="9434765919", family_name="Smith", given_name="Alex")

    def exam(accession, room, hour, status, patient, **kwargs):
        return f.ExaminationFactory.create(department=department, site=site, room=room, status=status, operator=ap,
                                    patient=patient, accession_number=accession,
                                    scheduled_at=dt.datetime(2026, 11, 28, hour, tzinfo=LONDON), **kwargs)

    return [exam("DX1", dx, 9, "in_progress", smith), exam("DX2", dx, 10, "authorised", muller),
            exam("DX3", dx, 11, "scheduled", smith),
            exam("CT1", ct, 10, "in_progress", smith, protocol_code="CHEAD", protocol_name="CT Head", modality="CT")]


@pytest.fixture
def listener(tmp_path, rooms):
    started = start_listener_process(tmp_path)
    yield started
    status, _ = started.stop(signal.SIGTERM)
    started.kill()
    assert status == 0, started.log.read_text()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=False)  # noqa: S603


def findscu(listener: ListenerProcess, out: Path, *keys: str, calling: str = "NGH_DX1") -> list:
    """Run findscu -W with the keys; return the responses it wrote, read back with pydicom."""
    out.mkdir()
    args = ["findscu", "-W", "-v", "-aet", calling, "-aec", listener.ae_title, "-X", "-od", str(out)]
    for key in keys:
        args += ["-k", key]
    result = run(*args, listener.host, str(listener.port))
    assert result.returncode == 0, result.stdout + result.stderr
    return [dcmread(path) for path in sorted(out.glob("rsp*.dcm"))]


def test_echoscu(listener):
    result = run("echoscu", "-v", "-aet", "NGH_DX1", "-aec", listener.ae_title, listener.host, str(listener.port))

    assert result.returncode == 0, result.stderr
    assert "Received Echo Response (Success)" in result.stdout + result.stderr


def test_echoscu_from_an_unregistered_ae_title_is_rejected(listener):
    result = run("echoscu", "-aet", "ROGUE", "-aec", listener.ae_title, listener.host, str(listener.port))

    assert result.returncode != 0
    assert "Calling AE Title Not Recognized" in result.stdout + result.stderr
    message = InterfaceMessage.objects.get(channel="association")
    assert message.calling_ae_title == "ROGUE"


def test_findscu_worklist_for_one_station_and_day(listener, worklist, tmp_path):
    responses = findscu(
        listener, tmp_path / "out",
        "SpecificCharacterSet=ISO_IR 100", "PatientName", "PatientID", "PatientBirthDate", "AccessionNumber",
        "StudyInstanceUID", "RequestedProcedureDescription",
        f"{SPS}.Modality=DX", f"{SPS}.ScheduledStationAETitle=NGH_DX1",
        f"{SPS}.ScheduledProcedureStepStartDate=20261128", f"{SPS}.ScheduledProcedureStepStartTime",
        f"{SPS}.ScheduledPerformingPhysicianName", f"{SPS}.ScheduledProcedureStepDescription",
    )

    assert [r.AccessionNumber for r in responses] == ["DX1", "DX2"]
    second = responses[1]
    assert second.SpecificCharacterSet == "ISO_IR 100"
    assert str(second.PatientName) == "Müller^Zoë"
    assert (second.PatientID, second.PatientBirthDate) == ("9434765870", "19850203")
    assert second.StudyInstanceUID == worklist[1].study_instance_uid
    step = second.ScheduledProcedureStepSequence[0]
    assert (step.Modality, step.ScheduledStationAETitle, step.ScheduledProcedureStepStartTime) == ("DX", "NGH_DX1",
                                                                                                   "100000")
    assert str(step.ScheduledPerformingPhysicianName) == "Patel^Priya"


def test_findscu_by_modality_with_a_time_range(listener, worklist, tmp_path):
    responses = findscu(listener, tmp_path / "out", "AccessionNumber",
                        f"{SPS}.Modality=CT", f"{SPS}.ScheduledProcedureStepStartDate=20261127-20261128",
                        f"{SPS}.ScheduledProcedureStepStartTime=0900-1200")

    assert [r.AccessionNumber for r in responses] == ["CT1"]


def test_findscu_utf8_query_with_a_wildcard_name(listener, worklist, tmp_path):
    responses = findscu(listener, tmp_path / "out", "SpecificCharacterSet=ISO_IR 192", "PatientName=müller*",
                        "AccessionNumber")

    assert [(r.AccessionNumber, str(r.PatientName), r.SpecificCharacterSet) for r in responses] == [
        ("DX2", "Müller^Zoë", "ISO_IR 192")]


def test_findscu_with_a_malformed_date_gets_a_failure_and_a_message(listener, worklist, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run("findscu", "-W", "-v", "-aet", "NGH_DX1", "-aec", listener.ae_title, "-X", "-od", str(out),
                 "-k", "AccessionNumber", "-k", f"{SPS}.ScheduledProcedureStepStartDate=20261128-20261127",
                 listener.host, str(listener.port))

    said = result.stdout + result.stderr
    assert "Received Final Find Response (Error: DataSetDoesNotMatchSOPClass)" in said, said  # 0xA900
    assert not list(out.glob("rsp*.dcm"))
    assert "ends before it starts" in InterfaceMessage.objects.get(channel="worklist").summary


def test_storescu_stores_before_answering(listener, tmp_path):
    result = run("storescu", "-aet", "NGH_CT1", "-aec", listener.ae_title, listener.host, str(listener.port),
                 str(get_testdata_file("CT_small.dcm")))

    assert result.returncode == 0, result.stdout + result.stderr
    obj = ReceivedObject.objects.get()
    assert (obj.calling_ae_title, obj.source) == ("NGH_CT1", "listener")


def test_storescu_sends_a_dose_report_for_a_worklist_examination(listener, worklist, tmp_path):
    exam = worklist[1]
    report = b.projection_rdsr(study_uid=exam.study_instance_uid, accession=exam.accession_number,
                               patient_id=exam.patient.nhs_number, station_ae="NGH_DX1",
                               events=[{"uid": "1.2.826.0.1.3680043.8.498.99", "kind": "projection",
                                        "dap_gy_m2": 0.00002}])
    path = tmp_path / "rdsr.dcm"
    path.write_bytes(b.to_bytes(report))

    result = run("storescu", "-aet", "NGH_DX1", "-aec", listener.ae_title, listener.host, str(listener.port),
                 str(path))

    assert result.returncode == 0, result.stdout + result.stderr
    obj = ReceivedObject.objects.defer("data").get(sop_instance_uid=report.SOPInstanceUID)
    deadline = time.monotonic() + 30
    while obj.state == "received" and time.monotonic() < deadline:
        time.sleep(0.2)
        obj.refresh_from_db(fields=["state", "reason"])
    assert obj.state == "processed", obj.reason
