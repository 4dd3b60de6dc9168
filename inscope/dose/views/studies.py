"""One study's dose: header, linked examination, irradiation events, totals, the DRL comparison, warnings, the
objects it came from and any SAUE review items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from inscope.audit.services import record
from inscope.dose import exposures
from inscope.dose.audit import SCALE, UNITS, fmt, fmt_ratio
from inscope.dose.models import DoseObject, DoseStudy, IrradiationEventRecord, Quantity
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest


@dataclass(frozen=True)
class Column:
    label: str
    attr: str
    scale: float = 1.0
    numeric: bool = True


# Every column an event can have; a study's table shows those that at least one of its events fills.
EVENT_COLUMNS = (
    Column("Time", "at", numeric=False),
    Column("Kind", "kind", numeric=False),
    Column("Protocol", "protocol", numeric=False),
    Column("Region", "target_region", numeric=False),
    Column("Side", "laterality", numeric=False),
    Column("View", "view", numeric=False),
    Column("CTDIvol (mGy)", "ctdivol_mgy"),
    Column("DLP (mGy·cm)", "dlp_mgy_cm"),
    Column("Scan length (mm)", "scanning_length_mm"),
    Column("Phantom", "phantom", numeric=False),
    Column("DAP (Gy·cm²)", "dap_gy_m2", scale=SCALE[Quantity.DAP]),
    Column("Reference-point dose (mGy)", "rp_dose_gy", scale=1000.0),
    Column("AGD (mGy)", "agd_mgy"),
    Column("Entrance exposure (mGy)", "entrance_exposure_mgy"),
    Column("Compressed thickness (mm)", "compressed_thickness_mm"),
    Column("kVp", "kvp"),
    Column("mA", "tube_current_ma"),
    Column("Exposure time (s)", "exposure_time_s"),
    Column("mAs", "exposure_mas"),
    Column("Fluoroscopy time (s)", "fluoro_time_s"),
    Column("Target", "anode_target", numeric=False),
    Column("Filter", "filter_material", numeric=False),
    Column("Also reported in", "same_exposure", numeric=False),
)


def _cell(event: IrradiationEventRecord, column: Column) -> str:
    value = getattr(event, column.attr)
    if value is None or value == "":
        return ""
    if column.attr == "at":
        return timezone.localtime(value).strftime("%H:%M:%S")
    if column.attr == "same_exposure":
        return "; ".join(f"{seen['sop_instance_uid']} ({(seen.get('presentation_intent') or 'intent not stated')}"
                         f", {exposures.RULES.get(seen['rule'], seen['rule'])})".lower() for seen in value)
    if column.numeric:
        return fmt(float(value) * column.scale)
    return str(value)


def event_table(events: list[IrradiationEventRecord]) -> tuple[list[Column], list[list[str]]]:
    rows = [[_cell(e, c) for c in EVENT_COLUMNS] for e in events]
    shown = [i for i, _ in enumerate(EVENT_COLUMNS) if any(row[i] for row in rows)]
    return [EVENT_COLUMNS[i] for i in shown], [[row[i] for i in shown] for row in rows]


SOURCE_LABELS = {"device": "Device's accumulated total", "events": "Sum of the events"}
# Figures whose source is always the same, so not recorded per study.
FIXED_SOURCES = {"max_ctdivol_mgy": "Largest of the events", "administered_activity_mbq": "Administrations reported"}


@dataclass(frozen=True)
class Total:
    label: str
    value: str
    source: str  # SOURCE_LABELS or FIXED_SOURCES
    note: str


def totals(study: DoseStudy) -> list[Total]:
    """The study's totals that apply, in display units, each with where it came from."""
    figures = [
        ("Total DLP", "total_dlp_mgy_cm", 1.0, "mGy·cm"),
        ("Largest CTDIvol", "max_ctdivol_mgy", 1.0, "mGy"),
        ("Total DAP", "total_dap_gy_m2", SCALE[Quantity.DAP], "Gy·cm²"),
        ("Fluoroscopy DAP", "fluoro_dap_gy_m2", SCALE[Quantity.DAP], "Gy·cm²"),
        ("Acquisition DAP", "acquisition_dap_gy_m2", SCALE[Quantity.DAP], "Gy·cm²"),
        ("Total reference-point dose", "total_rp_dose_gy", 1000.0, "mGy"),
        ("Fluoroscopy time", "fluoro_time_s", 1.0, "s"),
        ("AGD, left breast", "agd_left_mgy", 1.0, "mGy"),
        ("AGD, right breast", "agd_right_mgy", 1.0, "mGy"),
        ("Administered activity", "administered_activity_mbq", 1.0, "MBq"),
    ]
    found = []
    for label, name, scale, unit in figures:
        value = getattr(study, name)
        if value is None:
            continue
        source = study.total_sources.get(name, {})
        shown = SOURCE_LABELS.get(source.get("source", "")) or FIXED_SOURCES.get(name, "Not recorded")
        found.append(Total(label, f"{fmt(value * scale)} {unit}", shown, source.get("note", "")))
    if study.radionuclide:
        found.append(Total("Radionuclide", study.radionuclide, "Dose report", ""))
    return found


def drl_comparison(study: DoseStudy) -> dict[str, Any] | None:
    """The stored comparison in display units, or None when no comparison was made (drl_note says why)."""
    if study.drl_value is None or not study.drl_quantity:
        return None
    quantity = Quantity(study.drl_quantity)
    scale = SCALE[quantity]
    value = study.drl_ratio * study.drl_value if study.drl_ratio is not None else None
    return {
        "quantity": quantity.label.split(" (")[0],
        "unit": UNITS[quantity],
        "value": fmt(value * scale if value is not None else None),
        "drl": fmt(study.drl_value * scale),
        "ratio": fmt_ratio(study.drl_ratio),
        "exceeded": study.drl_exceeded,
        "label": study.drl_label,
    }


@login_required
@require_GET
def study_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_DOSE_AUDIT)
    study = (DoseStudy.objects.select_related("examination__patient", "examination__operator", "examination__room",
                                              "examination__site", "examination__supervisor", "room__site",
                                              "department", "reference_level")
             .filter(pk=pk).first())
    if study is None:
        raise Http404("No such dose study.")
    exam = study.examination
    # Patient identifiers are shown to people who may see the patient's record (at the examination's site), and
    # the read is recorded, as for the examination page.
    shows_patient = can(request.user, Action.VIEW_PATIENT, exam.site if exam else None)
    if shows_patient:
        if exam is not None:
            record("patient.viewed", exam.patient, by=request.user, channel="web",
                   summary=f"Viewed via dose study {study.pk} ({exam.accession_number})")
        elif study.patient_id or study.patient_name:
            record("dose.study_viewed", study, by=request.user, channel="web",
                   summary=f"Viewed dose study {study.pk} (not linked to an examination)")
    events = list(study.events.all())
    columns, rows = event_table(events)
    context = {
        "page_title": f"Dose: {study}",
        "nav": "dose",
        "study": study,
        "exam": exam,
        "shows_patient": shows_patient,
        "columns": columns,
        "event_rows": rows,
        "totals": totals(study),
        "comparison": drl_comparison(study),
        "objects": list(DoseObject.objects.filter(study=study).order_by("recorded_at", "id")),
        "reviews": list(study.saue_reviews.select_related("reviewed_by")),
        "can_view_exam": exam is not None and can(request.user, Action.VIEW_PATIENT, exam.site),
    }
    return render_page(request, "dose/study.html", context)
