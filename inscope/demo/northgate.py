"""The demonstration department: Northgate Imaging, two sites, its staff, the approved policy, today's
supervision and a day's worklist that shows every journey (in scope, out of scope, pregnancy,
non-co-operative, MRI screening). Built through the same services as the app.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from inscope.competencies.services import import_framework, record_training
from inscope.competencies.services.evidence import record_observed_practice
from inscope.demo.dose_history import load_dose_history
from inscope.demo.equipment import load_equipment
from inscope.department.models import Department, Room, Site
from inscope.exams import services as exams
from inscope.exams.models import Examination
from inscope.exams.mri_screening import questions
from inscope.policy import services as policy
from inscope.staff.models import RoleAssignment, User
from inscope.supervision.services import plan_duty_session

DEMO_PASSWORD = "inscope-demo-2026"  # noqa: S105 - printed for the demo; never a production account
POLICY_FILE = Path(__file__).resolve().parent.parent / "policy" / "demo_policy.yaml"
FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "competencies" / "reference" / "ap_general_radiography.yaml"
# The demo policy's dates are written as at this day; they move with the day the demo is loaded.
POLICY_WRITTEN_ON = dt.date(2026, 11, 28)

PEOPLE = [
    ("m.okafor", "Mary Okafor", ["manager"], "Imaging services manager"),
    ("r.hughes", "Rachel Hughes", ["radiographer"], "Supervising radiographer, Northgate General"),
    ("r.singh", "Raj Singh", ["radiographer"], "Radiographer, trainee AP's practice educator"),
    ("r.evans", "Rhys Evans", ["radiographer"], "MR radiographer"),
    ("r.mensah", "Rose Mensah", ["radiographer"], "Radiographer, Southview"),
    ("ap.patel", "Priya Patel", ["assistant_practitioner"], "Assistant practitioner"),
    ("ap.brown", "Daniel Brown", ["assistant_practitioner"], "Assistant practitioner (X-ray and MRI)"),
    ("ap.trainee", "Tom Reid", ["trainee_assistant_practitioner"], "Trainee assistant practitioner"),
    ("dr.shah", "Anil Shah", ["radiologist"], "Consultant radiologist"),
    ("rps.lee", "Grace Lee", ["radiation_protection_supervisor"], "Radiation protection supervisor"),
    ("p.shah", "Pooja Shah", ["medical_physics_expert"], "Medical physics expert"),
    ("it.admin", "Ian Adams", ["administrator"], "IT administrator"),
]


@dataclass(frozen=True)
class Booking:
    time: str
    protocol: str
    patient: tuple[str, str, str, dt.date, str]  # NHS number, family, given, born, sex
    room: str
    site: str = "ngh"
    justification: str = "authorised"
    priority: str = "routine"
    question: str = ""
    side: str = "not_applicable"  # left or right for a limb
    setting: str = "gp"  # the referrer is a GP practice unless it says otherwise


def _born(years: int, month: int = 3, day: int = 14) -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - years, month, day)


def bookings() -> list[Booking]:
    return [
        Booking("08:30", "XCHES", ("2914177763", "Walker", "Sarah", _born(46), "female"), "X-ray room 1",
                question="Persistent cough for 6 weeks"),
        Booking("08:45", "XCHES", ("3170669079", "Okoro", "James", _born(62), "male"), "X-ray room 1",
                question="Pre-operative assessment"),
        Booking("09:00", "XLSPN", ("4391500086", "Hall", "Emma", _born(31), "female"), "X-ray room 2",
                question="Chronic low back pain; pregnancy enquiry needed"),
        Booking("09:15", "XHAND", ("8353374064", "Price", "Oliver", _born(9), "male"), "X-ray room 2",
                question="Fall onto outstretched hand (child)", side="left", setting="emergency"),
        Booking("09:30", "XKNEE", ("8124158681", "Green", "Margaret", _born(84), "female"), "X-ray room 2",
                question="Knee pain; patient has advanced dementia", side="right"),
        Booking("09:45", "CHEAD", ("3449786903", "Khan", "Imran", _born(57), "male"), "CT 1",
                justification="justified", question="Sudden onset headache", priority="urgent"),
        Booking("10:00", "MKNEE", ("7366258512", "Turner", "Lucy", _born(38), "female"), "MRI 1",
                question="Suspected meniscal tear", side="right", setting="outpatient"),
        Booking("10:15", "XCHES", ("7812865703", "Ahmed", "Yusuf", _born(29), "male"), "X-ray room 1",
                justification="pending", question="Chest pain; request awaiting justification"),
        Booking("10:30", "XWRIS", ("8303883682", "Lewis", "Ffion", _born(41), "female"), "X-ray room 2",
                question="Wrist pain after fall; trauma", side="left", setting="emergency"),
        Booking("10:45", "XCHES", ("5957489069", "Clarke", "Peter", _born(71), "male"), "X-ray room 1"),
        Booking("11:00", "XABDO", ("8288360750", "Wood", "Hannah", _born(24), "female"), "X-ray room 2",
                question="Constipation; pregnancy enquiry needed"),
        Booking("11:15", "XCHES", ("9838675652", "Evans", "Gareth", _born(55), "male"), "X-ray room 1"),
        Booking("11:30", "XPELV", ("3289218406", "Scott", "Dorothy", _born(78), "female"), "X-ray room 2",
                question="Hip pain, walks with a frame"),
        Booking("13:00", "XCHES", ("1107043417", "Baker", "Tom", _born(50), "male"), "X-ray room 1"),
        Booking("13:10", "XHAND", ("3960306202", "Patel", "Ravi", _born(34), "male"), "X-ray room 2",
                question="Injury to the fifth metacarpal", side="right"),
        Booking("13:20", "XHAND", ("2786838738", "Jones", "Megan", _born(52), "female"), "X-ray room 2",
                question="Painful swelling of the index finger", side="left"),
        Booking("13:30", "XSHOU", ("9254122483", "Young", "Amira", _born(35), "female"), "X-ray room 2", side="right"),
        Booking("14:00", "XCHES", ("2447577109", "Morgan", "Sian", _born(66), "female"), "X-ray", site="svh"),
        Booking("13:40", "XCHES", ("9434765919", "Davies", "Chloe", _born(17), "female"), "X-ray room 1",
                question="Asthma review; 17, so a radiographer's examination under the AP minimum age"),
        Booking("14:30", "XANKL", ("4656341487", "Hughes", "Dylan", _born(19), "male"), "X-ray", site="svh",
                question="Inversion injury", side="left", setting="emergency"),
    ]


def shifted_policy_text(today: dt.date) -> str:
    """Return the demo policy with every date moved by the days since it was written, so it reads the same."""
    delta = today - POLICY_WRITTEN_ON

    def shift(match: re.Match[str]) -> str:
        return (dt.date.fromisoformat(match.group(0)) + delta).isoformat()

    return re.sub(r"\b20\d\d-\d\d-\d\d\b", shift, POLICY_FILE.read_text())


def _people(department: Department) -> dict[str, User]:
    found = {}
    for username, name, roles, _title in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": name, "department": department, "email": f"{username}@northgate.nhs.test",
                      "first_name": name.split()[0], "last_name": name.split()[-1]},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for role in roles:
            RoleAssignment.objects.get_or_create(user=user, role=role, site=None)
        found[username] = user
    return found


def _places(department: Department) -> dict[str, Site]:
    ngh, _ = Site.objects.get_or_create(code="ngh", defaults={"department": department,
                                                              "name": "Northgate General Hospital"})
    svh, _ = Site.objects.get_or_create(code="svh", defaults={"department": department,
                                                              "name": "Southview Community Hospital"})
    for site, name, modality, ae in [
        (ngh, "X-ray room 1", "DX", "NGH_DX1"), (ngh, "X-ray room 2", "DX", "NGH_DX2"),
        (ngh, "CT 1", "CT", "NGH_CT1"), (ngh, "MRI 1", "MR", "NGH_MR1"), (svh, "X-ray", "DX", "SVH_DX1"),
    ]:
        Room.objects.get_or_create(site=site, name=name, defaults={"modality": modality, "ae_title": ae})
    return {"ngh": ngh, "svh": svh}


def _duty(people: dict[str, User], sites: dict[str, Site], today: dt.date) -> None:
    # The whole day, so the demo works whenever it is opened.
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    end = start + dt.timedelta(hours=23, minutes=59)
    manager = people["m.okafor"]
    ngh, svh = sites["ngh"], sites["svh"]
    plan_duty_session(supervisor=people["r.hughes"], site=ngh, starts_at=start, ends_at=end, by=manager,
                      source="cli")
    plan_duty_session(supervisor=people["r.evans"], site=ngh, room=Room.objects.get(site=ngh, name="MRI 1"),
                      starts_at=start, ends_at=end, by=manager, source="cli")
    plan_duty_session(supervisor=people["r.mensah"], site=svh, starts_at=start, ends_at=end, by=manager, source="cli")
    # Tom Reid (trainee) is directly supervised by Raj Singh in X-ray room 2; in room 1 nobody is beside him.
    plan_duty_session(supervisor=people["r.singh"], site=ngh, room=Room.objects.get(site=ngh, name="X-ray room 2"),
                      mode="direct", supervisees=[people["ap.trainee"]], starts_at=start, ends_at=end, by=manager,
                      source="cli")


def _worklist(department: Department, people: dict[str, User], today: dt.date) -> list[Examination]:
    booked = []
    for number, booking in enumerate(bookings(), start=1):
        nhs, family, given, born, sex = booking.patient
        at = timezone.make_aware(dt.datetime.combine(today, dt.time.fromisoformat(booking.time)))
        booked.append(exams.create_request(
            department,
            exams.RequestInput(
                nhs_number=nhs, family_name=family, given_name=given, date_of_birth=born, sex=sex,
                address=f"{number} Station Road, Northgate", postcode=f"NG{number % 9 + 1} {number}AB",
                protocol_code=booking.protocol, referrer="Dr L. Carter, Northgate Medical Practice",
                site_code=booking.site, room_name=booking.room, scheduled_at=at,
                accession_number=f"NGI{today:%y%m%d}{number:03d}", priority=booking.priority,
                clinical_question=booking.question, justification=booking.justification,
                justified_by="" if booking.justification == "pending" else "Rachel Hughes",
                setting=booking.setting, laterality=booking.side,
            ),
            by=people["m.okafor"], source="cli",
        ))
    return booked


def _development(people: dict[str, User], today: dt.date) -> None:
    """The AP framework, and where each AP has got to: Tom Reid is one observed hand X-ray short of sign-off."""
    manager = people["m.okafor"]
    import_framework(FRAMEWORK_FILE.read_text(), by=manager, channel="cli")
    tom = people["ap.trainee"]
    for number in (1, 2):
        record_observed_practice(tom, protocol_code="XHAND", accession_number=f"NGI-PRACTICE-{number}",
                                 supervisor=people["r.singh"], by=people["r.singh"], channel="cli")
    for person, course, years_ago, renew_days in [
        ("ap.patel", "radiation_safety", 1, 20), ("ap.patel", "basic_life_support", 1, 200),
        ("ap.brown", "mri_safety", 1, -5), ("ap.brown", "manual_handling", 2, 120),
        ("ap.trainee", "radiation_safety", 0, 330), ("ap.trainee", "infection_control", 0, 300),
    ]:
        record_training(people[person], course=course, completed_on=today - dt.timedelta(days=365 * years_ago),
                        renew_on=today + dt.timedelta(days=renew_days), by=manager, channel="cli")


def _already_escalated(booked: list[Examination], people: dict[str, User]) -> None:
    """Daniel Brown has screened the MRI knee patient, who reports a pacemaker: it waits in the queue."""
    mri = next(e for e in booked if e.protocol_code == "MKNEE")
    mri_answers = {q: "no" for q in _mri_question_ids()}
    mri_answers["pacemaker_icd"] = "yes"
    mri_answers["loose_ferromagnetic_items"] = "yes"
    exams.record_checklist(mri, {"identity": "confirmed", "cooperative": True, "has_capacity": True,
                                 "mobility": "independent", "trauma": False, "mri_answers": mri_answers,
                                 "weight_kg": 64},
                           by=people["ap.brown"], source="cli")
    exams.start_examination(mri, by=people["ap.brown"], source="cli")


def _mri_question_ids() -> list[str]:
    return [q.id for q in questions()]


@transaction.atomic
def load_demo() -> str:
    """Load the demo department, or give an existing one today's duty and worklist; say which."""
    today = timezone.localdate()
    department = Department.objects.filter(name="Northgate Imaging").first()
    if department is not None:
        if Examination.objects.filter(department=department).on_day(today).exists():
            return "already loaded for today"
        people = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
        sites = {s.code: s for s in Site.objects.filter(department=department)}
        _duty(people, sites, today)
        _already_escalated(_worklist(department, people, today), people)
        return "added today's supervision and worklist"
    department = Department.objects.create(name="Northgate Imaging", trust="Northgate Hospitals NHS Foundation Trust")
    sites = _places(department)
    people = _people(department)
    draft = policy.create_draft(department, source_yaml=shifted_policy_text(today), by=people["m.okafor"],
                                channel="cli")
    policy.approve_policy(draft, by=people["m.okafor"], note="Approved at the imaging governance meeting",
                          channel="cli")
    _duty(people, sites, today)
    _development(people, today)
    _already_escalated(_worklist(department, people, today), people)
    load_dose_history(department, people, today)
    load_equipment(department, people, today)
    return "loaded"
