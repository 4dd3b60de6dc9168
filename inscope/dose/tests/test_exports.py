"""The audit's exports, read back: CSV (header block, then the table) and XLSX (Report, Audit and Studies sheets),
with the period, filters, units and DRL versions, and no formula smuggled in through a study description."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from inscope.dose import exports
from inscope.dose.audit import STUDY_HEADER, AuditFilters, run_audit
from inscope.dose.tests.audit_data import at, local_drl, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(department, site, xray_room, manager, ap):
    drl = local_drl(department, "XCHES", dap_gy_cm2=5.0, by=manager)
    for value in range(1, 11):
        exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed",
                                    operator=ap)
        study(when=at(dt.date(2026, 10, value)), exam=exam, room=xray_room, dap_gy_cm2=float(value), drl=drl)
    study(when=at("2026-10-20"), room=xray_room, description="=HYPERLINK(\"http://evil\")", dap_gy_cm2=1.0)
    f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed",
                         total_dap_gy_cm2=Decimal("0.25"), ended_at=at("2026-10-21"), drl_value=Decimal("0.2"),
                         drl_source="Northgate local DRL (example)", drl_exceeded=True)
    filters = AuditFilters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), department=department,
                           room_id=xray_room.pk)
    return run_audit(filters), drl


def blocks(text: str) -> list[list[list[str]]]:
    """The CSV's blocks (separated by an empty row)."""
    found: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if not row:
            found.append([])
        else:
            found[-1].append(row)
    return found


def test_the_audit_csv_has_a_header_block_then_the_table(audit):
    audit, drl = audit

    header, table = blocks(exports.audit_csv(audit, by="p.shah"))

    block = dict((row[0], row[1]) for row in header)
    assert block["Report"].startswith("Patient dose audit")
    assert block["Period"] == "01 Oct 2026 to 31 Oct 2026 (both days included)"
    assert block["Department"] == "Northgate Imaging"
    assert block["Room"] == "X-ray room 1, Northgate General Hospital"
    assert block["Modality"] == "All modalities" and block["Protocol"] == "All protocols"
    assert block["Generated"].endswith("by p.shah")
    assert "method 7" in block["Percentiles"]
    assert block["Small samples"].startswith("Percentiles of fewer than 10 studies are indicative only")
    assert "Gy·cm²" in block["Units"]
    versions = [row[1] for row in header if row[0].startswith("DRL version used")]
    assert versions == sorted([drl.label, "Northgate local DRL (example)"])

    assert table[0] == exports.AUDIT_HEADER
    assert "Median (in Unit)" in table[0] and "75th percentile (in Unit)" in table[0]
    rows = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    chest = next(r for r in rows if r["Protocol"] == "XCHES" and r["Source"] == "Dose report")
    assert (chest["Unit"], chest["Studies (n)"], chest["Median (in Unit)"], chest["75th percentile (in Unit)"]) == (
        "Gy·cm²", "10", "5.5", "7.75")
    assert (chest["DRL (in Unit)"], chest["Median / DRL"], chest["Median above DRL"]) == ("5.0", "1.1", "yes")
    assert chest["Indicative only (n < 10)"] == "no" and chest["Source"] == "Dose report"
    manual = next(r for r in rows if r["Source"] == "Manual entry")
    assert (manual["Median (in Unit)"], manual["DRL applied"]) == ("0.25", "Northgate local DRL (example)")
    unlinked = next(r for r in rows if r["Linked to examination"] == "no")
    assert unlinked["Protocol"] == "'=HYPERLINK(\"http://evil\")"  # never a formula
    assert unlinked["Indicative only (n < 10)"] == "yes"


def test_the_studies_csv_lists_every_study_with_units_in_the_headers(audit):
    audit, drl = audit

    header, table = blocks(exports.studies_csv(audit, by="p.shah"))

    assert dict((row[0], row[1]) for row in header)["Report"] == "Patient dose audit: the studies behind it"
    assert table[0] == STUDY_HEADER
    assert {"Total DAP (Gy·cm²)", "Total DLP (mGy·cm)", "Administered activity (MBq)"} <= set(table[0])
    rows = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    assert len(rows) == 12
    assert [r["Source"] for r in rows].count("Manual entry") == 1
    first = rows[0]
    assert first["Date and time"] == "2026-10-01 10:00" and first["Total DAP (Gy·cm²)"] == "1.0"
    assert first["Operator"] == "ap.patel" and first["DRL"] == drl.label and first["Above DRL"] == "no"


def test_the_workbook_has_the_report_the_audit_table_and_the_studies(audit):
    audit, drl = audit

    book = load_workbook(io.BytesIO(exports.audit_xlsx(audit, by="p.shah")))

    assert book.sheetnames == ["Report", "Audit", "Studies"]
    report = {row[0]: row[1] for row in book["Report"].iter_rows(values_only=True)}
    assert report["Period"] == "01 Oct 2026 to 31 Oct 2026 (both days included)"
    assert drl.label in report.values()
    table = list(book["Audit"].iter_rows(values_only=True))
    assert list(table[0]) == exports.AUDIT_HEADER
    chest = dict(zip(table[0], next(r for r in table[1:] if r[0] == "XCHES" and r[5] == "Dose report"), strict=True))
    assert chest["Median (in Unit)"] == pytest.approx(5.5)
    assert chest["75th percentile (in Unit)"] == pytest.approx(7.75)
    assert chest["Studies (n)"] == 10 and chest["Unit"] == "Gy·cm²"
    cells = [c for c in book["Audit"]["A"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s"  # text, not a formula
    studies = list(book["Studies"].iter_rows(values_only=True))
    assert list(studies[0]) == STUDY_HEADER and len(studies) == 13
    assert book["Audit"].freeze_panes == "A2"
