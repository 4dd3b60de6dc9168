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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.department.models import Room
from inscope.dose import exposures, totals
from inscope.dose.models import DoseObject, DoseStudy, IrradiationEventRecord
from inscope.dose.report import DoseReport, EventKind, IrradiationEvent, ObjectKind
from inscope.dose.services.drls import compare_study
from inscope.dose.services.saue import screen_study
from inscope.exams.models import Examination
from inscope.lib.errors import DomainError
from inscope.staff.models import User

# The audit channel for each source, unless the caller names one.
CHANNELS = {"import": "cli", "manual": "web", "api": "api"}
MAX_WARNINGS = 50
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


def _exposure(key: str, kind: str, at: dt.datetime | None, values: Mapping[str, Any],
              from_image: bool) -> exposures.Exposure:
    return exposures.Exposure(key=key, kind=kind, at=at, laterality=str(values.get("laterality") or ""),
                              view=str(values.get("view") or ""), agd_mgy=values.get("agd_mgy"),
                              dap_gy_m2=values.get("dap_gy_m2"),
                              entrance_exposure_mgy=values.get("entrance_exposure_mgy"), from_image=from_image)


def _counted_once(row: IrradiationEventRecord, report: DoseReport, event: IrradiationEvent, rule: str,
                  warnings: list[str]) -> None:
    """Record on the kept event that this image reported the same exposure, and say so on the study."""
    if any(seen.get("sop_instance_uid") == report.sop_instance_uid for seen in row.same_exposure):
        return
    row.same_exposure = [*row.same_exposure, {"sop_instance_uid": report.sop_instance_uid[:64], "rule": rule,
                                              "presentation_intent": event.presentation_intent}]
    row.save(update_fields=["same_exposure"])
    if report.object_kind == ObjectKind.IMAGE:
        intent = event.presentation_intent.lower() or "presentation intent not stated"
        what = f"Image {report.sop_instance_uid} ({intent})"
    else:
        what = f"Dose report {report.sop_instance_uid}"
    warnings.append(f"{what} reports the same exposure as {row.source_sop_instance_uid}: {exposures.RULES[rule]}; "
                    "its dose is counted once.")


def _new_events(study: DoseStudy, report: DoseReport, events: Mapping[str, IrradiationEvent],
                warnings: list[str]) -> tuple[dict[str, IrradiationEvent], set[str]]:
    """The events of this object the study does not have yet, and the keys it already had. An image repeating an
    exposure the study has (by its Irradiation Event UID, or by inscope.dose.exposures' rule) is not new."""
    known = set(study.events.values_list("event_uid", flat=True))
    from_image = report.object_kind == ObjectKind.IMAGE
    rows = {row.event_uid: row for row in study.events.filter(kind__in=exposures.KINDS)}
    images = set(study.source_objects.filter(object_kind=ObjectKind.IMAGE).values_list("sop_instance_uid", flat=True))
    seen = [_exposure(row.event_uid, row.kind, row.at, vars(row), row.source_sop_instance_uid in images)
            for row in rows.values()]
    new: dict[str, IrradiationEvent] = {}
    for key, event in events.items():
        if key in known:
            row = rows.get(key)
            if row is not None and row.source_sop_instance_uid != report.sop_instance_uid and (
                    from_image or row.source_sop_instance_uid in images):
                _counted_once(row, report, event, exposures.EVENT_UID, warnings)
            continue
        values = {name: getattr(event, name) for name in ("laterality", "view", *exposures.DOSES)}
        values["laterality"] = _SIDES.get(event.laterality.strip().upper(), event.laterality.strip().upper())
        match = exposures.find_same(_exposure(key, str(event.kind), _aware(event.at), values, from_image), seen)
        if match is not None:
            _counted_once(rows[match.key], report, event, exposures.SAME_EXPOSURE, warnings)
            continue
        new[key] = event
    return new, known


# --- Totals ---------------------------------------------------------------------------------------------------------


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) if present else None


# Each total: (study field, the tolerance's quantity in inscope.dose.totals, name in messages, unit, scale to it).
_TOTALS = {
    "total_dlp_mgy_cm": ("dlp", "total DLP", "mGy·cm", 1.0),
    "total_dap_gy_m2": ("dap", "total DAP", "Gy·cm²", 1e4),
    "fluoro_dap_gy_m2": ("dap", "fluoroscopy DAP", "Gy·cm²", 1e4),
    "acquisition_dap_gy_m2": ("dap", "acquisition DAP", "Gy·cm²", 1e4),
    "total_rp_dose_gy": ("rp_dose", "total reference-point dose", "mGy", 1e3),
    "fluoro_time_s": ("time", "fluoroscopy time", "s", 1.0),
    "agd_left_mgy": ("agd", "accumulated AGD of the left breast", "mGy", 1.0),
    "agd_right_mgy": ("agd", "accumulated AGD of the right breast", "mGy", 1.0),
}


def _stated(report: DoseReport, warnings: list[str]) -> dict[str, float | None]:
    """The totals this object states, by study field; impossible figures dropped with a warning."""
    dap = report.stated_total_dap_gy_m2
    if dap is None and (report.stated_fluoro_dap_gy_m2 is not None or report.stated_acquisition_dap_gy_m2 is not None):
        dap = math.fsum(v for v in (report.stated_fluoro_dap_gy_m2, report.stated_acquisition_dap_gy_m2)
                        if v is not None)
    stated = {
        "total_dlp_mgy_cm": report.stated_total_dlp_mgy_cm,
        "total_dap_gy_m2": dap,
        "fluoro_dap_gy_m2": report.stated_fluoro_dap_gy_m2,
        "acquisition_dap_gy_m2": report.stated_acquisition_dap_gy_m2,
        "total_rp_dose_gy": report.stated_total_rp_dose_gy,
        "fluoro_time_s": report.stated_fluoro_time_s,
        "agd_left_mgy": report.stated_agd_left_mgy,
        "agd_right_mgy": report.stated_agd_right_mgy,
    }
    return {name: _number(value, f"accumulated {_TOTALS[name][1]}", warnings) for name, value in stated.items()}


def _choose_totals(study: DoseStudy, report: DoseReport, from_events: Mapping[str, float | None],
                   counts: Mapping[str, int], warnings: list[str]) -> None:
    """Set each total to the device's accumulated total where one is non-zero, else the events' sum (see
    inscope.dose.totals), and record which it is and what the cross-check found."""
    device = dict(study.device_totals)
    for name, value in _stated(report, warnings).items():
        if (most := totals.largest(device.get(name), value)) is not None:
            device[name] = most
    sources: dict[str, dict[str, str]] = {}
    found: list[str] = []
    for name, (quantity, what, unit, scale) in _TOTALS.items():
        chosen = totals.choose(quantity, what, device=device.get(name), events=from_events[name],
                               n_events=counts[name], unit=unit, scale=scale)
        setattr(study, name, chosen.value)
        if chosen.source is not totals.Source.NONE:
            sources[name] = {"source": str(chosen.source), "note": chosen.note}
        if chosen.warning:
            found.append(chosen.warning)
    study.device_totals, study.total_sources, study.total_warnings = device, sources, found


def _recompute(study: DoseStudy, report: DoseReport, new_radiopharmaceutical: bool, known_radiopharmaceutical: bool,
               warnings: list[str]) -> None:
    rows: list[dict[str, Any]] = [dict(r) for r in study.events.values(
        "kind", "dlp_mgy_cm", "ctdivol_mgy", "dap_gy_m2", "rp_dose_gy", "fluoro_time_s", "agd_mgy", "laterality")]
    study.event_count = len(rows)
    groups: dict[str, tuple[str, Callable[[Mapping[str, Any]], bool]]] = {
        "total_dlp_mgy_cm": ("dlp_mgy_cm", lambda r: True),
        "total_dap_gy_m2": ("dap_gy_m2", lambda r: True),
        "fluoro_dap_gy_m2": ("dap_gy_m2", lambda r: r["kind"] == EventKind.FLUOROSCOPY),
        "acquisition_dap_gy_m2": ("dap_gy_m2", lambda r: r["kind"] == EventKind.ACQUISITION),
        "total_rp_dose_gy": ("rp_dose_gy", lambda r: True),
        "fluoro_time_s": ("fluoro_time_s", lambda r: True),
        "agd_left_mgy": ("agd_mgy", lambda r: r["laterality"] == "L"),
        "agd_right_mgy": ("agd_mgy", lambda r: r["laterality"] == "R"),
    }
    from_events: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for name, (column, selected) in groups.items():
        values = [r[column] for r in rows if selected(r) and r[column] is not None]
        from_events[name], counts[name] = _sum(values), len(values)
    if any(r["agd_mgy"] is not None and r["laterality"] not in ("L", "R") for r in rows):
        warnings.append("An exposure's AGD has no single breast (laterality B or not stated); it is not added to "
                        "either breast's total.")
    cdtis = [r["ctdivol_mgy"] for r in rows if r["ctdivol_mgy"] is not None]
    study.max_ctdivol_mgy = max(cdtis) if cdtis else None
    _choose_totals(study, report, from_events, counts, warnings)
    _activity(study, report, new_radiopharmaceutical, known_radiopharmaceutical, warnings)


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


def _find_examination(study: DoseStudy, report: DoseReport) -> Examination | None:
    """The examination of an unlinked study: by accession number, else by Study Instance UID."""
    for accession in dict.fromkeys(a for a in (report.accession_number.strip(), study.accession_number) if a):
        found = Examination.objects.filter(accession_number=accession).first()
        if found is not None:
            return found
    return Examination.objects.filter(study_instance_uid=study.study_instance_uid).first()


def _link(study: DoseStudy, report: DoseReport, warnings: list[str],
          examination: Examination | None) -> Examination | None:
    """Link the study to its examination if it is not yet linked (to ``examination`` when the caller knows it);
    return the examination newly linked, if any."""
    linked = None
    if study.examination_id is None:
        linked = examination or _find_examination(study, report)
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


def record_dose(report: DoseReport, *, source: str, channel: str | None = None,
                examination: Examination | None = None, by: User | None = None) -> RecordResult:
    """Record one object's dose in its study: add the events the study does not have, recompute the totals,
    link the examination, compare with the DRL and screen for SAUE criteria. One transaction; the study row is
    locked, so objects of one study arriving at once are recorded one after the other.

    ``examination``: the examination the dose belongs to, when the caller knows it (manual entry); otherwise it is
    found by accession number or Study Instance UID. ``by``: the person who entered the dose (manual entry); a
    dose report is recorded by the system."""
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
        new, known = _new_events(study, report, events, warnings)
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
        linked = _link(study, report, warnings, examination)
        study.warnings = list(dict.fromkeys([*study.warnings, *warnings]))[:MAX_WARNINGS]
        compare_study(study)
        study.save()
        status = "imported" if created else "updated"
        message = _message(created, study, len(new), len(events))
        if linked is not None:
            record("dose.study_linked", study, by=by, channel=channel,
                   summary=f"Dose study linked to examination {linked.accession_number}")
        record("dose.recorded", study, by=by, channel=channel, summary=message,
               detail={"status": status, "sop_instance_uid": report.sop_instance_uid, "source": source,
                       "object_kind": str(report.object_kind), "events_in_object": len(events),
                       "new_events": len(new), "drl_note": study.drl_note})
        screen_study(study, channel=channel)
    return RecordResult(status, study, len(new), message)

