"""Dose reports for the dose service tests, built directly as ``DoseReport`` values (the dose app reads no DICOM).

Figures are given in the units people read (DAP in Gy·cm²) and converted to the report's units (Gy·m²).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from inscope.dose.report import DoseReport, EventKind, IrradiationEvent, ObjectKind

LONDON = zoneinfo.ZoneInfo("Europe/London")
STUDY = "2.25.4242"
WHEN = dt.datetime(2026, 11, 28, 9, 30, tzinfo=LONDON)
RDSR = "1.2.840.10008.5.1.4.1.1.88.67"
RRDSR = "1.2.840.10008.5.1.4.1.1.88.68"


def event(n: int, *, dap_gy_cm2: float | None = None, kind: EventKind = EventKind.PROJECTION, study: str = STUDY,
          **fields: Any) -> IrradiationEvent:
    """Event number ``n`` of the study (its UID is the same in every object that reports it)."""
    dap = dap_gy_cm2 * 1e-4 if dap_gy_cm2 is not None else None
    return IrradiationEvent(uid=f"{study}.7.{n}", kind=kind, at=WHEN + dt.timedelta(minutes=n), dap_gy_m2=dap,
                            **fields)


def ct_event(n: int, *, dlp: float, ctdivol: float, study: str = STUDY) -> IrradiationEvent:
    return event(n, kind=EventKind.CT, dlp_mgy_cm=dlp, ctdivol_mgy=ctdivol, study=study, phantom="head 16 cm")


def report(sop: str, events: list[IrradiationEvent] | tuple[IrradiationEvent, ...] = (), *, study: str = STUDY,
           modality: str = "DX", kind: ObjectKind = ObjectKind.RDSR, **fields: Any) -> DoseReport:
    """One object of the study; ``sop`` is a suffix of its SOP Instance UID."""
    values: dict[str, Any] = {"accession_number": "", "study_date_time": WHEN, "station_ae_title": "NGH_DX1",
                              "manufacturer": "Acme", "model_name": "DR-1", **fields}
    return DoseReport(sop_instance_uid=f"{study}.9.{sop}", sop_class_uid=RRDSR if modality == "NM" else RDSR,
                      object_kind=kind, study_instance_uid=study, modality=modality, events=tuple(events), **values)
