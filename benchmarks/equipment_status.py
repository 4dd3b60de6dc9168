"""The time the equipment status read adds to each decision: ``inscope.exams.facts.equipment_facts``, the one
query that fills ``Case.equipment`` (issue 10's target: under 1 ms per decision).

    DEBUG=true .venv/bin/python benchmarks/equipment_status.py              # SQLite, 2,000 reads x 5 runs
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_equipment \\
        .venv/bin/python benchmarks/equipment_status.py                     # PostgreSQL

Creates a throwaway test database (as pytest does), registers 200 rooms with 5 units each (1,000 units, some
restricted or out of service, some decommissioned), then times the read for rooms picked at random. Results go
to benchmarks/results/equipment_status.json. A script, never a test: timings depend on the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_MS = 1.0
ROOMS, UNITS_PER_ROOM, READS, RUNS = 200, 5, 2_000, 5


def seed() -> list:
    from inscope.department.models import Department, Room, Site
    from inscope.equipment.models import Unit

    department = Department.objects.create(name="Bench", trust="Bench")
    site = Site.objects.create(department=department, name="Bench site", code="bench")
    rooms = Room.objects.bulk_create(Room(site=site, name=f"Room {n}", modality="DX") for n in range(ROOMS))
    statuses = ["in_service"] * 8 + ["restricted", "out_of_service"]
    Unit.objects.bulk_create(
        Unit(department=department, site=site, room=room, kind="detector", name=f"{room.name} unit {k}",
             manufacturer="M", model="X", serial_number=f"{room.pk}-{k}", installed_on=dt.date(2020, 1, 1),
             status=random.choice(statuses), decommissioned_on=dt.date(2024, 1, 1) if k == 4 else None)
        for room in rooms for k in range(UNITS_PER_ROOM))
    return rooms


def main() -> None:
    from inscope.exams.facts import equipment_facts
    from inscope.exams.models import Examination

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        random.seed(10)
        rooms = seed()
        on = dt.date(2026, 12, 4)
        exams = [Examination(room_id=random.choice(rooms).pk) for _ in range(READS)]
        runs = []
        for _ in range(RUNS):
            started = time.perf_counter()
            for exam in exams:
                equipment_facts(exam, on)
            runs.append((time.perf_counter() - started) / READS * 1000)
        median = statistics.median(runs)
        result = {"vendor": connection.vendor, "units": ROOMS * UNITS_PER_ROOM, "reads_per_run": READS,
                  "runs_ms_per_read": [round(r, 4) for r in runs], "median_ms_per_read": round(median, 4),
                  "target_ms": TARGET_MS, "python": platform.python_version(), "machine": platform.machine()}
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    out = ROOT / "benchmarks" / "results" / "equipment_status.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"{'PASS' if median < TARGET_MS else 'FAIL'}: {median:.3f} ms per status read (target < {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
