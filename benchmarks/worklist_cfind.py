"""Modality worklist C-FIND round trips with 100,000 scheduled examinations in the database.

    .venv/bin/python benchmarks/worklist_cfind.py                 # scratch SQLite file, 100,000 examinations
    .venv/bin/python benchmarks/worklist_cfind.py --database-url postgres://postgres@127.0.0.1:5432/inscope_bench_mwl
    .venv/bin/python benchmarks/worklist_cfind.py --keep          # reuse the scratch database if already seeded

Builds a scratch database (a SQLite file in the temporary directory, or the PostgreSQL database named by
--database-url, which is dropped and recreated and must have "bench" in its name), migrates it and seeds it with
bulk_create: 10 rooms at two sites, 30,000 patients and 100,000 examinations over 250 days (about 40 per room per
day, 08:00-18:00). Past days are completed (a few cancelled or discontinued), future days scheduled; the measured
day ("today") has every examination authorised or in progress, so each query returns a full room's day: the worst
case for the worklist, about 40 items.

Then it starts the listener in-process (``inscope.dicom.listener.Listener``, calling AE titles restricted as in
production) and, with pynetdicom as the modality, times the C-FIND for one AE title's day (station AE title,
modality, today's date, and the usual return keys) from sending the request to the final Success:

  * ``one_association``: --queries queries over one open association (after --warmup untimed ones);
  * ``new_association``: --new-associations times association + C-FIND + release, and the C-FIND alone;
  * ``in_process``: the same query answered by ``find_worklist_items`` without the network (database,
    matching and building the answers), to show where the time goes;
  * ``bare_pynetdicom_replay``: the same answers replayed by a bare pynetdicom SCP with no database: the floor
    the DICOM stack itself sets on this machine at that moment.

Client and server share this process (and the GIL) and the machine's cores, so the figures are a ceiling on
what a real modality on another machine would see. Targets (issue 4): p50 < 20 ms, p99 < 100 ms. Results go to
benchmarks/results/worklist_cfind.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "worklist_cfind.json"
SCRATCH = Path(tempfile.gettempdir()) / "inscope-worklist-cfind.sqlite3"
TARGET_P50_MS, TARGET_P99_MS = 20, 100
TIME_ZONE = "Europe/London"

# (site code, room name, DICOM modality, AE title, department modality code)
ROOMS = [
    ("ngh", "X-ray room 1", "DX", "NGH_DX1", "XR"), ("ngh", "X-ray room 2", "DX", "NGH_DX2", "XR"),
    ("ngh", "X-ray room 3", "DX", "NGH_DX3", "XR"), ("ngh", "CT 1", "CT", "NGH_CT1", "CT"),
    ("ngh", "CT 2", "CT", "NGH_CT2", "CT"), ("ngh", "MRI 1", "MR", "NGH_MR1", "MR"),
    ("ngh", "Fluoroscopy", "RF", "NGH_RF1", "FL"), ("svh", "X-ray", "DX", "SVH_DX1", "XR"),
    ("svh", "X-ray 2", "DX", "SVH_DX2", "XR"), ("svh", "Mammography", "MG", "SVH_MG1", "MAM"),
]
PROTOCOLS = {"XR": [("XCHES", "XR Chest PA"), ("XHAND", "XR Hand"), ("XKNEE", "XR Knee"), ("XLSPN", "XR Lumbar spine")],
             "CT": [("CHEAD", "CT Head"), ("CABPEC", "CT Abdomen and pelvis with contrast")],
             "MR": [("MKNEE", "MR Knee"), ("MLSPI", "MR Lumbar spine")],
             "FL": [("FBSWAL", "Fluoroscopy barium swallow")], "MAM": [("MBILAT", "Mammography bilateral")]}
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Müller",
          "O'Brien", "Nowak", "Kowalski", "Hughes", "Evans", "Thomas", "Roberts", "Ahmed", "Singh", "Łukasz"]
GIVEN = ["Alex", "Sam", "Jo", "Priya", "Zoë", "Siân", "Mohammed", "Olivia", "Noah", "Amelia", "Jack", "René"]
EXAMS_PER_ROOM_DAY = 40
# The scenarios: a typical room at 10:00 (the four examinations checked and under way or authorised are offered;
# the rest are done or not yet checked), and one room with its whole day offered (the worst case).
TYPICAL_AE, WHOLE_DAY_AE = "NGH_DX1", "NGH_DX2"
PAST_DAYS = 200


def configure(database_url: str) -> None:
    """Point Django at the scratch database, production-like (DEBUG off), and set it up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    os.environ["INSCOPE_DICOM_RESTRICT_CALLING_AE"] = "true"
    import django

    django.setup()
    import logging

    # pynetdicom narrates every message at INFO, and the listener logs each query: not what is being measured.
    logging.getLogger("pynetdicom").setLevel(logging.ERROR)
    logging.getLogger("inscope.dicom").setLevel(logging.WARNING)


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: a benchmark database must have 'bench' in its name.")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def seed(total: int, today: dt.date, rng: random.Random, progress: bool) -> dict[str, object]:
    """Bulk-create the department; return what was made."""
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from inscope.department.models import Department, Room, Site
    from inscope.exams.models import Examination, Patient
    from inscope.staff.models import User

    department = Department.objects.create(name="Northgate Imaging", trust="Northgate Hospitals NHS Foundation Trust")
    sites = {code: Site.objects.create(department=department, name=name, code=code)
             for code, name in [("ngh", "Northgate General Hospital"), ("svh", "Southview Community Hospital")]}
    rooms = [(Room.objects.create(site=sites[s], name=n, modality=m, ae_title=ae), code)
             for s, n, m, ae, code in ROOMS]
    unusable = "!"  # an unusable password: nobody signs in to the benchmark database
    operators = User.objects.bulk_create([
        User(username=f"bench.op{n:02d}", first_name=rng.choice(GIVEN), last_name=rng.choice(FAMILY),
             display_name=f"Operator {n}", password=unusable, department=department) for n in range(40)])
    patients = Patient.objects.bulk_create([
        Patient(nhs_number=f"{9000000000 + n}", family_name=rng.choice(FAMILY), given_name=rng.choice(GIVEN),
                date_of_birth=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000)),
                sex=rng.choice(["female", "male"]), address="1 High Street", postcode="NG1 1AA")
        for n in range(30_000)], batch_size=2000)
    zone = timezone.get_current_timezone()
    days = -(-total // (len(rooms) * EXAMS_PER_ROOM_DAY))
    first_day = today - dt.timedelta(days=min(PAST_DAYS, days * 4 // 5))
    counts: dict[str, int] = {}
    batch: list[Examination] = []
    made = 0
    bar = tqdm(total=total, desc="examinations", unit="", disable=not progress)
    with transaction.atomic():
        for day_index in range(days):
            day = first_day + dt.timedelta(days=day_index)
            for room, code in rooms:
                for slot in range(EXAMS_PER_ROOM_DAY):
                    if made >= total:
                        break
                    when = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=15 * slot)
                    status = _status(day, today, when.time(), room.ae_title, rng)
                    protocol_code, protocol_name = rng.choice(PROTOCOLS[code])
                    batch.append(Examination(
                        department=department, patient=rng.choice(patients), accession_number=f"B{made:09d}",
                        study_instance_uid=f"2.25.{uuid.uuid4().int}", protocol_code=protocol_code,
                        protocol_name=protocol_name, modality=code, referrer="Dr L. Carter, Northgate Medical Practice",
                        justification="authorised", site=room.site, room=room,
                        scheduled_at=timezone.make_aware(when, zone), status=status,
                        operator=None if status == "scheduled" else rng.choice(operators),
                    ))
                    counts[status] = counts.get(status, 0) + 1
                    made += 1
                    if len(batch) >= 5000:
                        Examination.objects.bulk_create(batch)
                        bar.update(len(batch))
                        batch = []
        Examination.objects.bulk_create(batch)
        bar.update(len(batch))
    bar.close()
    return {"examinations": made, "patients": len(patients), "rooms": len(rooms), "days": days,
            "first_day": first_day.isoformat(), "status_counts": counts}


def _status(day: dt.date, today: dt.date, at: dt.time, ae_title: str, rng: random.Random) -> str:
    """Past days done, future days waiting; today as at 10:00 (one room has its whole day offered)."""
    if day < today:
        return rng.choices(["completed", "cancelled", "discontinued"], [94, 4, 2])[0]
    if day > today:
        return "scheduled"
    if ae_title == WHOLE_DAY_AE or dt.time(10, 0) <= at < dt.time(11, 0):
        return rng.choice(["authorised", "in_progress"])
    return "completed" if at < dt.time(10, 0) else "scheduled"


def worklist_query(ae_title: str, modality: str, day: dt.date):
    from pydicom import Dataset
    from pydicom.sequence import Sequence

    query = Dataset()
    query.SpecificCharacterSet = "ISO_IR 100"
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "AccessionNumber",
                    "RequestedProcedureID", "RequestedProcedureDescription", "StudyInstanceUID",
                    "ReferringPhysicianName"):
        setattr(query, keyword, "")
    step = Dataset()
    step.ScheduledStationAETitle = ae_title
    step.Modality = modality
    step.ScheduledProcedureStepStartDate = day.strftime("%Y%m%d")
    for keyword in ("ScheduledProcedureStepStartTime", "ScheduledPerformingPhysicianName",
                    "ScheduledProcedureStepDescription", "ScheduledProcedureStepID"):
        setattr(step, keyword, "")
    query.ScheduledProcedureStepSequence = Sequence([step])
    return query


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)

    return {"count": len(ordered), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "max_ms": round(ordered[-1], 2), "mean_ms": round(statistics.fmean(ordered), 2)}


def find(assoc, query) -> tuple[float, int]:
    from inscope.dicom.listener import MODALITY_WORKLIST_FIND as ModalityWorklistInformationFind

    started = time.perf_counter()
    items = 0
    for status, _identifier in assoc.send_c_find(query, ModalityWorklistInformationFind):
        code = status.get("Status") if status else None
        if code in (0xFF00, 0xFF01):
            items += 1
        elif code != 0x0000:
            raise RuntimeError(f"C-FIND failed with status {code!r}")
    return (time.perf_counter() - started) * 1000, items


def _nodelay(event) -> None:
    import socket

    event.assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def scenario(ae_title: str, host: str, port: int, today: dt.date, args: argparse.Namespace,
             progress: bool) -> dict[str, object]:
    """Time one modality's worklist for today: over one association, over new ones, and in process."""
    from pynetdicom import AE, evt
    from tqdm import tqdm

    from inscope.dicom.listener import MODALITY_WORKLIST_FIND as ModalityWorklistInformationFind
    from inscope.dicom.worklist import find_worklist_items

    query = worklist_query(ae_title, "DX", today)
    modality = AE(ae_title=ae_title)
    modality.add_requested_context(ModalityWorklistInformationFind)
    # Like DCMTK-based modalities, the client sends each PDU at once (TCP_NODELAY); the listener does too.
    handlers = [(evt.EVT_CONN_OPEN, _nodelay)]
    assoc = modality.associate(host, port, ae_title="INSCOPE", evt_handlers=handlers)
    if not assoc.is_established:
        raise RuntimeError("The listener refused the association")
    for _ in range(args.warmup):
        find(assoc, query)
    one: list[float] = []
    counts: list[int] = []
    for _ in tqdm(range(args.queries), desc=f"{ae_title} one association", disable=not progress):
        elapsed, count = find(assoc, query)
        one.append(elapsed)
        counts.append(count)
    assoc.release()

    new_total: list[float] = []
    new_find: list[float] = []
    for _ in tqdm(range(args.new_associations), desc=f"{ae_title} new associations", disable=not progress):
        started = time.perf_counter()
        assoc = modality.associate(host, port, ae_title="INSCOPE", evt_handlers=handlers)
        elapsed, _count = find(assoc, query)
        assoc.release()
        new_total.append((time.perf_counter() - started) * 1000)
        new_find.append(elapsed)

    local: list[float] = []
    for _ in tqdm(range(args.queries), desc=f"{ae_title} in process", disable=not progress):
        started = time.perf_counter()
        list(find_worklist_items(query, calling_ae=ae_title))
        local.append((time.perf_counter() - started) * 1000)

    # The same answers from a bare pynetdicom SCP that only replays them (no database, no matching, no building):
    # the floor this stack sets on the machine at the time.
    answers = list(find_worklist_items(query, calling_ae=ae_title))

    def replay(event):
        for item in answers:
            yield 0xFF00, item
        yield 0x0000, None

    bare = AE(ae_title="BARE")
    bare.add_supported_context(ModalityWorklistInformationFind)
    server = bare.start_server(("127.0.0.1", 0), block=False,
                               evt_handlers=[(evt.EVT_C_FIND, replay), (evt.EVT_CONN_OPEN, _nodelay)])
    floor: list[float] = []
    try:
        assoc = modality.associate("127.0.0.1", server.server_address[1], ae_title="BARE", evt_handlers=handlers)
        for _ in range(args.warmup):
            find(assoc, query)
        for _ in tqdm(range(args.queries), desc=f"{ae_title} bare pynetdicom", disable=not progress):
            floor.append(find(assoc, query)[0])
        assoc.release()
    finally:
        bare.shutdown()
    return {
        "query": {"ScheduledStationAETitle": ae_title, "Modality": "DX",
                  "ScheduledProcedureStepStartDate": today.strftime("%Y%m%d"),
                  "return_keys": sorted(e.keyword for e in query) +
                  sorted(f"ScheduledProcedureStepSequence.{e.keyword}"
                         for e in query.ScheduledProcedureStepSequence[0])},
        "items_per_query": max(counts),
        # pynetdicom's requestor (the benchmark's modality, not the listener) now and then lets its reactor
        # thread take a pending response meant for send_c_find ("Received unexpected C-FIND service message"):
        # that query counts one item short. How often it happened:
        "short_answers_seen_by_the_client": sum(1 for c in counts if c < max(counts)),
        "one_association": summary(one),
        "new_association": {"find": summary(new_find), "associate_find_release": summary(new_total)},
        "in_process": summary(local),
        "bare_pynetdicom_replay": summary(floor),
    }


def measure(args: argparse.Namespace, today: dt.date, progress: bool) -> dict[str, object]:
    from django.db import connection

    from inscope.dicom.listener import Listener, ListenerSettings

    listener = Listener(ListenerSettings(ae_title="INSCOPE", bind="127.0.0.1", port=0, restrict_calling_ae=True),
                        process=False)
    host, port = listener.start()
    try:
        results = {"typical": scenario(TYPICAL_AE, host, port, today, args, progress),
                   "whole_day_offered": scenario(WHOLE_DAY_AE, host, port, today, args, progress)}
    finally:
        listener.stop(grace_seconds=2, drain_seconds=0)
        connection.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database to drop, recreate and use (name must contain "
                                               "'bench'); default a scratch SQLite file")
    parser.add_argument("--exams", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="timed C-FINDs over one association")
    parser.add_argument("--new-associations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--ae-title", default="NGH_DX1", help="the modality whose day is queried")
    parser.add_argument("--keep", action="store_true", help="reuse the scratch SQLite database if it is seeded")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)
    progress = sys.stderr.isatty()
    at_start = machine()

    reuse = args.keep and not args.database_url and SCRATCH.exists()
    if args.database_url:
        recreate_postgres(args.database_url)
        url = args.database_url
    else:
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SCRATCH}"
    configure(url)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from inscope.exams.models import Examination

    today = timezone.localdate()
    started = time.perf_counter()
    if reuse and Examination.objects.exists():
        seeded = {"examinations": Examination.objects.count(), "reused": True}
        today = timezone.localdate(Examination.objects.filter(status="authorised").latest("scheduled_at")
                                   .scheduled_at)
    else:
        call_command("migrate", verbosity=0)
        seeded = seed(args.exams, today, random.Random(args.seed), progress)
    seed_seconds = round(time.perf_counter() - started, 1)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()

    results = measure(args, today, progress)
    met = {name: r["one_association"]["p50_ms"] < TARGET_P50_MS  # type: ignore[index]
           and r["one_association"]["p99_ms"] < TARGET_P99_MS for name, r in results.items()}  # type: ignore[index]
    report = {
        "benchmark": "worklist_cfind",
        "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "command": "python benchmarks/worklist_cfind.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": at_start,
        "database": connection.vendor,
        "seeded": seeded,
        "seed_seconds": seed_seconds,
        "scenarios": results,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS, "met": met},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{seeded['examinations']:,} examinations ({connection.vendor})")
    for name, result in results.items():
        new = result["new_association"]
        print(f"{name}: {result['query']['ScheduledStationAETitle']}, "  # type: ignore[index]
              f"{result['items_per_query']} items per query "
              f"({result['short_answers_seen_by_the_client']} short by the client's race)")
        for label, figures in [("one association", result["one_association"]),
                               ("new association, C-FIND", new["find"]),  # type: ignore[index]
                               ("new association, total", new["associate_find_release"]),  # type: ignore[index]
                               ("in process (no network)", result["in_process"]),
                               ("bare pynetdicom replay", result["bare_pynetdicom_replay"])]:
            print(f"  {label:<26} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms  "  # type: ignore[index]
                  f"p99 {figures['p99_ms']:7.2f} ms  max {figures['max_ms']:7.2f} ms")  # type: ignore[index]
        print(f"  targets p50 < {TARGET_P50_MS} ms, p99 < {TARGET_P99_MS} ms over one association: "
              f"{'met' if met[name] else 'NOT met'}")
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0 if met["typical"] else 1


if __name__ == "__main__":
    sys.exit(main())
