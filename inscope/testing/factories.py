"""Lean factories for tests: each builds a valid, minimal object; tests state only what matters to them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import factory
from django.utils import timezone

from inscope.department.models import Department, Room, Site
from inscope.equipment.models import Unit
from inscope.exams.models import Examination, Patient
from inscope.policy import services as policy_services
from inscope.policy.models import PolicyVersion
from inscope.staff.models import RoleAssignment, User
from inscope.supervision.models import DutySession

DEMO_POLICY = Path(__file__).resolve().parent.parent / "policy" / "demo_policy.yaml"

# NHS numbers with valid check digits, for test patients.
VALID_NHS_NUMBERS = ["9434765919", "9434765870", "9434765897", "9434765862", "9434765846", "4010232137"]


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = "Northgate Imaging"
    trust = "Northgate Hospitals NHS Foundation Trust"


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ["code"]

    department = factory.SubFactory(DepartmentFactory)
    name = "Northgate General Hospital"
    code = "ngh"


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room
        django_get_or_create = ["site", "name"]

    site = factory.SubFactory(SiteFactory)
    name = "X-ray room 1"
    modality = "DX"
    ae_title = "NGH_DX1"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    """A unit in service in a room (set up directly: tests of the register go through its services)."""

    class Meta:
        model = Unit

    room = factory.SubFactory(RoomFactory)
    site = factory.LazyAttribute(lambda u: u.room.site)
    department = factory.LazyAttribute(lambda u: u.site.department)
    kind = Unit.Kind.DETECTOR
    name = factory.LazyAttribute(lambda u: f"{u.room.name} detector")
    manufacturer = "Carestream"
    model = "DRX Plus 3543"
    serial_number = factory.Sequence(lambda n: f"SN{n:05d}")
    installed_on = dt.date(2022, 4, 1)
    status_since = factory.LazyFunction(timezone.now)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password("correct-horse-battery")
    email = factory.LazyAttribute(lambda u: f"{u.username}@northgate.nhs.test")


def person(username: str, *roles: str, site: Site | None = None, name: str = "") -> User:
    """Return a user holding the roles (at every site unless one is given)."""
    user = UserFactory.create(username=username, display_name=name or username)
    for role in roles:
        RoleAssignment.objects.get_or_create(user=user, role=role, site=site)
    return user


def approved_policy(department: Department, *, by: User, text: str | None = None) -> PolicyVersion:
    """Create and approve a policy version (the demo policy unless text is given)."""
    draft = policy_services.create_draft(
        department, source_yaml=text or DEMO_POLICY.read_text(), by=by, channel="system"
    )
    return policy_services.approve_policy(draft, by=by, note="Approved for testing", channel="system")


def on_duty(supervisor: User, site: Site, *, mode: str = "indirect", room: Room | None = None,
            supervisees: list[User] | None = None, hours: int = 8) -> DutySession:
    now = timezone.now()
    session = DutySession.objects.create(
        supervisor=supervisor, site=site, room=room, mode=mode,
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=hours), created_by=supervisor,
    )
    if supervisees:
        session.supervisees.set(supervisees)
    return session


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient
        django_get_or_create = ["nhs_number"]

    nhs_number = factory.Iterator(VALID_NHS_NUMBERS)
    family_name = "Smith"
    given_name = "Alex"
    date_of_birth = dt.date(1970, 5, 17)
    sex = "male"
    address = "1 High Street, Northgate"
    postcode = "NG1 1AA"


class ExaminationFactory(factory.django.DjangoModelFactory[Examination]):
    class Meta:
        model = Examination

    department = factory.SubFactory(DepartmentFactory)
    patient = factory.SubFactory(PatientFactory)
    accession_number = factory.Sequence(lambda n: f"NGH{n:07d}")
    protocol_code = "XCHES"
    protocol_name = "XR Chest PA"
    modality = "XR"
    referrer = "Dr A Jones (GP)"
    justification = "authorised"
    justified_by = "Rachel Hughes"
    setting = "gp"  # the referrer is a GP
    site = factory.SubFactory(SiteFactory)
    room = factory.SubFactory(RoomFactory)
    scheduled_at = factory.LazyFunction(timezone.now)


IN_SCOPE_CHECKS = {
    "identity": "confirmed",
    "cooperative": True,
    "has_capacity": True,
    "mobility": "independent",
    "trauma": False,
}
