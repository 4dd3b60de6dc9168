"""GET /worklist: one day's examinations in time order, filtered, paginated, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def day_list(policy, department, site, xray_room, today):
    later = f.ExaminationFactory(department=department, site=site, room=xray_room, scheduled_at=_at(today, 15))
    earlier = f.ExaminationFactory(department=department, site=site, room=xray_room, scheduled_at=_at(today, 9),
                                   status="escalated", decision={"outcome": "escalate"})
    tomorrow = f.ExaminationFactory(department=department, site=site, room=xray_room,
                                    scheduled_at=_at(today + dt.timedelta(days=1), 9))
    return earlier, later, tomorrow


def test_the_worklist_lists_todays_examinations_in_time_order(api_as, ap, day_list):
    earlier, later, _ = day_list

    response = api_as(ap).get_api("/worklist")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [e["id"] for e in data["items"]] == [earlier.pk, later.pk]
    first = data["items"][0]
    assert set(first) == {"id", "accession_number", "scheduled_at", "status", "priority", "protocol_code",
                          "protocol_name", "modality", "site", "room", "patient", "operator", "last_decision_outcome"}
    assert first["status"] == "escalated"
    assert first["last_decision_outcome"] == "escalate"
    assert set(first["patient"]) == {"name", "nhs_number", "date_of_birth"}


def test_the_worklist_filters_by_date_site_and_status(api_as, ap, day_list, today):
    _, later, tomorrow = day_list
    client = api_as(ap)

    next_day = client.get_api("/worklist", {"date": (today + dt.timedelta(days=1)).isoformat(), "site": "ngh"})
    scheduled = client.get_api("/worklist", {"status": "scheduled"})

    assert [e["id"] for e in next_day.json()["items"]] == [tomorrow.pk]
    assert [e["id"] for e in scheduled.json()["items"]] == [later.pk]


def test_bad_filters_are_refused(api_as, ap, day_list):
    client = api_as(ap)

    assert client.get_api("/worklist", {"date": "2026-13-01"}).json()["field"] == "date"
    assert client.get_api("/worklist", {"status": "lost"}).status_code == 422
    assert client.get_api("/worklist", {"limit": 1001}).status_code == 422
    unknown_site = client.get_api("/worklist", {"site": "nowhere"})
    assert (unknown_site.status_code, unknown_site.json()["field"]) == (400, "site")


def test_the_worklist_is_paginated(api_as, ap, day_list):
    earlier, later, _ = day_list

    page = api_as(ap).get_api("/worklist", {"limit": 1, "offset": 1}).json()

    assert (page["count"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [e["id"] for e in page["items"]] == [later.pk]


def test_the_worklist_takes_the_same_queries_for_one_examination_or_many(api_as, ap, department, site, xray_room,
                                                                         policy, django_assert_num_queries, today):
    client = api_as(ap)
    f.ExaminationFactory(department=department, site=site, room=xray_room, scheduled_at=_at(today, 8), operator=ap)
    with CaptureQueriesContext(connection) as one:
        assert client.get_api("/worklist").json()["count"] == 1
    for hour in range(9, 19):
        f.ExaminationFactory(department=department, site=site, room=xray_room, scheduled_at=_at(today, hour),
                             operator=ap)

    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get_api("/worklist").json()["count"] == 11


def test_someone_with_no_clinical_role_cannot_read_the_worklist(api_as, stranger, day_list):
    response = api_as(stranger).get_api("/worklist")

    assert response.status_code == 403
    assert "view worklist" in response.json()["error"]
