"""The inbox: storing received objects (idempotent, broken ones quarantined), processing them (recorded, ignored
or quarantined, never half-written), and re-processing and dealing with messages from the interfaces screen."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from inscope.audit.models import AuditEvent
from inscope.dicom import inbox
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dose.models import DoseStudy, IrradiationEventRecord
from inscope.lib.errors import InvalidTransition
from inscope.lib.uids import new_uid

pytestmark = pytest.mark.django_db
State = ReceivedObject.State


def ct_report(study_uid: str | None = None, sop_uid: str | None = None, events: int = 2, **kwargs) -> bytes:
    ds = b.ct_rdsr(study_uid=study_uid or new_uid(), sop_uid=sop_uid, accession="NGH0001",
                   events=[(new_uid(), 10.0 + i, 300.0 + i) for i in range(events)],
                   total_dlp=sum(300.0 + i for i in range(events)), **kwargs)
    return b.to_bytes(ds)


def audit_actions(obj) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="dicom.receivedobject", object_id=str(obj.pk))
                .order_by("id").values_list("action", flat=True))


# --- Storing --------------------------------------------------------------------------------------------------------


def test_it_stores_an_object_once_and_records_a_second_identical_copy():
    data = ct_report()
    first, created = inbox.store_received(data, source="listener", calling_ae_title="NGH_CT1")
    again, created_again = inbox.store_received(data, source="listener", calling_ae_title="NGH_CT1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert ReceivedObject.objects.count() == 1
    first.refresh_from_db()
    assert (first.state, first.modality, first.size, bytes(first.data)) == (State.RECEIVED, "SR", len(data), data)
    assert first.calling_ae_title == "NGH_CT1" and len(first.sha256) == 64
    assert audit_actions(first) == ["dicom.duplicate_received"]
    assert not InterfaceMessage.objects.exists()


def test_a_different_copy_of_a_stored_object_is_kept_out_and_reported():
    sop_uid = new_uid()
    first, _ = inbox.store_received(ct_report(sop_uid=sop_uid, events=2), source="listener",
                                    calling_ae_title="NGH_CT1")
    other, created = inbox.store_received(ct_report(sop_uid=sop_uid, events=3), source="listener",
                                          calling_ae_title="NGH_CT1")
    assert (other.pk, created) == (first.pk, False)
    first.refresh_from_db()
    message = InterfaceMessage.objects.get()
    assert (message.level, message.channel, message.received_object) == ("warning", "storage", first)
    assert "different copy" in message.summary and "first copy" in message.summary
    assert message.detail["kept_sha256"] == first.sha256 != message.detail["other_sha256"]


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"this is not a DICOM file at all " * 8, "SOP Instance UID"),
], ids=["empty", "not-dicom"])
def test_an_object_that_cannot_name_itself_is_stored_and_quarantined_at_once(data, words):
    obj, created = inbox.store_received(data, source="import", origin="/data/incoming/junk.dcm")
    assert created is False  # nothing to process
    obj.refresh_from_db()
    assert obj.state == State.QUARANTINED and obj.outcome == "error"
    assert words in obj.reason
    assert obj.sop_instance_uid.startswith("sha256:") and len(obj.sop_instance_uid) == 64
    message = InterfaceMessage.objects.get(received_object=obj)
    assert (message.channel, message.level) == ("import", "error")
    assert "junk.dcm" in message.summary
    assert audit_actions(obj) == ["dicom.quarantined"]
    # The same broken bytes again are the same stored object.
    assert inbox.store_received(data, source="import")[0].pk == obj.pk


@pytest.mark.filterwarnings("ignore:The value length")  # pydicom warns when the UID is set; equipment does it anyway
def test_an_object_whose_uid_is_too_long_is_quarantined():
    ds = b.ct_rdsr(study_uid=new_uid(), events=[(new_uid(), 10.0, 300.0)])
    ds.SOPInstanceUID = "1.2." + "3" * 70
    obj, created = inbox.store_received(b.to_bytes(ds), source="listener")
    assert created is False
    assert obj.state == State.QUARANTINED and "74 characters long" in obj.reason


# --- Processing -----------------------------------------------------------------------------------------------------


def test_a_dose_report_is_recorded_and_linked_to_its_study():
    study_uid = new_uid()
    obj, _ = inbox.store_received(ct_report(study_uid, events=2), source="listener", calling_ae_title="NGH_CT1")
    outcome = inbox.process_received(obj)
    assert outcome.status == "imported" and outcome.result is not None
    assert (obj.state, obj.outcome, obj.attempts) == (State.PROCESSED, "imported", 1)
    study = DoseStudy.objects.get(study_instance_uid=study_uid)
    assert obj.dose_study_id == study.pk == outcome.result.study.pk
    assert study.event_count == 2 and study.total_dlp_mgy_cm == pytest.approx(601.0)
    # A second report of the same study (continuation) updates it.
    second, _ = inbox.store_received(ct_report(study_uid, events=1), source="listener")
    assert inbox.process_received(second).status == "updated"
    assert DoseStudy.objects.get(pk=study.pk).event_count == 3


def test_processing_twice_does_nothing_the_second_time():
    obj, _ = inbox.store_received(ct_report(), source="listener")
    inbox.process_received(obj)
    again = inbox.process_received(ReceivedObject.objects.get(pk=obj.pk))
    assert again.skipped and again.status == "imported"
    assert ReceivedObject.objects.get(pk=obj.pk).attempts == 1
    assert DoseStudy.objects.count() == 1


def test_an_object_without_dose_is_ignored_with_the_reason():
    obj, _ = inbox.store_received(b.to_bytes(b.non_dose_sr(study_uid=new_uid())), source="listener")
    outcome = inbox.process_received(obj)
    assert outcome.status == "ignored" and outcome.message
    obj.refresh_from_db()
    assert (obj.state, obj.outcome, obj.reason) == (State.IGNORED, "ignored", outcome.message)
    assert not DoseStudy.objects.exists()
    assert not InterfaceMessage.objects.exists()


def test_a_truncated_dose_report_is_quarantined_with_a_clear_reason():
    data = ct_report(events=4)
    obj, created = inbox.store_received(data[: len(data) * 2 // 3], source="listener", calling_ae_title="NGH_CT1")
    assert created
    outcome = inbox.process_received(obj)
    assert outcome.status == "error"
    assert (obj.state, obj.outcome, obj.attempts) == (State.QUARANTINED, "error", 1)
    assert obj.reason and "Unexpected" not in obj.reason  # the reader's own, specific reason
    message = InterfaceMessage.objects.get(received_object=obj)
    assert message.level == "error" and "NGH_CT1" in message.summary
    assert not DoseStudy.objects.exists()


def test_a_resent_complete_copy_replaces_a_quarantined_truncated_one(mpe):
    sop_uid = new_uid()
    data = ct_report(sop_uid=sop_uid, events=4)
    obj, _ = inbox.store_received(data[: len(data) // 2], source="listener")
    inbox.process_received(obj)
    # Re-processing the same broken bytes cannot help: it stays quarantined, with one open message.
    assert inbox.reprocess(obj, by=mpe).status == "error"
    assert (obj.state, obj.attempts) == (State.QUARANTINED, 2)
    assert InterfaceMessage.objects.filter(received_object=obj, dealt_with_at__isnull=True).count() == 1
    # The modality sends the object again, complete: it replaces the broken copy and goes through.
    again, created = inbox.store_received(data, source="listener")
    assert (again.pk, created) == (obj.pk, True)
    assert inbox.process_received(again).status == "imported"
    again.refresh_from_db()
    assert again.state == State.PROCESSED and bytes(again.data) == data
    assert "dicom.replaced" in audit_actions(again)
    assert not InterfaceMessage.objects.filter(received_object=again, dealt_with_at__isnull=True).exists()


# --- A failure while recording: rolled back, quarantined, re-processed after the fix ------------------------------


@pytest.fixture
def failing_event_writes():
    """The database refuses to store irradiation events (as a full disk or a broken index would)."""
    table = IrradiationEventRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'CREATE TRIGGER test_refuse_events BEFORE INSERT ON "{table}" '
                           "BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END")
        else:
            cursor.execute("CREATE FUNCTION test_refuse_events() RETURNS trigger AS $$ BEGIN "
                           "RAISE EXCEPTION 'simulated storage failure'; END; $$ LANGUAGE plpgsql")
            cursor.execute(f'CREATE TRIGGER test_refuse_events BEFORE INSERT ON "{table}" '
                           "FOR EACH ROW EXECUTE FUNCTION test_refuse_events()")

    def fix() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER test_refuse_events")
            else:
                cursor.execute(f'DROP TRIGGER test_refuse_events ON "{table}"')
                cursor.execute("DROP FUNCTION test_refuse_events()")

    return fix


def test_a_failure_while_recording_leaves_no_dose_rows_and_quarantines_the_object(failing_event_writes, mpe):
    study_uid = new_uid()
    obj, _ = inbox.store_received(ct_report(study_uid, events=3), source="listener", calling_ae_title="NGH_CT1")
    outcome = inbox.process_received(obj)
    assert outcome.status == "error"
    assert obj.state == State.QUARANTINED
    assert "Unexpected error while recording the dose" in obj.reason and "simulated storage failure" in obj.reason
    # The study row written before the events was rolled back with them.
    assert not DoseStudy.objects.filter(study_instance_uid=study_uid).exists()
    assert not IrradiationEventRecord.objects.exists()
    message = InterfaceMessage.objects.get(received_object=obj)
    assert message.detail["stage"] == "record" and "Traceback" in message.detail["traceback"]

    failing_event_writes()  # the cause is fixed
    outcome = inbox.reprocess(ReceivedObject.objects.get(pk=obj.pk), by=mpe)
    assert outcome.status == "imported"
    obj.refresh_from_db()
    assert (obj.state, obj.attempts) == (State.PROCESSED, 2)
    assert DoseStudy.objects.get(study_instance_uid=study_uid).event_count == 3
    message.refresh_from_db()
    assert message.dealt_with_by == "p.shah"  # settled by the re-processing
    event = AuditEvent.objects.get(action="dicom.reprocessed")
    assert (event.actor, event.channel) == (mpe, "web")
    assert "was quarantined" in event.summary


# --- Re-processing and messages: who may, and when ---------------------------------------------------------------


def test_only_interface_managers_may_reprocess(ap, mpe):
    obj, _ = inbox.store_received(b"garbage", source="listener")
    with pytest.raises(PermissionDenied):
        inbox.reprocess(obj, by=ap)
    assert ReceivedObject.objects.get(pk=obj.pk).state == State.QUARANTINED
    assert inbox.reprocess(obj, by=mpe).status == "error"  # allowed, and still broken


def test_a_processed_object_cannot_be_reprocessed(mpe):
    obj, _ = inbox.store_received(ct_report(), source="listener")
    inbox.process_received(obj)
    with pytest.raises(InvalidTransition, match="Only a quarantined or ignored object"):
        inbox.reprocess(obj, by=mpe)


def test_pending_objects_are_processed_oldest_first(mpe):
    study_uid = new_uid()
    first, _ = inbox.store_received(ct_report(study_uid), source="listener")
    second, _ = inbox.store_received(ct_report(study_uid), source="listener")
    ignored, _ = inbox.store_received(b.to_bytes(b.non_dose_sr(study_uid=new_uid())), source="listener")
    inbox.store_received(b"garbage", source="listener")  # quarantined on arrival: not pending
    assert inbox.process_pending() == {"imported": 1, "updated": 1, "ignored": 1}
    assert ReceivedObject.objects.get(pk=first.pk).outcome == "imported"
    assert ReceivedObject.objects.get(pk=second.pk).outcome == "updated"
    assert inbox.process_pending() == {}


def test_marking_a_message_dealt_with(ap, mpe):
    message = InterfaceMessage.objects.create(channel="mpps", summary="MPPS for unknown accession X1")
    with pytest.raises(PermissionDenied):
        inbox.mark_dealt_with(message, by=ap)
    inbox.mark_dealt_with(message, by=mpe, channel="api")
    message.refresh_from_db()
    assert message.dealt_with_by == "p.shah" and message.dealt_with_at is not None
    event = AuditEvent.objects.get(action="dicom.message_dealt_with")
    assert (event.object_id, event.channel, event.actor) == (str(message.pk), "api", mpe)
    with pytest.raises(InvalidTransition, match="already marked as dealt with by p.shah"):
        inbox.mark_dealt_with(message, by=mpe)
