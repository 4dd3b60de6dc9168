"""Killing the listener loses nothing it acknowledged: ``inscope dicom listen`` runs as a real process on the
test database, a pynetdicom modality sends dose objects, the listener is SIGKILLed at different moments after
its answers, and after a restart every acknowledged object is stored and processed exactly once.

The listener processes run against the test database (committed data: transactional tests), so the test reads
the results with the ORM.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest
from pynetdicom import AE

from inscope.dicom.extraction import sop
from inscope.dicom.models import ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dicom.tests.processes import ListenerProcess, start_listener_process
from inscope.dose.models import DoseStudy
from inscope.lib.uids import new_uid

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("purge_allowed_after_test")]


@pytest.fixture
def start(tmp_path) -> Iterator:
    """Start ``inscope dicom listen`` (any calling AE title); every process started is stopped at the end."""
    started: list[ListenerProcess] = []

    def start_listener() -> ListenerProcess:
        workdir = tmp_path / f"listener-{len(started) + 1}"
        workdir.mkdir()
        listener = start_listener_process(workdir, extra_env={"INSCOPE_DICOM_RESTRICT_CALLING_AE": "false"})
        started.append(listener)
        return listener

    yield start_listener
    for listener in started:
        listener.kill()


def sigkill(listener: ListenerProcess) -> None:
    listener.process.send_signal(signal.SIGKILL)
    listener.process.communicate(timeout=10)


def stop(listener: ListenerProcess) -> int:
    return listener.stop(signal.SIGTERM)[0]


def modality(port: int):
    ae = AE(ae_title="NGH_RF1")
    ae.add_requested_context(sop.XRAY_RADIATION_DOSE_SR)
    assoc = ae.associate("127.0.0.1", port, ae_title="INSCOPE")
    assert assoc.is_established
    return assoc


def fluoroscopy_reports(study_uid: str, reports: int, events_each: int) -> list:
    """Continuation reports of one fluoroscopy study: each adds its own events (a large one takes a while)."""
    return [
        b.from_bytes(b.to_bytes(b.projection_rdsr(study_uid=study_uid, modality="RF", events=[
            {"uid": new_uid(), "kind": "fluoroscopy", "dap_gy_m2": 0.0001, "rp_dose_gy": 0.001, "fluoro_time_s": 2.0}
            for _ in range(events_each)])))  # with its file meta, as read from disk
        for _ in range(reports)
    ]


def wait_until_processed(uids: list[str], timeout: float = 60.0) -> list[ReceivedObject]:
    deadline = time.monotonic() + timeout
    while True:
        objects = list(ReceivedObject.objects.defer("data").filter(sop_instance_uid__in=uids))
        if len(objects) == len(uids) and all(o.state != "received" for o in objects):
            return objects
        if time.monotonic() > deadline:
            states = {o.sop_instance_uid: o.state for o in objects}
            pytest.fail(f"Not processed within {timeout} s: {states}")
        time.sleep(0.2)


def send_and_kill(listener: ListenerProcess, reports: list, delay: float) -> list[str]:
    """Send the reports in one association, then SIGKILL the listener ``delay`` seconds after the last answer."""
    assoc = modality(listener.port)
    acknowledged = []
    for ds in reports:
        assert assoc.send_c_store(ds).Status == 0x0000
        acknowledged.append(ds.SOPInstanceUID)
    time.sleep(delay)
    sigkill(listener)  # mid-association, and possibly mid-processing
    assoc.abort()
    return acknowledged


def test_killed_at_any_moment_after_acknowledging_nothing_is_lost(start):
    studies = {new_uid(): delay for delay in (0.0, 0.05, 0.3)}
    acknowledged: list[str] = []
    for study_uid, delay in studies.items():
        # Each listener processes what the killed one left, then gets a study of its own and is killed too.
        sent = send_and_kill(start(), fluoroscopy_reports(study_uid, reports=3, events_each=60), delay)
        # Every acknowledged object was stored before its answer.
        assert ReceivedObject.objects.filter(sop_instance_uid__in=sent).count() == len(sent)
        acknowledged += sent

    last = start()
    objects = wait_until_processed(acknowledged)
    assert {o.state for o in objects} == {"processed"}
    assert sorted(o.outcome for o in objects) == ["imported"] * 3 + ["updated"] * 6
    for study_uid in studies:
        study = DoseStudy.objects.get(study_instance_uid=study_uid)
        assert study.event_count == 180  # each event counted once: none lost, none doubled
        assert study.total_dap_gy_m2 == pytest.approx(180 * 0.0001)
    assert stop(last) == 0


def test_killed_mid_association_the_modality_resends_and_nothing_is_doubled(start):
    study_uid = new_uid()
    reports = fluoroscopy_reports(study_uid, reports=4, events_each=20)
    listener = start()
    assoc = modality(listener.port)
    for ds in reports[:2]:
        assert assoc.send_c_store(ds).Status == 0x0000
    sigkill(listener)
    assoc.abort()

    # The modality got no answer for the last two, so it sends the whole study again to the restarted listener.
    restarted = start()
    assoc = modality(restarted.port)
    for ds in reports:
        assert assoc.send_c_store(ds).Status == 0x0000
    assoc.release()
    objects = wait_until_processed([ds.SOPInstanceUID for ds in reports])
    assert {o.state for o in objects} == {"processed"}
    assert ReceivedObject.objects.count() == 4
    assert DoseStudy.objects.get(study_instance_uid=study_uid).event_count == 80
    assert stop(restarted) == 0
