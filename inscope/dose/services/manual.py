"""Dose typed in on completion: recorded as a dose study through ``record_dose`` like any dose report, so it is
compared with the same DRL a dose report of the same examination would be (equipment, room, protocol, policy,
national: inscope.rules.drl), screened for SAUE criteria and audited the same way.

The exams app cannot import this one (the layers are dicom -> dose -> exams), so it sends ``examination_completed``
(inscope.exams.signals) and this module's receiver, connected in ``DoseConfig.ready``, does the recording inside
the completion's transaction. The comparison is then stored on the examination through the exams app's own
service, ``record_drl_comparison``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from inscope.dose.models import DoseStudy, Quantity
from inscope.dose.report import DoseReport, EventKind, IrradiationEvent, ObjectKind
from inscope.dose.services.record import record_dose
from inscope.exams.models import Examination
from inscope.exams.services import record_drl_comparison
from inscope.staff.models import User

# The study of a manual entry is its own (never the examination's Study Instance UID): a dose report of the same
# study arriving later is another study, so its events are never added to the typed-in ones.
_NAMESPACE = uuid.UUID("6f1c1f5e-3a53-4d0e-9a57-1b3f6d7f0c11")
MANUAL_SOP_CLASS = "manual-entry"


def manual_uid(exam: Examination, what: str) -> str:
    """A UID of the 2.25 (UUID) form for the manual entry of ``exam`` (``what``: "study" or "object")."""
    return f"2.25.{uuid.uuid5(_NAMESPACE, f'inscope-manual-dose:{exam.pk}:{what}').int}"


def manual_report(exam: Examination) -> DoseReport:
    """The exposures typed in on completion as a dose report: one projection event per exposure."""
    study_uid = manual_uid(exam, "study")
    events = tuple(
        # No time per exposure was typed in; the study's time is the completion's.
        IrradiationEvent(uid=f"{study_uid}.{exposure.pk}", kind=EventKind.PROJECTION,
                         protocol=exam.protocol_name, view=exposure.projection,
                         dap_gy_m2=float(exposure.dap_gy_cm2) * 1e-4, kvp=float(exposure.kvp),
                         exposure_mas=float(exposure.mas))
        for exposure in exam.exposures.all())
    room = exam.room
    return DoseReport(
        sop_instance_uid=manual_uid(exam, "object"), sop_class_uid=MANUAL_SOP_CLASS, object_kind=ObjectKind.MANUAL,
        study_instance_uid=study_uid, modality=exam.modality, events=events,
        accession_number=exam.accession_number, study_date_time=exam.ended_at,
        study_description=exam.protocol_name, station_name=room.name if room else "",
        station_ae_title=room.ae_title if room else "")


def record_manual_dose(exam: Examination, *, by: User, source: str) -> DoseStudy | None:
    """Record the completed examination's typed-in DAP as a dose study and store its DRL comparison on the
    examination. Nothing is recorded for an examination with no typed-in DAP."""
    if exam.total_dap_gy_cm2 is None or not exam.exposures.exists():
        return None
    study = record_dose(manual_report(exam), source="manual", channel=source, examination=exam, by=by).study
    if study.drl_quantity == Quantity.DAP and study.drl_value is not None:
        drl = Decimal(str(round(study.drl_value * 1e4, 4)))
        verdict = "above the DRL" if study.drl_exceeded else "at or below the DRL"
        summary = (f"DAP {exam.total_dap_gy_cm2} Gy·cm² compared with {study.drl_label}: {study.drl_ratio:.2f} × "
                   f"DRL, {verdict}")
        record_drl_comparison(exam, drl_value_gy_cm2=drl, drl_source=study.drl_label, exceeded=study.drl_exceeded,
                              by=by, source=source, summary=summary)
    else:
        note = study.drl_note or "No DAP DRL applies."
        record_drl_comparison(exam, drl_value_gy_cm2=None, drl_source="", exceeded=None, by=by, source=source,
                              summary=f"DAP {exam.total_dap_gy_cm2} Gy·cm² not compared: {note}")
    return study


def on_examination_completed(sender: Any, *, examination: Examination, by: User, source: str, **_: Any) -> None:
    record_manual_dose(examination, by=by, source=source)
