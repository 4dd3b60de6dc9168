"""Exports: a person's portfolio (CSV and PDF), and the employer's IR(ME)R entitlement record (CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from inscope.competencies import portfolio
from inscope.competencies.models import CpdEntry, Evidence, Grant, SignOff, TrainingRecord
from inscope.competencies.queries import grant_conditions
from inscope.policy.document import PolicyDocument
from inscope.policy.limits import describe_conditions
from inscope.staff.models import User

PORTFOLIO_HEADER = ["section", "date", "item", "status", "detail", "recorded_by"]
RECORD_HEADER = ["source", "username", "name", "protocols", "modalities", "tasks", "granted_by", "granted_on",
                 "review_date", "conditions", "revoked", "revoked_on", "reason", "evidence"]


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def portfolio_rows(person: User, on: dt.date) -> list[list[str]]:
    """Every part of the portfolio as rows of PORTFOLIO_HEADER."""
    rows: list[list[str]] = []
    for s in portfolio.competency_statuses(person, on):
        c = s.competency
        rows.append(["competency", _iso(s.sign_off.signed_on if s.sign_off else None), f"{c.code} {c.title}",
                     s.status, s.text, ""])
    for e in Evidence.objects.filter(person=person).select_related("competency", "recorded_by"):
        detail = e.description + (f" (file: {e.file_name})" if e.file_name else "")
        rows.append(["evidence", _iso(e.occurred_on), e.competency.code, e.get_kind_display(), detail,
                     e.recorded_by.username])
    for so in SignOff.objects.filter(person=person).select_related("competency", "assessor"):
        status = "revoked" if so.revoked else f"signed until {_iso(so.expires_on)}" if so.expires_on else "signed"
        rows.append(["sign_off", _iso(so.signed_on), so.competency.code, status, so.reason, so.assessor.username])
    for g in Grant.objects.filter(person=person).select_related("granted_by").order_by("recorded_at", "id"):
        conditions = describe_conditions(grant_conditions(g))
        detail = "; ".join(x for x in (g.reason or f"review {_iso(g.review_date)}",
                                       f"conditions: {conditions}" if conditions else "") if x)
        rows.append(["entitlement", _iso(g.granted_on), g.protocol_code, "revoked" if g.revoked else "granted",
                     detail, g.granted_by.username])
    for t in TrainingRecord.objects.filter(person=person).select_related("recorded_by").order_by("course",
                                                                                                 "-completed_on"):
        rows.append(["training", _iso(t.completed_on), t.get_course_display(),
                     "current" if t.is_current(on) else "expired",
                     f"renew {_iso(t.renew_on)}" if t.renew_on else "", t.recorded_by.username])
    for entry in CpdEntry.objects.filter(person=person):
        rows.append(["cpd", _iso(entry.occurred_on), entry.title, f"{entry.hours} hours", entry.reflection,
                     person.username])
    progress = portfolio.pathway_progress(person, on)
    if progress and progress.target:
        for requirement, state in progress.requirements:
            rows.append(["pathway", "", requirement.text, state.value,
                         f"toward {progress.target.title} (band {progress.target.band}, "
                         f"{progress.target.band_source})", ""])
    return rows


def to_csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(str(v)) for v in row])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Keep spreadsheets from reading a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def entitlement_record_rows(document: PolicyDocument | None, label: str) -> list[list[str]]:
    """Every grant and revocation, then the entitlements written in the policy in force, each with its conditions
    in words and, when revoked, from when and why."""
    rows = []
    for g in Grant.objects.select_related("person", "granted_by").order_by("person__username", "recorded_at", "id"):
        rows.append(["grant", g.person.username, g.person.name, g.protocol_code, "", " ".join(g.tasks),
                     g.granted_by.username, _iso(g.granted_on), _iso(g.review_date),
                     describe_conditions(grant_conditions(g)), "yes" if g.revoked else "no",
                     _iso(g.granted_on) if g.revoked else "", g.reason, ""])
    if document is not None:
        for person in document.people.values():
            for e in person.entitlements:
                rows.append([f"policy {label}", person.username, person.name, " ".join(sorted(e.protocols)) or "all",
                             " ".join(sorted(e.modalities)), " ".join(sorted(e.tasks)), e.entitled_by,
                             _iso(e.entitled_on), _iso(e.review_date), describe_conditions(e.conditions),
                             "yes" if e.revoked_on else "no", _iso(e.revoked_on), e.revoked_reason, e.evidence])
    return rows


# --- PDF ------------------------------------------------------------------------------------------------------------

LATIN1 = str.maketrans({"·": "-", "²": "2", "≤": "<=", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                        "…": "...", "µ": "u", "→": "->"})


def latin1(text: str) -> str:
    """Return text the PDF core fonts can draw."""
    return str(text).translate(LATIN1).encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    title_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, latin1(f"{self.title_text} - page {self.page_no()}"), align="C")


def _line(pdf: FPDF, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def portfolio_pdf(person: User, on: dt.date) -> bytes:
    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.title_text = f"Portfolio of {person} on {on:%d %B %Y}"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _line(pdf, 9, latin1(f"Development portfolio: {person}"))
    pdf.set_font("Helvetica", size=10)
    roles = ", ".join(sorted(r.value.replace("_", " ") for r in person.all_roles()))
    _line(pdf, 6, latin1(f"{person.username} - {roles} - as at {on:%d %B %Y}"))
    sections = {
        "competency": "Competencies",
        "evidence": "Evidence",
        "sign_off": "Sign-offs and revocations",
        "entitlement": "Entitlement grants and revocations",
        "training": "Mandatory training and qualification modules",
        "cpd": "Continuing professional development",
        "pathway": "Career pathway progress",
    }
    rows = portfolio_rows(person, on)
    for key, heading in sections.items():
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        _line(pdf, 7, latin1(heading))
        pdf.set_font("Helvetica", size=9)
        section = [r for r in rows if r[0] == key]
        if not section:
            _line(pdf, 5, "None recorded.")
        for _, date, item, status, detail, by in section:
            line = " | ".join(x for x in (date, item, status, detail, f"by {by}" if by else "") if x)
            _line(pdf, 5, latin1(line))
    return bytes(pdf.output())
