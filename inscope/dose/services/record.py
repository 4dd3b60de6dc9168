"""Recording a dose report: one study per Study Instance UID, each irradiation event counted once.

Equipment reports a study in several objects, cumulatively (each report repeats the earlier events) or as
continuations (each adds new ones), and sends the same object twice. The study's events are keyed by their
Irradiation Event UIDs and its totals recomputed from its distinct events after every object, so nothing is counted
twice and nothing is lost, in whatever order the objects arrive. The listener, ``inscope dose import`` and manual
entry all come through ``record_dose``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.department.models import Room
from inscope.dose.models import DoseObject, DoseStudy, IrradiationEventRecord
from inscope.dose.report import DoseReport, EventKind, IrradiationEvent
from inscope.dose.services.drls import compare_study
from inscope.dose.services.saue import screen_study
from inscope.exams.models import Examination
from inscope.lib.errors import DomainError

# The audit channel for each source, unless the caller names one.
CHANNELS = {"import": "cli", "manual": "web", "api": "api"}
MAX_WARNINGS = 50
# A stated total more than this fraction above the sum of the study's events is reported as a warning.
STATED_TOLERANCE = 0.01
_LOCK_ATTEMPTS = 3


@dataclass(frozen=True)
class RecordResult:
    """What recording one object did: imported (a new study), updated (new events or a new object), duplicate."""

    status: str
    study: DoseStudy
    new_events: int
    message: str


def _cut(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)  # DICOM dates and times are the equipment's local time


def _number(value: float | None, what: str, warnings: list[str]) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0:
        warnings.append(f"Ignored an impossible {what} of {value!r}.")
        return None
    return float(value)


# --- The study row --------------------------------------------------------------------------------------------------


def _locked_study(report: DoseReport, source: str) -> tuple[DoseStudy, bool]:
    """Return the study row, locked for this transaction, creating it if it is new."""
    uid = report.study_instance_uid
    for _ in range(_LOCK_ATTEMPTS):
        study = DoseStudy.objects.select_for_update().filter(study_instance_uid=uid).first()
        if study is not None:
            return study, False
        try:
            with transaction.atomic():  # a savepoint, so losing the race leaves the transaction usable
                study = DoseStudy.objects.create(
                    study_instance_uid=uid, modality=_cut(report.modality, 4).upper(), source=_cut(source, 10))
            return study, True
        except IntegrityError:
            continue  # another process created it a moment ago: lock theirs
    raise DomainError(f"Could not create or lock the dose record of study {uid}; try again.")


_HEADER = {  # study field: (report field, length)
    "accession_number": ("accession_number", 16),
    "patient_id": ("patient_id", 64),
    "patient_name": ("patient_name", 200),
    "study_description": ("study_description", 200),
    "body_part": ("body_part", 64),
    "station_name": ("station_name", 64),
    "station_ae_title": ("station_ae_title", 16),
    "manufacturer": ("manufacturer", 64),
    "model_name": ("model_name", 64),
    "device_serial_number": ("device_serial_number", 64),
    "modality": ("modality", 4),
}


def _fill_header(study: DoseStudy, report: DoseReport, events: Iterable[IrradiationEvent]) -> None:
    """Fill what the study does not yet know from this object; never overwrite a value with a blank."""
    for name, (source, limit) in _HEADER.items():
        value = _cut(getattr(report, source), limit)
        if name == "modality":
            value = value.upper()
        if value and not getattr(study, name):
            setattr(study, name, value)
    if study.study_date_time is None:
        times = [t for t in (_aware(e.at) for e in events) if t is not None]
        study.study_date_time = _aware(report.study_date_time) or (min(times) if times else None)


# --- Events ---------------------------------------------------------------------------------------------------------


def _event_key(event: IrradiationEvent, warnings: list[str]) -> str:
    uid = event.uid.strip()
    if uid and len(uid) <= 64:
        return uid
    digest = hashlib.sha256(repr(uid or event).encode()).hexdigest()[:48]
    if not uid:
        warnings.append("An irradiation event had no Irradiation Event UID; it is identified by its content.")
        return f"content:{digest}"
    warnings.append("An Irradiation Event UID was longer than 64 characters; it is identified by its digest.")
    return f"digest:{digest}"


def _distinct_events(report: DoseReport, warnings: list[str]) -> dict[str, IrradiationEvent]:
    found: dict[str, IrradiationEvent] = {}
    for event in report.events:
        key = _event_key(event, warnings)
        if key in found:
            warnings.append(f"The object lists irradiation event {key} more than once; it is counted once.")
            continue
        found[key] = event
    return found


_TEXT_LIMITS = {"protocol": 200, "target_region": 100, "laterality": 2, "view": 60, "phantom": 20,
                "anode_target": 20, "filter_material": 20}
_SIDES = {"LEFT": "L", "RIGHT": "R", "BOTH": "B", "BILATERAL": "B"}
_NUMBERS = ("ctdivol_mgy", "dlp_mgy_cm", "scanning_length_mm", "dap_gy_m2", "rp_dose_gy", "agd_mgy",
            "entrance_exposure_mgy", "compressed_thickness_mm", "kvp", "tube_current_ma", "exposure_time_s",
            "exposure_mas", "fluoro_time_s")


def _event_row(study: DoseStudy, key: str, event: IrradiationEvent, sop_uid: str,
               warnings: list[str]) -> IrradiationEventRecord:
    values: dict[str, object] = {name: _cut(getattr(event, name), 200 if name == "laterality" else limit)
                                 for name, limit in _TEXT_LIMITS.items()}
    side = str(values["laterality"]).upper()
    values["laterality"] = _SIDES.get(side, side)[:2]
    for name in _NUMBERS:
        values[name] = _number(getattr(event, name), name.rsplit("_", 1)[0].replace("_", " "), warnings)
    return IrradiationEventRecord(study=study, event_uid=key, kind=str(event.kind)[:20], at=_aware(event.at),
                                  source_sop_instance_uid=sop_uid[:64], **values)


# --- Totals ---------------------------------------------------------------------------------------------------------


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) if present else None


def _or_stated(from_events: float | None, stored: float | None, stated: float | None, what: str, unit: str,
               warnings: list[str]) -> float | None:
    """The events' figure when they carry one; otherwise the largest total any of the study's objects stated."""
    if from_events is not None:
        if stated is not None and stated > from_events * (1 + STATED_TOLERANCE) + 1e-12:
            warnings.append(f"An object states a total {what} of {stated:.4g} {unit}, more than the sum of the study's "
                            f"events ({from_events:.4g} {unit}); the sum of the events is used.")
        return from_events
    if stated is None:
        return stored
    warnings.append(f"The {what} is the total the dose reports state: their events carry none.")
    return stated if stored is None else max(stored, stated)


def _recompute(study: DoseStudy, report: DoseReport, new_radiopharmaceutical: bool, known_radiopharmaceutical: bool,
               warnings: list[str]) -> None:
    rows = list(study.events.values("kind", "dlp_mgy_cm", "ctdivol_mgy", "dap_gy_m2", "rp_dose_gy", "fluoro_time_s",
                                    "agd_mgy", "laterality"))
    study.event_count = len(rows)
    dap_in = {kind: _sum(r["dap_gy_m2"] for r in rows if r["kind"] == kind)
              for kind in (EventKind.FLUOROSCOPY, EventKind.ACQUISITION)}
    stated_dap = report.stated_total_dap_gy_m2
    if stated_dap is None and (report.stated_fluoro_dap_gy_m2 is not None
                               or report.stated_acquisition_dap_gy_m2 is not None):
        stated_dap = math.fsum(v for v in (report.stated_fluoro_dap_gy_m2, report.stated_acquisition_dap_gy_m2)
                               if v is not None)
    study.total_dlp_mgy_cm = _or_stated(_sum(r["dlp_mgy_cm"] for r in rows), study.total_dlp_mgy_cm,
                                        report.stated_total_dlp_mgy_cm, "DLP", "mGy·cm", warnings)
    cdtis = [r["ctdivol_mgy"] for r in rows if r["ctdivol_mgy"] is not None]
    study.max_ctdivol_mgy = max(cdtis) if cdtis else None
    study.total_dap_gy_m2 = _or_stated(_sum(r["dap_gy_m2"] for r in rows), study.total_dap_gy_m2, stated_dap,
                                       "DAP", "Gy·m²", warnings)
    study.fluoro_dap_gy_m2 = _or_stated(dap_in[EventKind.FLUOROSCOPY], study.fluoro_dap_gy_m2,
                                        report.stated_fluoro_dap_gy_m2, "fluoroscopy DAP", "Gy·m²", warnings)
    study.acquisition_dap_gy_m2 = _or_stated(dap_in[EventKind.ACQUISITION], study.acquisition_dap_gy_m2,
                                             report.stated_acquisition_dap_gy_m2, "acquisition DAP", "Gy·m²", warnings)
    study.total_rp_dose_gy = _or_stated(_sum(r["rp_dose_gy"] for r in rows), study.total_rp_dose_gy,
                                        report.stated_total_rp_dose_gy, "reference-point dose", "Gy", warnings)
    study.fluoro_time_s = _or_stated(_sum(r["fluoro_time_s"] for r in rows), study.fluoro_time_s,
                                     report.stated_fluoro_time_s, "fluoroscopy time", "s", warnings)
    _agd(study, report, rows, warnings)
    _activity(study, report, new_radiopharmaceutical, known_radiopharmaceutical, warnings)


def _agd(study: DoseStudy, report: DoseReport, rows: Sequence[Mapping[str, Any]], warnings: list[str]) -> None:
    """AGD per breast: the sum of its views' AGD, or the accumulated AGD the report states for it."""
    per_side: dict[str, list[float]] = {"L": [], "R": []}
    for row in rows:
        agd = row["agd_mgy"]
        if isinstance(agd, float):
            side = str(row["laterality"] or "")
            if side in per_side:
                per_side[side].append(agd)
            else:
                warnings.append("An exposure's AGD has no single breast (laterality B or not stated); it is not "
                                "added to either breast's total.")
    # Accumulated AGD per breast, once the report carries it (inscope.dose.report may add these fields).
    stated_left = report.stated_agd_left_mgy
    stated_right = report.stated_agd_right_mgy
    study.agd_left_mgy = _or_stated(_sum(per_side["L"]), study.agd_left_mgy, stated_left, "AGD of the left breast",
                                    "mGy", warnings)
    study.agd_right_mgy = _or_stated(_sum(per_side["R"]), study.agd_right_mgy, stated_right,
                                     "AGD of the right breast", "mGy", warnings)


def _activity(study: DoseStudy, report: DoseReport, new_events: bool, known_events: bool,
              warnings: list[str]) -> None:
    """Administered activity: added for a new administration, otherwise the largest stated (a repeated report)."""
    nuclide = _cut(report.radionuclide, 64)
    if nuclide and not study.radionuclide:
        study.radionuclide = nuclide
    elif nuclide and nuclide.lower() not in study.radionuclide.lower():
        warnings.append(f"The study reports more than one radionuclide ({study.radionuclide}; {nuclide}).")
        study.radionuclide = f"{study.radionuclide}; {nuclide}"[:64]
    activity = _number(report.administered_activity_mbq, "administered activity", warnings)
    if activity is None:
        return
    previous = study.administered_activity_mbq
    if previous is None:
        study.administered_activity_mbq = activity
    elif new_events and not known_events:
        study.administered_activity_mbq = previous + activity  # a continuation reporting another administration
    else:
        study.administered_activity_mbq = max(previous, activity)


# --- The examination ------------------------------------------------------------------------------------------------


def _link(study: DoseStudy, report: DoseReport, warnings: list[str]) -> Examination | None:
    """Link the study to its examination if it is not yet linked; return the examination newly linked, if any."""
    linked = None
    if study.examination_id is None:
        for accession in dict.fromkeys(a for a in (report.accession_number.strip(), study.accession_number) if a):
            linked = Examination.objects.filter(accession_number=accession).first()
            if linked is not None:
                break
        if linked is None:
            linked = Examination.objects.filter(study_instance_uid=study.study_instance_uid).first()
        if linked is not None:
            study.examination = linked
    elif report.accession_number.strip() and study.examination is not None and (
            report.accession_number.strip() != study.examination.accession_number):
        warnings.append(f"An object gives accession number {report.accession_number.strip()}, not the linked "
                        f"examination's {study.examination.accession_number}.")
    exam = study.examination
    if exam is not None and exam.room_id is not None:
        study.room_id = exam.room_id
    elif study.room_id is None and study.station_ae_title:
        rooms = list(Room.objects.filter(ae_title=study.station_ae_title).select_related("site")[:2])
        if len(rooms) == 1:
            study.room = rooms[0]
    if exam is not None:
        study.department_id = exam.department_id
    elif study.room_id is not None and study.department_id is None:
        study.department_id = Room.objects.select_related("site").get(pk=study.room_id).site.department_id
    return linked


# --- Messages -------------------------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def totals_text(study: DoseStudy) -> str:
    """The study's totals in the units people read (DAP in Gy·cm²)."""
    parts = []
    if study.total_dlp_mgy_cm is not None:
        parts.append(f"DLP {study.total_dlp_mgy_cm:.4g} mGy·cm")
    if study.total_dap_gy_m2 is not None:
        parts.append(f"DAP {study.total_dap_gy_m2 * 1e4:.4g} Gy·cm²")
    if study.total_rp_dose_gy is not None:
        parts.append(f"reference-point dose {study.total_rp_dose_gy:.4g} Gy")
    if study.agd_left_mgy is not None or study.agd_right_mgy is not None:
        sides = [f"{s} {v:.3g}" for s, v in (("left", study.agd_left_mgy), ("right", study.agd_right_mgy))
                 if v is not None]
        parts.append(f"AGD {', '.join(sides)} mGy")
    if study.administered_activity_mbq is not None:
        parts.append(f"activity {study.administered_activity_mbq:.4g} MBq")
    return ", ".join(parts) if parts else "no dose figures"


def _message(created: bool, study: DoseStudy, new: int, in_object: int) -> str:
    if created:
        text = f"New study, {_plural(new, 'event')}; total {totals_text(study)}"
    elif new:
        text = f"{_plural(new, 'new event')} ({in_object - new} already recorded); study total {totals_text(study)}"
    else:
        text = f"No new events ({in_object} already recorded); study total {totals_text(study)}"
    if study.drl_ratio is not None:
        text += f"; {study.drl_ratio:.2f} × DRL" + (" (above)" if study.drl_exceeded else "")
    return text


def _check(report: DoseReport) -> None:
    for name in ("sop_instance_uid", "study_instance_uid"):
        value = getattr(report, name)
        if not value:
            raise DomainError(f"The dose report has no {name.replace('_', ' ')}.", field=name)
        if len(value) > 64:
            raise DomainError(f"The dose report's {name.replace('_', ' ')} is longer than 64 characters.",
                              field=name)


# --- The service ----------------------------------------------------------------------------------------------------


def _duplicate(report: DoseReport) -> RecordResult | None:
    seen = DoseObject.objects.select_related("study").filter(sop_instance_uid=report.sop_instance_uid).first()
    if seen is None:
        return None
    if seen.study.study_instance_uid != report.study_instance_uid:
        raise DomainError(f"SOP Instance UID {report.sop_instance_uid} was already recorded for study "
                          f"{seen.study.study_instance_uid}, not {report.study_instance_uid}.",
                          field="sop_instance_uid")
    return RecordResult("duplicate", seen.study, 0,
                        f"Already imported: same object (SOP Instance UID {report.sop_instance_uid})")


def record_dose(report: DoseReport, *, source: str, channel: str | None = None) -> RecordResult:
    """Record one object's dose in its study: add the events the study does not have, recompute the totals,
    link the examination, compare with the DRL and screen for SAUE criteria. One transaction; the study row is
    locked, so objects of one study arriving at once are recorded one after the other."""
    report = replace(report, sop_instance_uid=report.sop_instance_uid.strip("\x00 "),
                     study_instance_uid=report.study_instance_uid.strip("\x00 "))  # DICOM pads UIDs
    _check(report)
    channel = channel or CHANNELS.get(source, "system")
    if (seen := _duplicate(report)) is not None:
        return seen
    with transaction.atomic():
        study, created = _locked_study(report, source)
        if (seen := _duplicate(report)) is not None:  # the same object, recorded while this waited for the lock
            return seen
        warnings = list(report.warnings)
        events = _distinct_events(report, warnings)
        known = set(study.events.values_list("event_uid", flat=True))
        new = {key: event for key, event in events.items() if key not in known}
        IrradiationEventRecord.objects.bulk_create(
            [_event_row(study, key, event, report.sop_instance_uid, warnings) for key, event in new.items()])
        DoseObject.objects.create(study=study, sop_instance_uid=report.sop_instance_uid,
                                  sop_class_uid=_cut(report.sop_class_uid, 64),
                                  object_kind=str(report.object_kind)[:12], events_in_object=len(events),
                                  new_events=len(new))
        _fill_header(study, report, events.values())
        radiopharmaceutical = [k for k, e in events.items() if e.kind == EventKind.RADIOPHARMACEUTICAL]
        _recompute(study, report, any(k in new for k in radiopharmaceutical),
                   any(k in known for k in radiopharmaceutical), warnings)
        linked = _link(study, report, warnings)
        study.warnings = list(dict.fromkeys([*study.warnings, *warnings]))[:MAX_WARNINGS]
        compare_study(study)
        study.save()
        status = "imported" if created else "updated"
        message = _message(created, study, len(new), len(events))
        if linked is not None:
            record("dose.study_linked", study, by=None, channel=channel,
                   summary=f"Dose study linked to examination {linked.accession_number}")
        record("dose.recorded", study, by=None, channel=channel, summary=message,
               detail={"status": status, "sop_instance_uid": report.sop_instance_uid, "source": source,
                       "object_kind": str(report.object_kind), "events_in_object": len(events),
                       "new_events": len(new), "drl_note": study.drl_note})
        screen_study(study, channel=channel)
    return RecordResult(status, study, len(new), message)

