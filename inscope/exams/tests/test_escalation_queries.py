"""Query counts that must not grow with the number of escalations: the examination page lists every escalation
with its recipients, and the re-notifier reads each department's policy once per run."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inscope.department.models import Department, Site
from inscope.exams import services
from inscope.exams.models import Escalation
from inscope.exams.services.routing import raise_escalation
from inscope.rules.decisions import Outcome, Reason
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

POLICY_ACK_MINUTES = 10  # escalation.acknowledge_within_minutes in the demo policy
REASON = Reason("no-entitlement", Outcome.ESCALATE, "Not entitled to this protocol.", escalate_to="radiographer")


def escalate(exam, by, times):
    for _ in range(times):
        raise_escalation(exam, reasons=[REASON], by=by, source="web", now=timezone.now())


def queries_to_render(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_examination_page_reads_recipients_in_one_query(client, ap, chest_xray, supervised,
                                                             second_radiographer, site):
    f.on_duty(second_radiographer, site)  # two recipients per escalation
    client.force_login(ap)
    escalate(chest_xray, ap, 1)
    with_one = queries_to_render(client, chest_xray.get_absolute_url())

    escalate(chest_xray, ap, 4)
    page = client.get(chest_xray.get_absolute_url())
    with_five = queries_to_render(client, chest_xray.get_absolute_url())

    assert page.text.count("to Rachel Hughes, Raj Singh") + page.text.count("to Raj Singh, Rachel Hughes") == 5
    assert with_five == with_one


def _overdue_escalations(department, site, by, exams):
    for _ in range(exams):
        exam = f.ExaminationFactory(department=department, site=site, room=f.RoomFactory(site=site))
        escalate(exam, by, 1)


def test_the_renotifier_reads_the_policy_once_per_department(ap, policy, department, site, supervised):
    _overdue_escalations(department, site, ap, 1)
    later = timezone.now() + dt.timedelta(minutes=POLICY_ACK_MINUTES + 1)
    with time_machine.travel(later), CaptureQueriesContext(connection) as one:
        assert services.notify_overdue_escalations() == 1

    _overdue_escalations(department, site, ap, 3)
    later += dt.timedelta(minutes=POLICY_ACK_MINUTES + 1)
    with time_machine.travel(later), CaptureQueriesContext(connection) as four:
        assert services.notify_overdue_escalations() == 4

    def policy_reads(queries) -> int:
        return sum('FROM "policy_policyversion"' in q["sql"] for q in queries.captured_queries)

    assert policy_reads(one) == policy_reads(four) == 1
    assert Escalation.objects.filter(times_notified__gte=2).count() == 4


def test_each_department_keeps_its_own_window(ap, policy, department, site, supervised, settings):
    """A department with no policy in force uses the setting's window; the cache never lends it another's."""
    settings.INSCOPE_ESCALATION_ACK_MINUTES = 60
    other = Department.objects.create(name="Southgate Imaging", trust="Southgate Hospitals NHS Trust")
    other_site = Site.objects.create(department=other, name="Southgate Hospital", code="sgh")
    _overdue_escalations(department, site, ap, 1)
    _overdue_escalations(other, other_site, ap, 1)

    # Past the demo policy's 10 minutes, inside the other department's 60.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=POLICY_ACK_MINUTES + 1)):
        assert services.notify_overdue_escalations() == 1

    assert Escalation.objects.get(examination__site=site).times_notified == 2
    assert Escalation.objects.get(examination__site=other_site).times_notified == 1
