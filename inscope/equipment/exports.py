"""The equipment inventory as CSV and XLSX: the fields IR(ME)R Schedule 2(1)(f) asks the employer to keep (name,
manufacturer, model, serial number, year of installation, and here the decommissioning date, location and
status), with the DICOM identity that links dose reports to the unit."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]

from inscope.equipment.models import Unit
from inscope.lib.spreadsheets import csv_text, table_sheet, xlsx_row

HEADER = [
    "Name", "Kind", "Manufacturer", "Model", "Serial number", "Installed", "Decommissioned", "Site", "Location",
    "Required for the room's examinations", "Status", "Status reason", "Station name", "Device serial number",
    "AE title",
]


def rows(units: list[Unit]) -> list[list[Any]]:
    return [
        [u.name, u.get_kind_display(), u.manufacturer, u.model, u.serial_number, u.installed_on.isoformat(),
         u.decommissioned_on.isoformat() if u.decommissioned_on else "", u.site.name, u.location,
         "yes" if u.required else "no", u.get_status_display(), u.status_reason, u.station_name,
         u.device_serial_number, u.ae_title]
        for u in units
    ]


def _header(department: str, by: str) -> list[list[str]]:
    return [["Report", "Equipment inventory (IR(ME)R 2017 Schedule 2(1)(f))"], ["Department", department],
            ["Generated", f"{timezone.localtime():%d %b %Y %H:%M} by {by}"]]


def inventory_csv(units: list[Unit], *, department: str, by: str) -> str:
    return csv_text([_header(department, by), [HEADER, *rows(units)]])


def inventory_xlsx(units: list[Unit], *, department: str, by: str) -> bytes:
    """A workbook: Report (what, which department, when and by whom) and Inventory (one row per unit)."""
    book = Workbook(write_only=True)
    report = book.create_sheet("Report")
    report.column_dimensions["A"].width = 16
    report.column_dimensions["B"].width = 70
    for label, value in _header(department, by):
        report.append([*xlsx_row(report, [label], bold=True), *xlsx_row(report, [value])])
    table_sheet(book.create_sheet("Inventory"), HEADER, rows(units))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
