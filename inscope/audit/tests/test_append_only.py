"""The audit trail is append-only: the model refuses changes, and so does the database."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from inscope.audit.models import AppendOnlyError, AuditEvent
from inscope.audit.services import record


@pytest.fixture
def event(manager, append_only_enforced):
    return record("test.recorded", manager, by=manager, channel="system", summary="Recorded")


def test_save_of_an_existing_event_is_refused(event):
    event.summary = "Rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Recorded"


def test_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_new_event_can_still_be_added(event, manager):
    record("test.second", manager, by=manager, channel="system", summary="Second")
    assert AuditEvent.objects.count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET summary = 'Rewritten' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(event, sql):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Recorded"


def test_queryset_update_and_delete_are_refused_by_the_database(event):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="Rewritten")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, summary="Recorded").exists()
