"""Dose import speed: one large fluoroscopy RDSR, and the whole shared DICOM corpus against pydicom alone.

    .venv/bin/python benchmarks/dose_import.py                    # corpus from ../shared/corpus/dicom
    .venv/bin/python benchmarks/dose_import.py --corpus DIR --runs 9
    .venv/bin/python benchmarks/dose_import.py --profile          # cProfile of one Azurion import

Both measurements go through the import path of ``inscope dose import`` (``inscope.dicom.importer.import_file``:
read the file, store it in the inbox, read its dose, record the study and its events, compare with the DRL,
screen for SAUE), including every database write, on SQLite files in a temporary folder (the embedded
configuration; WAL, synchronous=NORMAL, as in production settings). DEBUG is off, so Django does not keep a log
of queries.

1. ``RF-RDSR-Philips_Azurion.dcm`` (89 irradiation events): each timed run imports it as a study never seen
   before (a copy with new Study and SOP Instance UIDs, written beforehand), into one database; the median of
   the runs is reported, after one untimed warm-up import. Target: under 0.5 s.
2. The whole corpus, each run into a fresh database (a copy of one migrated database), against pydicom reading
   the same files in the same run: ``dcmread`` of each file (each run), and once ``dcmread`` followed by a walk
   that touches every element's value (``Dataset.iterall``; pydicom converts values lazily, so ``dcmread`` alone
   does not decode them). Target: the import within 3x of pydicom reading the files (``dcmread``).

Results go to benchmarks/results/dose_import.json. A script, never a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "dose_import.json"
CORPUS = ROOT.parent / "shared" / "corpus" / "dicom"
AZURION = "RF-RDSR-Philips_Azurion.dcm"
TARGET_AZURION_S = 0.5
TARGET_RATIO = 3.0


def setup_django(workdir: Path) -> Path:
    """Configure Django on a fresh SQLite file in ``workdir``, migrate it and return the migrated file."""
    template = workdir / "migrated.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{template}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret-" + "x" * 30)
    os.environ["DJANGO_SETTINGS_MODULE"] = "inscope.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    use_database(None)
    return template


def use_database(path: Path | None) -> None:
    """Close the connection; the next query opens ``path`` (or the current file when None)."""
    from django.db import connection

    connection.close()
    if path is not None:
        connection.settings_dict["NAME"] = str(path)


def fresh_database(template: Path, workdir: Path, name: str) -> Path:
    use_database(None)
    path = workdir / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    use_database(path)
    return path


def renamed_copies(source: Path, count: int, folder: Path) -> list[Path]:
    """Copies of a DICOM file, each with a new Study and SOP Instance UID (so each imports as a new study)."""
    from pydicom import dcmread
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for i in range(count):
        ds = dcmread(source)
        ds.StudyInstanceUID = generate_uid()
        ds.SOPInstanceUID = generate_uid()
        if "MediaStorageSOPInstanceUID" in ds.file_meta:
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        path = folder / f"{source.stem}-{i:02d}.dcm"
        ds.save_as(path, enforce_file_format=False)
        copies.append(path)
    return copies


def import_one(path: Path) -> tuple[float, Any]:
    from inscope.dicom.importer import import_file

    start = time.perf_counter()
    result = import_file(path)
    return time.perf_counter() - start, result


def bench_azurion(source: Path, template: Path, workdir: Path, runs: int, profile: bool) -> dict[str, Any]:
    copies = renamed_copies(source, runs + 2, workdir / "azurion")
    fresh_database(template, workdir, "azurion")
    warm_seconds, warm = import_one(copies[0])  # imports, caches and the first connection
    if warm.status != "imported":
        raise SystemExit(f"The warm-up import of {source.name} did not import: {warm.status} {warm.message}")
    times = []
    for i, path in enumerate(copies[1:runs + 1]):
        seconds, result = import_one(path)
        if result.status != "imported":
            raise SystemExit(f"Run {i + 1}: {result.status} {result.message}")
        times.append(seconds)
        print(f"  run {i + 1}: {seconds * 1000:7.1f} ms")
    from inscope.dose.models import DoseStudy

    study = DoseStudy._default_manager.get(pk=warm.dose_study_id)
    profile_text = None
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        import_one(copies[-1])
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        profile_text = out.getvalue()
    median = statistics.median(times)
    return {
        "file": source.name,
        "size_bytes": source.stat().st_size,
        "events": study.event_count,
        "total_dap_gy_m2": study.total_dap_gy_m2,
        "warm_up_seconds": round(warm_seconds, 4),
        "runs_seconds": [round(t, 4) for t in times],
        "median_seconds": round(median, 4),
        "best_seconds": round(min(times), 4),
        "target_seconds": TARGET_AZURION_S,
        "met": median < TARGET_AZURION_S,
        "profile": profile_text,
    }


def pydicom_read(files: list[Path], *, walk: bool) -> float:
    from pydicom import dcmread

    def touch(ds: Any) -> int:
        n = 0
        for elem in ds.iterall():
            _ = elem.value
            n += 1
        return n

    start = time.perf_counter()
    for path in files:
        ds = dcmread(path, force=True)
        if walk:
            touch(ds)
    return time.perf_counter() - start


def bench_corpus(corpus: Path, template: Path, workdir: Path, runs: int) -> dict[str, Any]:
    from inscope.dicom.importer import import_paths, study_lines

    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".dcm")
    pydicom_read(files, walk=False)  # warm the page cache and pydicom's own imports
    # Touching every value is slow in pydicom (seconds for the 89-event RDSR), so it is timed once.
    walk = pydicom_read(files, walk=True)
    print(f"  dcmread + touching every value, once: {walk * 1000:.0f} ms")
    imports, reads = [], []
    statuses: dict[str, int] = {}
    lines: list[dict[str, Any]] = []
    for i in range(runs):
        fresh_database(template, workdir, f"corpus-{i}")
        reads.append(pydicom_read(files, walk=False))
        start = time.perf_counter()
        results = import_paths(files)
        imports.append(time.perf_counter() - start)
        statuses = {}
        for r in results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        lines = study_lines(results)
        print(f"  run {i + 1}: import {imports[-1] * 1000:7.1f} ms   dcmread {reads[-1] * 1000:6.1f} ms")
    imp, read = statistics.median(imports), statistics.median(reads)
    return {
        "folder": str(corpus),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "file_statuses": statuses,
        "studies": len([line for line in lines if line["study_instance_uid"]]),
        "import_seconds": [round(t, 4) for t in imports],
        "dcmread_seconds": [round(t, 4) for t in reads],
        "dcmread_walk_seconds": round(walk, 4),
        "median_import_seconds": round(imp, 4),
        "median_dcmread_seconds": round(read, 4),
        "ratio_to_dcmread": round(imp / read, 2),
        # Each run's import against the dcmread just before it: less sensitive to other load on the machine.
        "median_ratio_per_run": round(statistics.median(i / r for i, r in zip(imports, reads, strict=True)), 2),
        "ratio_to_dcmread_walk": round(imp / walk, 2),
        "target_ratio": TARGET_RATIO,
        "met": imp / read <= TARGET_RATIO,
    }


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of DICOM files (default: %(default)s)")
    parser.add_argument("-r", "--runs", type=int, default=7, help="timed runs of each measurement (median reported)")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU (like taskset -c N)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one Azurion import")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file ('-' for none)")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    source = args.corpus / AZURION
    if not source.is_file():
        print(f"{source} not found: pass --corpus with the shared DICOM corpus.", file=sys.stderr)
        return 2
    load = machine()
    with tempfile.TemporaryDirectory(prefix="inscope-dose-bench-") as tmp:
        workdir = Path(tmp)
        template = setup_django(workdir)
        print(f"1. {AZURION}: import as a new study, {args.runs} runs")
        azurion = bench_azurion(source, template, workdir, args.runs, args.profile)
        print(f"2. The corpus ({args.corpus}): import into a fresh database vs pydicom reading it, {args.runs} runs")
        corpus = bench_corpus(args.corpus, template, workdir, args.runs)
        use_database(None)

    rows = [
        ("Azurion RDSR import (median)", f"{azurion['median_seconds'] * 1000:.0f} ms",
         f"< {TARGET_AZURION_S * 1000:.0f} ms", azurion["met"]),
        (f"Corpus import, {corpus['files']} files (median)", f"{corpus['median_import_seconds'] * 1000:.0f} ms", "",
         None),
        ("pydicom dcmread of the same files", f"{corpus['median_dcmread_seconds'] * 1000:.1f} ms", "", None),
        ("pydicom dcmread + touching every value", f"{corpus['dcmread_walk_seconds'] * 1000:.0f} ms", "", None),
        ("Import / dcmread (ratio of the medians)", f"{corpus['ratio_to_dcmread']:.1f}x", f"<= {TARGET_RATIO:.0f}x",
         corpus["met"]),
        ("Import / dcmread (median of each run's ratio)", f"{corpus['median_ratio_per_run']:.1f}x", "", None),
        ("Import / (dcmread + walk)", f"{corpus['ratio_to_dcmread_walk']:.1f}x", "", None),
    ]
    print()
    print(f"{'Measure':<46} {'Result':>10}  {'Target':>9}  Verdict")
    for name, value, target, met in rows:
        verdict = "" if met is None else ("MET" if met else "MISSED")
        print(f"{name:<46} {value:>10}  {target:>9}  {verdict}")
    if azurion["profile"]:
        print(azurion["profile"])

    if str(args.output) != "-":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "benchmark": "dose_import",
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": " ".join(["python benchmarks/dose_import.py", *(sys.argv[1:] if argv is None else argv)]),
            "machine": load,
            "database": "SQLite (WAL, synchronous=NORMAL), a file in a temporary folder",
            "azurion": {k: v for k, v in azurion.items() if k != "profile"},
            "corpus": corpus,
        }
        args.output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
