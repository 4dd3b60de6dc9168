"""The dose audit as files to take to a meeting: CSV (the audit table, or every study behind it) and XLSX (a
report sheet, the audit table and the studies).

Each starts with a header block: what the report is, the department, period and filters, when and by whom it was
generated, how the percentiles were computed, the note on small samples, and every DRL version the figures were
compared against. Figures are numbers in the unit their column (or the row's Unit column) names.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]

from inscope.dose.audit import MIN_STUDIES, STUDY_HEADER, Audit, study_rows
from inscope.lib.spreadsheets import csv_text, table_sheet, xlsx_row

AUDIT_HEADER = [
    "Protocol", "Protocol name", "Linked to examination", "Room", "Modality", "Source", "Quantity", "Unit",
    "Studies (n)", "Median (in Unit)", "75th percentile (in Unit)", "DRL (in Unit)", "DRL applied",
    "Median / DRL", "Median above DRL", "Studies above their DRL", f"Indicative only (n < {MIN_STUDIES})",
    "DRL versions in the period",
]
PERCENTILE_METHOD = ("Median and 75th percentile by linear interpolation between closest ranks (Hyndman and Fan "
                     "method 7, numpy's default).")
SMALL_SAMPLE = (f"Percentiles of fewer than {MIN_STUDIES} studies are indicative only and should not be used to set "
                "or review a local DRL.")
UNITS_NOTE = ("DAP in Gy·cm² (1 Gy·m² = 10 000 Gy·cm²; 1 Gy·cm² = 100 cGy·cm²), DLP in mGy·cm, CTDIvol and AGD in "
              "mGy, activity in MBq.")
MANUAL_NOTE = ("Rows with Source 'Manual entry' are examinations whose total DAP was typed in at completion (no dose "
               "report was received); they are compared with the DRL recorded on the examination.")


def header_block(audit: Audit, *, by: str, title: str) -> list[list[str]]:
    """The report's header rows: (label, value) pairs."""
    rows = [["Report", title]]
    rows += [[label, value] for label, value in audit.filters.describe(audit.rooms)]
    rows += [
        ["Generated", f"{timezone.localtime(audit.generated_at):%d %b %Y %H:%M} by {by}"],
        ["Studies", str(audit.studies)],
        ["Percentiles", PERCENTILE_METHOD],
        ["Small samples", SMALL_SAMPLE],
        ["Units", UNITS_NOTE],
        ["Manual entries", MANUAL_NOTE],
    ]
    versions = audit.drl_versions
    if not versions:
        rows.append(["DRL versions used", "None: no figure in the period was compared with a DRL."])
    for number, label in enumerate(versions, start=1):
        rows.append([f"DRL version used ({number} of {len(versions)})", label])
    return rows


def audit_table(audit: Audit) -> list[list[Any]]:
    """The audit table as rows of AUDIT_HEADER: numbers stay numbers (rounded to 6 significant figures)."""
    return [
        [r.protocol, r.protocol_name, "yes" if r.linked else "no", r.room, r.modality, r.source_label,
         r.quantity_name, r.unit, r.n, _round(r.median), _round(r.p75), _round(r.drl_value), r.drl_label,
         _round(r.ratio), "" if r.exceeded is None else ("yes" if r.exceeded else "no"), r.above_drl,
         "yes" if r.indicative else "no", "; ".join(r.drl_versions)]
        for r in audit.rows
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


# --- CSV ------------------------------------------------------------------------------------------------------------


def audit_csv(audit: Audit, *, by: str) -> str:
    """The header block, a blank line, then the audit table with its header."""
    title = "Patient dose audit: median and 75th percentile against the DRL"
    return csv_text([header_block(audit, by=by, title=title), [AUDIT_HEADER, *audit_table(audit)]])


def studies_csv(audit: Audit, *, by: str) -> str:
    """The header block, a blank line, then every study and manual-entry examination behind the audit."""
    return csv_text([header_block(audit, by=by, title="Patient dose audit: the studies behind it"),
                     [STUDY_HEADER, *study_rows(audit.filters, audit.rooms)]])


# --- XLSX -----------------------------------------------------------------------------------------------------------


def audit_xlsx(audit: Audit, *, by: str) -> bytes:
    """A workbook: Report (the header block), Audit (the table) and Studies (every study behind it).

    Written in openpyxl's write-only (streaming) mode, so ten thousand studies take seconds, not minutes.
    """
    book = Workbook(write_only=True)
    report = book.create_sheet("Report")
    report.column_dimensions["A"].width = 28
    report.column_dimensions["B"].width = 110
    for label, value in header_block(audit, by=by, title="Patient dose audit"):
        report.append([*xlsx_row(report, [label], bold=True), *xlsx_row(report, [value])])
    table_sheet(book.create_sheet("Audit"), AUDIT_HEADER, audit_table(audit))
    table_sheet(book.create_sheet("Studies"), STUDY_HEADER, study_rows(audit.filters, audit.rooms))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
