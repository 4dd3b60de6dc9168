"""Received objects' stored bytes are cleared once processed and older than the retention period; the row, its hash,
its outcome and its audit trail stay, and objects waiting or quarantined are never touched. On the real database,
through the real inbox."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from inscope.audit.models import AuditEvent
from inscope.dicom import inbox, retention
from inscope.dicom.models import ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dicom.tests.processes import ROOT, database_url
from inscope.lib.errors import InvalidTransition
from inscope.lib.uids import new_uid
from inscope.testing import factories as f

State = ReceivedObject.State


def received(ds, *, days_ago: float, process: bool = True) -> ReceivedObject:
    obj, _ = inbox.store_received(b.to_bytes(ds), source="import", origin="test.dcm")
    if process:
        inbox.process_received(obj)
    ReceivedObject.objects.filter(pk=obj.pk).exclude(processed_at=None).update(
        processed_at=timezone.now() - dt.timedelta(days=days_ago))
    return ReceivedObject.objects.get(pk=obj.pk)


@pytest.fixture
def objects(db):
    """One of each: processed long ago, ignored long ago, quarantined long ago, waiting, processed recently."""
    return {
        "processed": received(b.dx_image(study_uid=new_uid(), dap_dgy_cm2=1.5), days_ago=100),
        "ignored": received(b.non_dose_sr(study_uid=new_uid()), days_ago=100),
        "quarantined": received(b.dx_image(study_uid=new_uid(), dap_dgy_cm2=1.5, extra={
            "ImageAndFluoroscopyAreaDoseProduct": "abc"}), days_ago=100),
        "waiting": received(b.dx_image(study_uid=new_uid(), dap_dgy_cm2=2.0), days_ago=100, process=False),
        "recent": received(b.dx_image(study_uid=new_uid(), dap_dgy_cm2=2.5), days_ago=10),
    }


def data_of(obj: ReceivedObject) -> bytes:
    return bytes(ReceivedObject.objects.values_list("data", flat=True).get(pk=obj.pk))


@pytest.mark.django_db
def test_only_processed_and_ignored_objects_older_than_the_period_are_pruned_and_each_is_audited(objects):
    assert [objects[k].state for k in ("processed", "ignored", "quarantined", "waiting")] == [
        State.PROCESSED, State.IGNORED, State.QUARANTINED, State.RECEIVED]
    before = {k: (o.sha256, o.size, o.outcome, data_of(o)) for k, o in objects.items()}

    result = retention.prune_received_objects(days=90)

    assert (result.objects, result.bytes, result.dry_run) == (
        2, objects["processed"].size + objects["ignored"].size, False)
    for name in ("processed", "ignored"):
        row = ReceivedObject.objects.get(pk=objects[name].pk)
        assert data_of(row) == b"" and row.pruned_at is not None
        assert (row.sha256, row.size, row.outcome) == before[name][:3]  # the row, its hash and its outcome stay
        audit = AuditEvent.objects.get(action="dicom.object_pruned", object_id=str(row.pk))
        assert audit.detail == {"sha256": row.sha256, "size": row.size, "state": row.state, "outcome": row.outcome,
                                "retain_days": 90}
    for name in ("quarantined", "waiting", "recent"):
        assert data_of(objects[name]) == before[name][3]
        assert ReceivedObject.objects.get(pk=objects[name].pk).pruned_at is None
    assert retention.prune_received_objects(days=90).objects == 0  # a second run has nothing left to do


@pytest.mark.django_db
def test_the_retention_setting_is_the_default_period(objects):
    with override_settings(INSCOPE_DICOM_RETAIN_DAYS=5):
        assert retention.prune_received_objects().objects == 3  # the recent one (10 days) too
    assert data_of(objects["quarantined"]) != b""


@pytest.mark.django_db
def test_a_dry_run_says_what_would_be_cleared_and_changes_nothing(objects):
    out = io.StringIO()
    call_command("dicom", "prune", "--dry-run", "--days", "90", stdout=out)
    size = objects["processed"].size + objects["ignored"].size
    assert out.getvalue().startswith(f"Would clear the stored bytes of 2 objects ({size} bytes) processed before ")
    assert out.getvalue().rstrip().endswith("; nothing changed.")
    assert not ReceivedObject.objects.filter(pruned_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="dicom.object_pruned").exists()


@pytest.mark.django_db
def test_the_command_prunes_and_refuses_a_period_under_a_day(objects):
    out = io.StringIO()
    call_command("dicom", "prune", "--days", "90", stdout=out)
    assert "Cleared the stored bytes of 2 objects" in out.getvalue()
    assert "their rows, hashes, outcomes and audit trail are kept" in out.getvalue()
    with pytest.raises(CommandError, match="The retention period must be at least 1 day, not 0"):
        call_command("dicom", "prune", "--days", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_database_refuses_to_mark_a_quarantined_or_waiting_object_pruned(objects):
    for name in ("quarantined", "waiting"):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReceivedObject.objects.filter(pk=objects[name].pk).update(pruned_at=timezone.now())


@pytest.mark.django_db
def test_a_pruned_object_cannot_be_reprocessed_until_the_same_bytes_arrive_again(objects):
    interfaces = f.person("it.interfaces", "administrator", name="Ian Interfaces")
    ignored = objects["ignored"]
    original = data_of(ignored)
    retention.prune_received_objects(days=90)
    with pytest.raises(InvalidTransition, match="its stored bytes were cleared on .* under the retention setting"):
        inbox.reprocess(ignored, by=interfaces)

    inbox.store_received(original, source="listener", calling_ae_title="NGH_DX1")

    row = ReceivedObject.objects.get(pk=ignored.pk)
    assert row.pruned_at is None and data_of(row) == original
    assert AuditEvent.objects.filter(action="dicom.restored", object_id=str(row.pk)).exists()
    assert inbox.reprocess(row, by=interfaces).status == "ignored"


@pytest.mark.django_db(transaction=True)
def test_the_real_command_shows_a_progress_bar_on_a_terminal_only(objects, purge_allowed_after_test):
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url()}
    command = [sys.executable, "-m", "inscope", "dicom", "prune", "--days", "5"]
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    try:
        shown = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=follower, text=True,
                               timeout=120, check=False)
        os.close(follower)
        terminal = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything written has been read
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(leader)
    assert shown.returncode == 0 and "Cleared the stored bytes of 3 objects" in shown.stdout
    assert b"object/s" in terminal or b"s/object" in terminal  # tqdm's rate, drawn on the terminal
    piped = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: no progress bar
    assert "Cleared the stored bytes of 0 objects" in piped.stdout
