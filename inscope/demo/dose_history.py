"""The demo department's dose history: twelve weeks of chest, pelvis, knee and CT head studies with their dose
reports, the national DRLs, a local DRL for one room, and one chest X-ray whose dose was ten times its DRL, so the
dose audit has something to show and the radiation protection supervisor has a review waiting.

The history's examinations were performed before the demo day, so they are written as completed records; their
dose goes through ``record_dose`` exactly as a modality's dose report would.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from inscope.department.models import Department, Room
from inscope.dose.models import ReferenceLevel
from inscope.dose.report import DoseReport, EventKind, IrradiationEvent, ObjectKind
from inscope.dose.services import drls, record_dose
from inscope.exams.models import Examination, Patient
from inscope.lib.nhs_number import check_digit
from inscope.lib.uids import new_uid
from inscope.staff.models import User

RDSR = "1.2.840.10008.5.1.4.1.1.88.67"
WEEKS = 12
# protocol, room, studies per working day, median dose, spread (lognormal sigma), events per study
HISTORY = [
    ("XCHES", "X-ray room 1", 3, 0.075, 0.35, 1),
    ("XCHES", "X-ray room 2", 2, 0.11, 0.35, 1),
    ("XPELV", "X-ray room 2", 1, 1.6, 0.4, 1),
    ("XKNEE", "X-ray room 2", 1, 0.18, 0.4, 2),
    ("CHEAD", "CT 1", 1, 720.0, 0.25, 2),
]
FAMILY = ["Ward", "Bell", "Hughes", "Cooper", "Reed", "Cox", "Shaw", "Lloyd", "Rees", "Harris", "Lewis", "Ellis"]
GIVEN = ["Alan", "Beth", "Carys", "David", "Elin", "Frank", "Gwen", "Huw", "Iris", "Jack", "Kate", "Liam"]


def _nhs_number(rng: random.Random) -> str:
    while True:
        first_nine = f"{rng.randrange(400_000_000, 499_999_999):09d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


def _patients(rng: random.Random, count: int) -> list[Patient]:
    patients = []
    for n in range(count):
        patients.append(Patient.objects.create(
            nhs_number=_nhs_number(rng), family_name=FAMILY[n % len(FAMILY)], given_name=GIVEN[n * 5 % len(GIVEN)],
            date_of_birth=dt.date(1940 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            sex=rng.choice(["female", "male"]), address=f"{n + 1} Mill Lane, Northgate", postcode="NG1 1AA",
        ))
    return patients


def _past_examination(department: Department, room: Room, protocol: tuple[str, str, str], patient: Patient,
                      at: dt.datetime, operator: User, number: int) -> Examination:
    code, name, modality = protocol
    return Examination.objects.create(
        department=department, patient=patient, accession_number=f"NGH{at:%y%m%d}{number:04d}", protocol_code=code,
        protocol_name=name, modality=modality, referrer="Dr L. Carter, Northgate Medical Practice",
        justification=Examination.Justification.AUTHORISED, justified_by="Rachel Hughes", site=room.site, room=room,
        scheduled_at=at, status=Examination.Status.COMPLETED, operator=operator, started_at=at,
        ended_at=at + dt.timedelta(minutes=10), images_count=1,
    )


def _report(exam: Examination, room: Room, dose: float, events: int) -> DoseReport:
    ct = exam.modality == "CT"
    share = dose / events
    items = tuple(
        IrradiationEvent(
            uid=new_uid(), kind=EventKind.CT if ct else EventKind.PROJECTION, at=exam.started_at,
            protocol=exam.protocol_name, dlp_mgy_cm=share if ct else None, ctdivol_mgy=share / 16 if ct else None,
            scanning_length_mm=160.0 if ct else None, phantom="head 16 cm" if ct else "",
            dap_gy_m2=None if ct else share / 10_000, kvp=120.0 if ct else 70.0,
        )
        for _ in range(events)
    )
    return DoseReport(
        sop_instance_uid=new_uid(), sop_class_uid=RDSR, object_kind=ObjectKind.RDSR,
        study_instance_uid=exam.study_instance_uid, modality="CT" if ct else room.modality, events=items,
        accession_number=exam.accession_number, patient_id=exam.patient.nhs_number,
        patient_name=f"{exam.patient.family_name.upper()}^{exam.patient.given_name}", study_date_time=exam.started_at,
        study_description=exam.protocol_name, station_ae_title=room.ae_title, station_name=room.name,
        manufacturer="Demo Medical", model_name="DR 5000" if not ct else "CT 64",
    )


def _reference_levels(department: Department, people: dict[str, User], today: dt.date) -> None:
    """National DRLs; CT head linked to the national DRL; a local chest DRL for X-ray room 2 (older equipment)."""
    national = drls.load_national_drls(by=people["p.shah"], channel="cli")
    head = ReferenceLevel.objects.filter(drl_set=national, modality="CT", examination="Head",
                                         quantity="dlp").first()
    if head is not None:
        drls.link_protocol_to_national(department=department, protocol_code="CHEAD", reference_level=head,
                                       by=people["p.shah"], channel="cli")
    level = drls.propose_local_drl(
        department=department, protocol_code="XCHES", quantity="dap", value=0.12, unit="Gy·cm²",
        room=Room.objects.get(site__department=department, name="X-ray room 2"),
        effective_from=today - dt.timedelta(weeks=WEEKS + 1),
        source="Northgate dose audit 2025, X-ray room 2 (CR detector)", by=people["p.shah"], channel="cli",
    )
    drls.approve_local_drl(level, by=people["m.okafor"], channel="cli")


def load_dose_history(department: Department, people: dict[str, User], today: dt.date) -> int:
    """Load the demo's dose history; return how many studies it recorded."""
    _reference_levels(department, people, today)
    rng = random.Random(20261128)  # the same history every time
    rooms = {r.name: r for r in Room.objects.filter(site__department=department)}
    names = {"XCHES": ("XR Chest PA", "XR"), "XPELV": ("XR Pelvis", "XR"), "XKNEE": ("XR Knee", "XR"),
             "CHEAD": ("CT Head", "CT")}
    patients = _patients(rng, 40)
    operators = {"XR": people["ap.patel"], "CT": people["r.hughes"]}
    number = recorded = 0
    for day in (today - dt.timedelta(days=d) for d in range(WEEKS * 7, 0, -1)):
        if day.weekday() >= 5:
            continue
        for code, room_name, per_day, median, sigma, events in HISTORY:
            name, modality = names[code]
            for _ in range(per_day):
                number += 1
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60))))
                exam = _past_examination(department, rooms[room_name], (code, name, modality),
                                         rng.choice(patients), at, operators[modality], number)
                dose = median * rng.lognormvariate(0, sigma)
                record_dose(_report(exam, rooms[room_name], dose, events), source="import")
                recorded += 1
    # Last Tuesday a chest X-ray was exposed ten times over (a detector fault): it waits for the RPS's review.
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 or 7)
    at = timezone.make_aware(dt.datetime.combine(tuesday, dt.time(15, 40)))
    exam = _past_examination(department, rooms["X-ray room 1"], ("XCHES", "XR Chest PA", "XR"), patients[0], at,
                             operators["XR"], number + 1)
    record_dose(_report(exam, rooms["X-ray room 1"], 1.15, 1), source="import")
    return recorded + 1
