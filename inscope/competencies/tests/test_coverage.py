"""Rota coverage: a booked examination with nobody entitled on duty is listed; one that an entitled person on
duty could do is not."""

import datetime as dt

import pytest
from django.utils import timezone

from inscope.exams.coverage import coverage_for_day
from inscope.supervision.models import DutySession
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def nurse(site):
    return f.person("n.jones", "registered_nurse", name="Nia Jones")


@pytest.fixture
def booked(policy, department, site, xray_room, ap, nurse):
    """A nurse supervises Priya Patel by name from 09:00 to 18:00; three examinations are booked."""
    f.on_duty(nurse, site, supervisees=[ap])
    at = timezone.now() + dt.timedelta(minutes=30)

    def exam(code, name, when=at):
        return f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code=code,
                                    protocol_name=name, scheduled_at=when)

    return {
        "chest": exam("XCHES", "XR Chest PA"),  # Priya Patel is entitled by the policy
        "foot": exam("XFOOT", "XR Foot"),  # in her role's scope, but she holds no entitlement for it
        "evening": exam("XCHES", "XR Chest PA", timezone.now() + dt.timedelta(hours=10)),  # nobody on duty
    }


def by_accession(rows):
    return {r.exam.accession_number: r for r in rows}


def test_an_exam_nobody_on_duty_is_entitled_for_is_listed(department, booked, ap, nurse):
    rows = by_accession(coverage_for_day(department, DAY))

    foot = rows[booked["foot"].accession_number]
    assert not foot.covered
    assert set(foot.on_duty) == {ap, nurse}
    chest = rows[booked["chest"].accession_number]
    assert chest.covered and chest.entitled == (ap,)
    evening = rows[booked["evening"].accession_number]
    assert not evening.covered and evening.note == "Nobody is on duty at this time."


def test_a_session_naming_nobody_covers_every_ap_at_the_site(department, site, booked, radiographer, trainee):
    start = timezone.now() + dt.timedelta(hours=9)
    DutySession.objects.create(supervisor=radiographer, site=site, mode="direct", starts_at=start,
                               ends_at=start + dt.timedelta(hours=3), created_by=radiographer)

    evening = by_accession(coverage_for_day(department, DAY))[booked["evening"].accession_number]

    assert evening.covered
    assert trainee in evening.on_duty and radiographer in evening.entitled


def test_completed_and_cancelled_exams_are_not_checked(department, booked):
    booked["foot"].status = "cancelled"
    booked["foot"].save()

    assert booked["foot"].accession_number not in by_accession(coverage_for_day(department, DAY))


def test_the_page_lists_the_gaps_only(client, manager, booked):
    client.force_login(manager)

    page = client.get("/examinations/coverage/", {"date": "2026-11-28"})

    assert page.status_code == 200
    gaps = page.text.split('id="gaps"')[1].split("</table>")[0]
    assert booked["foot"].accession_number in gaps
    assert booked["evening"].accession_number in gaps
    assert booked["chest"].accession_number not in gaps


def test_a_bad_date_is_refused_with_a_message(client, manager, booked):
    client.force_login(manager)

    page = client.get("/examinations/coverage/", {"date": "2026-02-30"})

    assert page.status_code == 400
    assert "The date must be a real date, like 2026-11-28." in page.text
