"""Seed the benchmark database: 100 staff and 50,000 examinations over 50 days at the demo's sites.

Run after ``inscope migrate`` and ``inscope load_demo`` (which make the department, sites, rooms, the approved
policy and the demo's 11 people); benchmarks/worklist_load.py does all of that. Run it alone with the same
environment as the app (DATABASE_URL, SECRET_KEY, ...):

    DJANGO_SETTINGS_MODULE=inscope.settings .venv/bin/python benchmarks/seed_worklist.py --exams 50000 --days 50

Rows are written with bulk_create in batches, so it takes well under a minute. Deterministic for a given --seed
(apart from "today"). Never run it against a database you care about: it refuses unless the database name
contains "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from faker import Faker  # noqa: E402
from tqdm import tqdm  # noqa: E402

from inscope.demo.northgate import DEMO_PASSWORD  # noqa: E402
from inscope.department.models import Department, Room, Site  # noqa: E402
from inscope.exams.models import Examination, Patient  # noqa: E402
from inscope.policy.services import document_for, in_force  # noqa: E402
from inscope.rules.evaluate import decide  # noqa: E402
from inscope.rules.facts import Case, Mobility, Request, SupervisionContext  # noqa: E402
from inscope.rules.facts import Patient as PatientFacts  # noqa: E402
from inscope.staff.models import RoleAssignment, User  # noqa: E402

# (role, how many, username prefix, site code or None for every site). With the demo's 11 people: 100 staff.
STAFF_MIX = [
    ("radiographer", 30, "rad", None),
    ("radiographer", 6, "rad.svh", "svh"),
    ("assistant_practitioner", 20, "ap", None),
    ("assistant_practitioner", 5, "ap.svh", "svh"),
    ("trainee_assistant_practitioner", 8, "tap", None),
    ("radiologist", 6, "dr", None),
    ("sonographer", 4, "son", None),
    ("registered_nurse", 4, "rn", None),
    ("manager", 2, "mgr", None),
    ("administrator", 4, "admin", None),
]

# Protocol weights at each site (the demo's Southview site has one X-ray room).
PROTOCOL_WEIGHTS = {
    "ngh": {"XCHES": 28, "XCHEAP": 6, "XHAND": 6, "XWRIS": 6, "XKNEE": 7, "XANKL": 5, "XFOOT": 4, "XSHOU": 5,
            "XLSPN": 4, "XPELV": 4, "XABDO": 3, "CHEAD": 8, "CABPEC": 5, "MKNEE": 5, "MLSPI": 4},
    "svh": {"XCHES": 40, "XHAND": 10, "XWRIS": 10, "XKNEE": 12, "XANKL": 8, "XFOOT": 8, "XSHOU": 7, "XLSPN": 5},
}
SITE_SHARE = {"ngh": 0.7, "svh": 0.3}
ROOMS = {("ngh", "XR"): ["X-ray room 1", "X-ray room 2"], ("ngh", "CT"): ["CT 1"], ("ngh", "MR"): ["MRI 1"],
         ("svh", "XR"): ["X-ray"]}
QUESTIONS = ["Persistent cough", "Fall onto outstretched hand", "Knee pain, ? osteoarthritis", "Chronic low back pain",
             "Pre-operative assessment", "Shortness of breath", "Inversion injury", "? fracture", "Headache",
             "Abdominal pain", "Follow-up", "Suspected meniscal tear", ""]
REFERRERS = ["Dr L. Carter, Northgate Medical Practice", "Emergency Department, NGH", "Orthopaedic clinic",
             "Minor Injuries Unit, SVH", "Dr P. Anand, Riverside Surgery", "Respiratory clinic"]
BATCH = 2000


def nhs_numbers(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Return distinct NHS numbers with valid modulus-11 check digits (first digit 4-9, like real ones)."""
    found: list[str] = []
    while len(found) < count:
        digits = [rng.randint(4, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 10:
            continue
        number = "".join(map(str, digits)) + str(0 if check == 11 else check)
        if number not in taken:
            taken.add(number)
            found.append(number)
    return found


def seed_staff(department: Department, sites: dict[str, Site], progress: bool) -> list[User]:
    password = make_password(DEMO_PASSWORD)  # hashed once; every benchmark account shares it
    users, roles = [], []
    for role, count, prefix, _site in STAFF_MIX:
        for n in range(1, count + 1):
            username = f"bench.{prefix}{n:02d}"
            users.append(User(username=username, display_name=f"Bench {role.replace('_', ' ')} {n}",
                              first_name="Bench", last_name=f"{prefix}{n}", email=f"{username}@northgate.nhs.test",
                              department=department, password=password))
    User.objects.bulk_create(users, batch_size=BATCH)
    created = {u.username: u for u in User.objects.filter(username__startswith="bench.")}
    for role, count, prefix, site_code in STAFF_MIX:
        for n in range(1, count + 1):
            user = created[f"bench.{prefix}{n:02d}"]
            roles.append(RoleAssignment(user=user, role=role, site=sites[site_code] if site_code else None))
    RoleAssignment.objects.bulk_create(roles, batch_size=BATCH)
    return list(created.values())


def decisions(department: Department) -> tuple[object, dict[str, dict]]:
    """A recorded decision per protocol, as start_examination stores it (from the real engine)."""
    version = in_force(department)
    document = document_for(version)
    policy = document.to_policy(version.label)
    operator = document.operator("r.hughes")
    patient = PatientFacts(age=50, childbearing_potential=False, identity_confirmed=True, cooperative=True,
                           has_capacity=True, mobility=Mobility.INDEPENDENT, trauma=False, mri_stop_answers=(),
                           contrast_checks_done=True, cannula_in_place=True)
    today = timezone.localdate()
    found = {}
    for code in policy.protocols:
        case = Case(operator, Request(code, justified=True), patient, SupervisionContext(()), today)
        found[code] = decide(case, policy).as_dict()
    return version, found


def seed_exams(department: Department, sites: dict[str, Site], staff: list[User], *, exams: int, days: int,
               days_ahead: int, patients: int, seed: int, progress: bool) -> dict[str, object]:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    version, recorded = decisions(department)
    document = document_for(version)
    protocols = {code: entry.rule for code, entry in document.protocols.items()}
    rooms = {(r.site.code, r.name): r for r in Room.objects.select_related("site")}
    operators = [u for u in staff if u.username.startswith(("bench.rad", "bench.ap", "bench.tap"))]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    now = timezone.now()

    # Patients: returning patients share a record, as in a real department.
    taken = set(Patient.objects.values_list("nhs_number", flat=True))
    numbers = nhs_numbers(rng, patients, taken)
    rows = []
    for number in tqdm(numbers, desc="patients", unit="row", disable=not progress, leave=False):
        sex = rng.choice(["female", "male"])
        given = fake.first_name_female() if sex == "female" else fake.first_name_male()
        born = today - dt.timedelta(days=rng.randint(16 * 365, 95 * 365))
        rows.append(Patient(nhs_number=number, family_name=fake.last_name(), given_name=given, date_of_birth=born,
                            sex=sex, address=fake.street_address().replace("\n", ", "), postcode=fake.postcode()))
    for start in range(0, len(rows), BATCH):
        Patient.objects.bulk_create(rows[start:start + BATCH])
    patient_ids = list(Patient.objects.filter(nhs_number__in=numbers).values_list("id", flat=True))

    first_day = today - dt.timedelta(days=days - days_ahead - 1)
    day_list = [first_day + dt.timedelta(days=i) for i in range(days)]
    per_day = [exams // days + (1 if i < exams % days else 0) for i in range(days)]
    accession = 0
    written = 0
    bar = tqdm(total=exams, desc="examinations", unit="row", disable=not progress)
    counts: dict[str, int] = {}
    for day, count in zip(day_list, per_day, strict=True):
        batch = []
        for _ in range(count):
            site_code = "ngh" if rng.random() < SITE_SHARE["ngh"] else "svh"
            weights = PROTOCOL_WEIGHTS[site_code]
            code = rng.choices(list(weights), list(weights.values()))[0]
            protocol = protocols[code]
            room = rooms[(site_code, rng.choice(ROOMS[(site_code, protocol.modality)]))]
            minutes = rng.randint(8 * 60, 20 * 60 - 1)
            at = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
            accession += 1
            exam = Examination(
                department=department, patient_id=rng.choice(patient_ids), site=sites[site_code], room=room,
                accession_number=f"BEN{day:%y%m%d}{accession:06d}", protocol_code=code,
                protocol_name=protocol.name, modality=protocol.modality, referrer=rng.choice(REFERRERS),
                clinical_question=rng.choice(QUESTIONS), scheduled_at=at,
                priority=rng.choices(["routine", "urgent", "emergency"], [90, 8, 2])[0],
                justification=rng.choices(["authorised", "justified", "pending"], [70, 25, 5])[0],
            )
            if exam.justification != "pending":
                exam.justified_by = "Rachel Hughes (under IR(ME)R guidelines)"
            _progress_exam(exam, rng, at, now, operators, recorded[code], version)
            counts[exam.status] = counts.get(exam.status, 0) + 1
            batch.append(exam)
        for start in range(0, len(batch), BATCH):
            Examination.objects.bulk_create(batch[start:start + BATCH])
        written += len(batch)
        bar.update(len(batch))
    bar.close()
    return {"first_day": first_day.isoformat(), "last_day": day_list[-1].isoformat(), "examinations": written,
            "patients": len(patient_ids), "status_counts": counts}


def _progress_exam(exam: Examination, rng: random.Random, at: dt.datetime, now: dt.datetime, operators: list[User],
                   decision: dict, version: object) -> None:
    """Move an examination along as the day would have: past ones are mostly done, future ones scheduled."""
    if at > now:
        exam.status = "cancelled" if rng.random() < 0.03 else "scheduled"
        return
    roll = rng.random()
    hours_ago = (now - at).total_seconds() / 3600
    if hours_ago < 1 and roll < 0.5:
        exam.status = rng.choice(["scheduled", "in_progress", "escalated"])
    elif roll < 0.04:
        exam.status = "cancelled"
        return
    elif roll < 0.06:
        exam.status = "discontinued"
    else:
        exam.status = "completed"
    if exam.status == "scheduled":
        return
    exam.operator = rng.choice(operators)
    exam.decision = decision
    exam.policy_version = version
    exam.ruleset = decision["ruleset"]
    exam.started_at = at + dt.timedelta(minutes=rng.randint(0, 20))
    if exam.status in ("completed", "discontinued"):
        exam.ended_at = exam.started_at + dt.timedelta(minutes=rng.randint(3, 25))
    if exam.status == "completed":
        exam.images_count = rng.randint(1, 4)
        if exam.modality == "XR":
            exam.total_dap_gy_cm2 = Decimal(rng.randint(2, 250)) / Decimal(100)
        exam.aftercare = "No aftercare needed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exams", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--days-ahead", type=int, default=10, help="of the days, how many are after today")
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    name = str(settings.DATABASES["default"]["NAME"])
    if "bench" not in name:
        raise SystemExit(f"Refusing to seed database {name!r}: its name must contain 'bench'.")
    department = Department.objects.get(name="Northgate Imaging")  # from inscope load_demo
    if User.objects.filter(username__startswith="bench.").exists():
        raise SystemExit("Already seeded (bench.* users exist); recreate the database to seed again.")
    sites = {s.code: s for s in Site.objects.filter(department=department)}
    progress = not args.no_progress and sys.stderr.isatty()
    started = time.perf_counter()
    with transaction.atomic():
        staff = seed_staff(department, sites, progress)
        summary = seed_exams(department, sites, staff, exams=args.exams, days=args.days, days_ahead=args.days_ahead,
                             patients=args.patients, seed=args.seed, progress=progress)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    summary["staff"] = User.objects.filter(is_service_account=False).count()
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
