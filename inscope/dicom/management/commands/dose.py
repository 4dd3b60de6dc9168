"""``inscope dose``: patient dose from DICOM files.

inscope dose import PATH... [--json] [--pending]
    Import dose reports and images from files and folders (recursively; hidden files skipped) through the same
    inbox as the storage listener: each file is stored (idempotent by SOP Instance UID), then its dose is read
    and recorded; a broken file is quarantined and listed on the interface messages screen. A progress bar is
    shown on a terminal. The result is one line per study (the files of one study are combined, see
    ``inscope.dicom.importer``); with --json, one JSON object per line:
      {"study_instance_uid", "modality", "events", "total_dlp_mgy_cm", "total_dap_gy_m2", "total_rp_dose_gy",
       "agd_mgy": {"left", "right"}, "administered_activity_mbq", "status", "message"}
    status is imported, updated, duplicate, ignored or error. Exit status 1 if any file failed (error).
    --pending first processes objects already stored but not yet processed (e.g. by a listener that stopped).

The command lives in the DICOM app, not the dose app, because it reads DICOM: dose records never depend on
the DICOM edge (see the import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.dicom import importer, inbox

DAP_GY_CM2_PER_GY_M2 = 10_000.0


class Command(BaseCommand):
    help = "Patient dose from DICOM files: `inscope dose import PATH...` imports dose reports and images."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = actions.add_parser("import", help="Import DICOM dose reports and images from files or folders.")
        imp.add_argument("paths", nargs="+", metavar="PATH", help="a DICOM file, or a folder to import recursively")
        imp.add_argument("--json", action="store_true", help="print one JSON object per study per line")
        imp.add_argument("--pending", action="store_true",
                         help="first process objects stored earlier but not yet processed")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        self.import_paths(options["paths"], as_json=options["json"], pending=options["pending"],
                          verbosity=options.get("verbosity", 1))

    def import_paths(self, paths: list[str], *, as_json: bool, pending: bool, verbosity: int) -> None:
        # Each outcome is reported below; the inbox's own log lines would only break up the progress bar.
        logging.getLogger("inscope.dicom.inbox").setLevel(
            logging.INFO if verbosity >= 2 else logging.ERROR if verbosity == 0 or as_json else logging.WARNING)
        if pending:
            counts = inbox.process_pending()
            if counts and not as_json:
                self.stdout.write("Processed objects stored earlier: "
                                  + ", ".join(f"{n} {status}" for status, n in counts.items()))
        results = importer.import_paths(paths, progress=self._progress)
        lines = importer.study_lines(results)
        if as_json:
            for line in lines:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
        else:
            self._summary(lines, results)
        failed = [r for r in results if r.status == "error"]
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} file{'s' if len(results) != 1 else ''} failed",
                               returncode=1)

    def _progress(self, files: list[Path]) -> Iterable[Path]:
        """A progress bar on standard error, when that is a terminal."""
        if not self.stderr.isatty() or len(files) < 2:
            return files
        from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs installed

        return tqdm(files, unit="file", file=self.stderr._out, leave=False, dynamic_ncols=True)

    def _summary(self, lines: list[dict[str, Any]], results: list[importer.FileResult]) -> None:
        for line in lines:
            self.stdout.write(_readable(line))
        counts = {s: sum(1 for r in results if r.status == s) for s in importer.STATUSES}
        studies = sum(1 for line in lines if line["study_instance_uid"])
        self.stdout.write(
            f"{len(results)} file{'s' if len(results) != 1 else ''}, {studies} stud{'ies' if studies != 1 else 'y'}: "
            + ", ".join(f"{n} {s}" for s, n in counts.items() if n))


def _fmt(value: float | None, scale: float = 1.0) -> str:
    return "" if value is None else f"{value * scale:.4g}"


def _readable(line: dict[str, Any]) -> str:
    """One study as a line of text: status, modality, study, events and the totals that apply, then the message."""
    figures = [
        ("DLP", _fmt(line["total_dlp_mgy_cm"]), "mGy·cm"),
        ("DAP", _fmt(line["total_dap_gy_m2"], DAP_GY_CM2_PER_GY_M2), "Gy·cm²"),
        ("RP dose", _fmt(line["total_rp_dose_gy"], 1000.0), "mGy"),
        ("AGD left", _fmt(line["agd_mgy"]["left"]), "mGy"),
        ("AGD right", _fmt(line["agd_mgy"]["right"]), "mGy"),
        ("activity", _fmt(line["administered_activity_mbq"]), "MBq"),
    ]
    parts = [f"{line['status']:<9}", line["modality"] or "--", line["study_instance_uid"] or "(no study)"]
    if line["events"] is not None:
        parts.append(f"{line['events']} event{'s' if line['events'] != 1 else ''}")
    parts += [f"{name} {value} {unit}" for name, value, unit in figures if value]
    text = "  ".join(parts)
    return f"{text}  – {line['message']}" if line["message"] else text
