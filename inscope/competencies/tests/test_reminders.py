"""Expiry reminders: each person is e-mailed about what of theirs lapses within the window (or has lapsed), and
managers get a summary; the same item is not sent twice on one day."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from inscope.audit.models import AuditEvent
from inscope.competencies import services
from inscope.competencies.reminders import due_items

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def expiring(ap, radiographer, manager, lower_limb, observe):
    """Priya Patel's lower-limb sign-off from 20 December 2024 lapses on 20 December 2026 (in 22 days); her manual
    handling training lapsed on 1 November 2026; her radiation safety training is good until 2027."""
    with time_machine.travel(dt.datetime(2024, 12, 20, 10, tzinfo=LONDON)):
        observe(ap, "XKNEE", 10)
        services.sign_off_competency(ap, lower_limb, by=radiographer, channel="web")
    services.record_training(ap, course="manual_handling", completed_on=dt.date(2025, 11, 1),
                             renew_on=dt.date(2026, 11, 1), by=manager, channel="web")
    services.record_training(ap, course="radiation_safety", completed_on=dt.date(2026, 6, 1),
                             renew_on=dt.date(2027, 6, 1), by=manager, channel="web")


def run(*args):
    out = io.StringIO()
    call_command("send_expiry_reminders", *args, stdout=out)
    return out.getvalue()


def test_due_items_are_within_the_window_or_lapsed(ap, expiring):
    items = due_items(ap, dt.date(2026, 11, 28), 30)

    assert [i.what for i in items] == ["Manual handling training",
                                       "Sign-off of AP-XR-LOWER-LIMB Knee, ankle and foot on a co-operative adult"]
    assert items[0].line(dt.date(2026, 11, 28)) == "Manual handling training: lapsed on 1 November 2026."
    assert "(in 22 days)" in items[1].line(dt.date(2026, 11, 28))


def test_the_person_and_the_managers_are_emailed(ap, manager, expiring):
    output = run("--days", "30")

    assert output.strip() == "Sent 1 reminder (2 items) and 1 manager summary."
    to_ap, to_manager = mail.outbox
    assert to_ap.to == ["ap.patel@northgate.nhs.test"]
    assert to_ap.subject == "InScope: 2 items to renew"
    assert "Sign-off of AP-XR-LOWER-LIMB" in to_ap.body and "lapses on 20 December 2026" in to_ap.body
    assert "Radiation safety" not in to_ap.body
    assert to_manager.to == ["m.okafor@northgate.nhs.test"]
    assert "Priya Patel (ap.patel): Manual handling training: lapsed" in to_manager.body
    assert AuditEvent.objects.filter(action="reminder.sent", object_id=str(ap.pk), channel="cli").count() == 1


def test_nothing_is_sent_twice_the_same_day(ap, expiring):
    run()
    mail.outbox.clear()

    assert run().strip() == "Sent 0 reminders (0 items) and 0 manager summaries."
    assert mail.outbox == []


def test_a_shorter_window_leaves_out_what_lapses_later(ap, expiring):
    run("--days", "10")

    assert "Sign-off" not in mail.outbox[0].body
    assert "Manual handling" in mail.outbox[0].body


def test_revoked_sign_offs_are_not_reminded(ap, radiographer, lower_limb, expiring):
    services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Incident")

    assert [i.what for i in due_items(ap, dt.date(2026, 11, 28), 30)] == ["Manual handling training"]
