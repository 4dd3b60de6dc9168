"""Writing tables for spreadsheets (CSV and write-only XLSX) so that no text cell is ever read as a formula
(CSV/formula injection): the dose audit and the equipment inventory export through these."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

BOLD = Font(bold=True)


def csv_safe(value: Any) -> Any:
    """Keep spreadsheets from reading a text cell as a formula (CSV injection); numbers are left alone."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_text(blocks: Iterable[list[list[Any]]]) -> str:
    """Blocks of rows, a blank line between blocks, every text cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for number, block in enumerate(blocks):
        if number:
            writer.writerow([])
        for row in block:
            writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def xlsx_row(sheet: Any, values: list[Any], *, bold: bool = False) -> list[Any]:
    """One row for a write-only sheet: text that Excel would take for a formula or an error stays text."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and (bold or value[:1] in ("=", "#")):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if bold:
                cell.font = BOLD
            row.append(cell)
        else:
            row.append(value)
    return row


def table_sheet(sheet: Any, header: list[str], rows: list[list[Any]]) -> None:
    """A header row in bold, frozen, then the rows; columns sized to their first 200 values."""
    # A write-only sheet is streamed: widths and frozen panes are set before the first row.
    for index, name in enumerate(header, start=1):
        width = max([len(name), *(len(str(r[index - 1] or "")) for r in rows[:200])])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
    sheet.freeze_panes = "A2"
    sheet.append(xlsx_row(sheet, header, bold=True))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
