"""Personas for tests: the Northgate department with its approved demo policy, as named people.

ap (Priya Patel, qualified AP), trainee (Tom Reid), radiographer (Rachel Hughes), second_radiographer
(Raj Singh), manager (Mary Okafor), stranger (an administrator with no clinical role).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection

from inscope.lib.append_only import SQLITE_GUARD
from inscope.staff.models import User
from inscope.testing import factories as f

# The demo policy is written as at this day (its entitlements have review dates around it).
DEMO_DAY = dt.datetime(2026, 11, 28, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _on_the_demo_day(request):
    """Run every test on the day the demo policy describes, so dates in it mean the same thing."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(DEMO_DAY, tick=True):
        yield


@pytest.fixture
def department(db):
    return f.DepartmentFactory()


@pytest.fixture
def site(department):
    return f.SiteFactory(department=department)


@pytest.fixture
def xray_room(site):
    return f.RoomFactory(site=site)


@pytest.fixture
def manager(site):
    return f.person("m.okafor", "manager", name="Mary Okafor")


@pytest.fixture
def radiographer(site):
    return f.person("r.hughes", "radiographer", name="Rachel Hughes")


@pytest.fixture
def second_radiographer(site):
    return f.person("r.singh", "radiographer", name="Raj Singh")


@pytest.fixture
def ap(site):
    return f.person("ap.patel", "assistant_practitioner", name="Priya Patel")


@pytest.fixture
def trainee(site):
    return f.person("ap.trainee", "trainee_assistant_practitioner", name="Tom Reid")


@pytest.fixture
def stranger(site):
    return f.person("it.admin", "administrator", name="Ian Admin")


@pytest.fixture
def policy(department, manager, radiographer, second_radiographer, ap, trainee):
    """The demo policy approved and in force; it needs every person it names to have an account."""
    for username, role, name in [
        ("r.evans", "radiographer", "Rhys Evans"),
        ("r.mensah", "radiographer", "Rose Mensah"),
        ("ap.brown", "assistant_practitioner", "Daniel Brown"),
        ("dr.shah", "radiologist", "Anil Shah"),
        ("rps.lee", "radiation_protection_supervisor", "Grace Lee"),
    ]:
        if not User.objects.filter(username=username).exists():  # a test may have asked for them first
            f.person(username, role, name=name)
    return f.approved_policy(department, by=manager)


@pytest.fixture
def mpe(site):
    return f.person("p.shah", "medical_physics_expert", name="Pooja Shah")


@pytest.fixture
def rps(site):
    """Grace Lee, the radiation protection supervisor the demo policy names."""
    return User.objects.filter(username="rps.lee").first() or f.person(
        "rps.lee", "radiation_protection_supervisor", name="Grace Lee")


@pytest.fixture
def supervised(radiographer, site):
    """Rachel Hughes on indirect supervision duty for everyone at the site now."""
    return f.on_duty(radiographer, site)


@pytest.fixture
def chest_xray(policy, site, xray_room, department):
    return f.ExaminationFactory(department=department, site=site, room=xray_room)


@pytest.fixture
def purge_allowed_after_test(transactional_db):
    """Let the flush after a transactional test empty append-only tables (see inscope/lib/append_only.py)."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SQLITE_GUARD} (purging) VALUES (1)")  # noqa: S608 - a constant name


@pytest.fixture
def append_only_enforced(db):
    """Clear any purge flag a transactional test left, so the triggers refuse deletes again."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_GUARD}")  # noqa: S608 - a constant name

