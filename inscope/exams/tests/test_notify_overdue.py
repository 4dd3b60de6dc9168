"""Escalations nobody acknowledges are sent again once their window has passed; acknowledged ones are not."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from inscope.exams import services
from inscope.exams.models import Escalation
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

POLICY_ACK_MINUTES = 10  # escalation.acknowledge_within_minutes in the demo policy


@pytest.fixture
def escalated(trainee, chest_xray, supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=trainee, source="web")
    return services.start_examination(chest_xray, by=trainee, source="web").escalation


def test_nothing_is_sent_again_inside_the_window(escalated):
    assert services.notify_overdue_escalations() == 0


def test_an_overdue_escalation_is_sent_again(escalated, radiographer):
    later = escalated.raised_at + dt.timedelta(minutes=POLICY_ACK_MINUTES + 1)
    mail.outbox.clear()

    with time_machine.travel(later):
        call_command("notify_escalations")

    escalation = Escalation.objects.get(pk=escalated.pk)
    assert escalation.times_notified == 2
    assert radiographer.notifications.filter(message__startswith="Reminder:").count() == 1


def test_an_acknowledged_escalation_is_not_sent_again(escalated, radiographer):
    services.acknowledge_escalation(escalated, by=radiographer, source="web")
    later = escalated.raised_at + dt.timedelta(minutes=POLICY_ACK_MINUTES + 1)

    with time_machine.travel(later):
        assert services.notify_overdue_escalations() == 0
