"""Importing DICOM files from disk through the same inbox as the storage listener (``inscope dose import``).

Each file is stored with ``inbox.store_received`` (source "import", its path as origin) and processed with
``inbox.process_received``, so a file and a C-STORE of the same object are treated alike: idempotent by SOP
Instance UID, quarantined when broken, ignored when it carries no dose.

The results are reported per study: the files of one study (several dose reports, or one image per exposure)
make one line with the study's totals after the import. Its status combines the files' statuses, the first that
applies of: ``error`` (one of its files failed; the totals show what was recorded), ``imported`` (the study was
new in this run), ``updated`` (it existed and gained objects), ``duplicate`` (every file had been imported
before), ``ignored`` (none of its files carried dose). A file whose study cannot be told (it is not readable
DICOM, or the path cannot be read) has a line of its own with a null study.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone

from inscope.dicom import inbox
from inscope.dicom.models import ReceivedObject
from inscope.dose.models import DoseStudy

STATUSES = ("imported", "updated", "duplicate", "ignored", "error")
# Which status a study's line shows when its files came to different ones.
PRECEDENCE = ("error", "imported", "updated", "duplicate", "ignored")


@dataclasses.dataclass(frozen=True)
class FileResult:
    path: str
    status: str  # one of STATUSES
    message: str
    study_instance_uid: str = ""
    modality: str = ""
    dose_study_id: int | None = None


def find_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """The files named and those under the folders named (recursively, sorted, hidden ones skipped), and an error
    for each path that cannot be read."""
    files: list[Path] = []
    errors: list[FileResult] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(_walk(path, errors))
        elif path.is_file():
            files.append(path)
        elif path.exists():
            errors.append(FileResult(str(path), "error", f"Cannot import {path}: it is neither a file nor a folder."))
        else:
            errors.append(FileResult(str(path), "error", f"Cannot import {path}: no such file or folder."))
    return files, errors


def _walk(folder: Path, errors: list[FileResult]) -> Iterator[Path]:
    def failed(exc: OSError) -> None:
        errors.append(FileResult(str(exc.filename or folder), "error",
                                 f"Cannot read the folder {exc.filename or folder}: {exc.strerror or exc}."))

    for root, dirs, names in os.walk(folder, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def import_file(path: Path) -> FileResult:
    """Store and process one file; never raise for a bad file (only for a failing database)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(str(path), "error", f"Cannot read {path}: {exc.strerror or exc}.")
    obj, created = inbox.store_received(data, source=ReceivedObject.Source.IMPORT, origin=str(path.absolute()))
    if created or obj.state == ReceivedObject.State.RECEIVED:
        outcome = inbox.process_received(obj)
        status, message = outcome.status, outcome.message
    else:
        status, message = _earlier(obj)
    return FileResult(str(path), status, message, obj.study_instance_uid, obj.modality, obj.dose_study_id)


def _earlier(obj: ReceivedObject) -> tuple[str, str]:
    """The status of a file whose object was already stored: duplicate, or what became of the first copy."""
    when = timezone.localtime(obj.received_at).strftime("%d %b %Y %H:%M")
    first = f"received {when} from {obj.origin or obj.calling_ae_title or obj.source}"
    if obj.state == ReceivedObject.State.PROCESSED:
        return "duplicate", f"Already imported (first copy {first})."
    if obj.state == ReceivedObject.State.IGNORED:
        return "ignored", obj.reason
    return "error", f"Quarantined: {obj.reason}"  # now or earlier; it is listed on the interface messages screen


def import_paths(paths: Iterable[str | Path],
                 progress: Callable[[list[Path]], Iterable[Path]] | None = None) -> list[FileResult]:
    """Import every file under the paths, in order; return one result per file (and per unreadable path)."""
    files, results = find_files(paths)
    for path in progress(files) if progress else files:
        results.append(import_file(path))
    return results


# --- One line per study ---------------------------------------------------------------------------------------------


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def study_lines(results: list[FileResult]) -> list[dict[str, Any]]:
    """One JSON-ready object per study (in the order the studies were first met), and one per file of no study."""
    studies = DoseStudy.objects.in_bulk({r.dose_study_id for r in results if r.dose_study_id is not None})
    groups: dict[str, list[FileResult]] = {}
    for result in results:
        study = studies.get(result.dose_study_id) if result.dose_study_id is not None else None
        uid = study.study_instance_uid if study is not None else result.study_instance_uid
        groups.setdefault(uid or f"file:{result.path}", []).append(result)
    lines = []
    for key, members in groups.items():
        study = next((studies[r.dose_study_id] for r in members if r.dose_study_id in studies), None)
        lines.append(_line(None if key.startswith("file:") else key, members, study))
    return lines


def _line(uid: str | None, members: list[FileResult], study: DoseStudy | None) -> dict[str, Any]:
    statuses = {r.status for r in members}
    status = next(s for s in PRECEDENCE if s in statuses)
    modality = (study.modality if study else "") or next((r.modality for r in members if r.modality), "")
    return {
        "study_instance_uid": uid,
        "modality": modality or None,
        "events": study.event_count if study else None,
        "total_dlp_mgy_cm": _number(study.total_dlp_mgy_cm) if study else None,
        "total_dap_gy_m2": _number(study.total_dap_gy_m2) if study else None,
        "total_rp_dose_gy": _number(study.total_rp_dose_gy) if study else None,
        "agd_mgy": {"left": _number(study.agd_left_mgy) if study else None,
                    "right": _number(study.agd_right_mgy) if study else None},
        "administered_activity_mbq": _number(study.administered_activity_mbq) if study else None,
        "status": status,
        "message": _message(members),
    }


def _message(members: list[FileResult]) -> str:
    if len(members) == 1:
        return members[0].message
    counts = {s: sum(1 for r in members if r.status == s) for s in STATUSES}
    summary = f"{len(members)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    problems = [f"{Path(r.path).name}: {r.message}" for r in members if r.status in ("error", "ignored")]
    return summary + ("; " + "; ".join(problems) if problems else "")
