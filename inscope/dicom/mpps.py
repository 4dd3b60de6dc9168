"""Modality Performed Procedure Step (N-CREATE, N-SET): the modality says it started, completed or discontinued.

Every MPPS received is kept as a PerformedStep, whatever happens to the examination; anything that cannot be
done as the modality asked is recorded as an InterfaceMessage (shown on the interface messages screen), never
dropped. What InScope answers:

N-CREATE (status must be IN PROGRESS)
  * the examination found by the Scheduled Step Attributes (accession number, study UID) and allowed to start:
    stored, the examination started (or, if already in progress, the equipment recorded)  -> 0x0000 Success
  * no examination with that accession number/study UID, references that disagree (two examinations), or a
    Patient ID that is not the examination's NHS number: stored unlinked + message          -> 0x0000 Success
  * the examination is in a status that cannot start (not yet checked, escalated, completed...): stored,
    linked, examination unchanged + message                                                 -> 0x0000 Success
    (the modality did start it; refusing would only make it resend. The message is for people to act on.)
  * a SOP Instance UID we already have                                                       -> 0x0111 Duplicate
  * a status other than IN PROGRESS: message                                                 -> 0x0106 Invalid value
N-SET
  * unknown SOP Instance UID: message with the attributes                                    -> 0x0112 No such instance
  * a step already COMPLETED or DISCONTINUED: message                                        -> 0x0110 may no longer
                                                                                                  be updated
  * a status other than IN PROGRESS/COMPLETED/DISCONTINUED: message                          -> 0x0106
  * otherwise stored (dose merged), and COMPLETED/DISCONTINUED moves the examination; if it
    cannot move (completed by hand already, cancelled...) a message                          -> 0x0000 Success
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from pydicom import Dataset

from inscope.audit.services import record
from inscope.dicom.models import InterfaceMessage, PerformedStep
from inscope.exams.models import Examination
from inscope.exams.services.modality import (
    record_completed_on_modality,
    record_discontinued_on_modality,
    record_started_on_modality,
)
from inscope.lib.errors import DomainError
from inscope.lib.uids import new_uid

log = logging.getLogger("inscope.dicom.mpps")

SUCCESS = 0x0000
INVALID_ATTRIBUTE_VALUE = 0x0106
PROCESSING_FAILURE = 0x0110  # for an MPPS: "Performed Procedure Step object may no longer be updated"
DUPLICATE_SOP_INSTANCE = 0x0111
NO_SUCH_SOP_INSTANCE = 0x0112

# Radiation Dose module (PS3.3 C.4.16) and CT attributes modalities put in an MPPS, kept as sent.
DOSE_KEYWORDS = (
    "ImageAndFluoroscopyAreaDoseProduct",  # dGy·cm²
    "TotalTimeOfFluoroscopy",  # s
    "TotalNumberOfExposures",
    "EntranceDose",  # dGy
    "EntranceDoseInmGy",
    "ExposedArea",  # cm²
    "DistanceSourceToEntrance",  # mm
    "DistanceSourceToDetector",  # mm
    "OrganDose",  # dGy
    "OrganExposed",
    "CommentsOnRadiationDose",
    "CTDIvol",  # mGy
)
EXPOSURE_KEYWORDS = ("RadiationMode", "KVP", "XRayTubeCurrentInuA", "ExposureTime", "FilterType", "FilterMaterial",
                     "CommentsOnRadiationDose")
CTDIVOL_TAG = 0x00189345
_DLP = re.compile(r"\bDLP\b[^0-9]{0,12}([0-9]+(?:[.,][0-9]+)?)", re.IGNORECASE)
DETAIL_LIMIT = 20000  # characters of the received attributes kept on a message


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What to answer the modality: a DIMSE status, an error comment, and the step if one was stored."""

    status: int
    comment: str = ""
    step: PerformedStep | None = None
    attributes: Dataset | None = None  # the N-CREATE attribute list to return, if any

    def status_dataset(self) -> Dataset:
        ds = Dataset()
        ds.Status = self.status
        if self.comment:
            ds.ErrorComment = self.comment[:64]
        return ds


# --- Reading an MPPS -------------------------------------------------------------------------------------------------


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else str(value).strip()


def _local_datetime(day: str, time: str) -> dt.datetime | None:
    """A DICOM date and time in the department's time zone, or None if absent or unreadable."""
    day, time = day.strip(), time.strip().replace(":", "")
    if not re.fullmatch(r"\d{8}", day):
        return None
    found = re.fullmatch(r"(\d{2})(\d{2})?(\d{2})?(?:\.\d*)?", time) if time else None
    try:
        hours, minutes, seconds = (int(g or 0) for g in found.groups()) if found else (0, 0, 0)
        naive = dt.datetime(int(day[:4]), int(day[4:6]), int(day[6:]), hours, minutes, seconds)
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _number(value: Any) -> float | int | str | None:
    """A JSON-safe number from a DICOM numeric value (decimal commas tolerated), or the text if it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value if isinstance(value, int) else float(value)
    text = str(value).strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return str(value).strip()
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _json_value(elem: Any) -> Any:
    value = elem.value
    if elem.VM > 1 and not isinstance(value, str | bytes):
        return [_number(v) if elem.VR in ("DS", "IS", "US", "FD", "FL", "UL", "SS", "SL") else str(v)
                for v in value]
    if elem.VR in ("DS", "IS", "US", "FD", "FL", "UL", "SS", "SL"):
        return _number(value)
    return "" if value is None else str(value)


def _walk(ds: Dataset):
    for elem in ds:
        yield elem
        if elem.VR == "SQ":
            for item in elem.value or []:
                yield from _walk(item)


def read_dose(ds: Dataset) -> dict[str, Any]:
    """The dose attributes in an MPPS attribute or modification list, as {keyword: value}."""
    found: dict[str, Any] = {}
    for keyword in DOSE_KEYWORDS:
        if keyword in ds and not ds[keyword].is_empty:
            found[keyword] = _json_value(ds[keyword])
    exposures = []
    for item in ds.get("ExposureDoseSequence") or []:
        exposures.append({k: _json_value(item[k]) for k in EXPOSURE_KEYWORDS if k in item and not item[k].is_empty})
    if exposures:
        found["ExposureDoseSequence"] = exposures
    ctdivols = [_number(elem.value) for elem in _walk(ds) if elem.tag == CTDIVOL_TAG and elem.value not in (None, "")]
    if len(ctdivols) > 1 or ("CTDIvol" not in found and ctdivols):
        found["CTDIvol"] = ctdivols if len(ctdivols) > 1 else ctdivols[0]
    return found


def _float(value: Any) -> float | None:
    if isinstance(value, list):
        numbers = [v for v in (_float(x) for x in value) if v is not None]
        return max(numbers) if numbers else None
    return float(value) if isinstance(value, int | float) else None


def normalise_dose(raw: dict[str, Any]) -> dict[str, Any]:
    """The MPPS dose figures as sent plus the SI units InScope stores (see inscope.dose.report)."""
    dose = dict(raw)
    dap = _float(raw.get("ImageAndFluoroscopyAreaDoseProduct"))
    if dap is not None:  # sent in dGy·cm²
        dose["dap_gy_cm2"] = round(dap * 0.1, 9)
        dose["dap_gy_m2"] = round(dap * 1e-5, 12)
    fluoro = _float(raw.get("TotalTimeOfFluoroscopy"))
    if fluoro is not None:
        dose["fluoro_time_s"] = fluoro
    exposures = _float(raw.get("TotalNumberOfExposures"))
    if exposures is not None:
        dose["exposures"] = int(exposures)
    entrance = _float(raw.get("EntranceDoseInmGy"))
    if entrance is None and _float(raw.get("EntranceDose")) is not None:
        entrance = _float(raw.get("EntranceDose")) * 100  # type: ignore[operator]  # dGy to mGy
    if entrance is not None:
        dose["entrance_dose_mgy"] = entrance
    ctdivol = _float(raw.get("CTDIvol"))
    if ctdivol is not None:
        dose["ctdivol_mgy"] = ctdivol
    found = _DLP.search(str(raw.get("CommentsOnRadiationDose", "")))
    if found:  # no standard attribute carries DLP in an MPPS; some CT scanners write it in the comments
        dose["dlp_mgy_cm"] = float(found.group(1).replace(",", "."))
    return dose


def dose_summary(dose: dict[str, Any]) -> str:
    """The dose in a line, for the examination's history."""
    parts = []
    if "dap_gy_cm2" in dose:
        parts.append(f"DAP {dose['dap_gy_cm2']:.4g} Gy·cm²")
    if "fluoro_time_s" in dose:
        parts.append(f"fluoroscopy {dose['fluoro_time_s']:g} s")
    if "exposures" in dose:
        parts.append(f"{dose['exposures']} exposure{'' if dose['exposures'] == 1 else 's'}")
    if "entrance_dose_mgy" in dose:
        parts.append(f"entrance dose {dose['entrance_dose_mgy']:.4g} mGy")
    if "ctdivol_mgy" in dose:
        parts.append(f"CTDIvol {dose['ctdivol_mgy']:.4g} mGy")
    if "dlp_mgy_cm" in dose:
        parts.append(f"DLP {dose['dlp_mgy_cm']:.4g} mGy·cm")
    return ", ".join(parts)


def _images(ds: Dataset) -> int | None:
    if "PerformedSeriesSequence" not in ds:
        return None
    return sum(len(series.get("ReferencedImageSequence") or []) for series in ds.PerformedSeriesSequence or [])


def _discontinuation_reason(ds: Dataset) -> str:
    items = ds.get("PerformedProcedureStepDiscontinuationReasonCodeSequence") or []
    if not items:
        return ""
    return _text(items[0], "CodeMeaning") or _text(items[0], "CodeValue")


@dataclasses.dataclass(frozen=True)
class References:
    accession_numbers: tuple[str, ...]
    study_instance_uids: tuple[str, ...]
    patient_id: str

    @property
    def empty(self) -> bool:
        return not (self.accession_numbers or self.study_instance_uids)

    def describe(self) -> str:
        said = []
        if self.accession_numbers:
            said.append(f"accession number {', '.join(self.accession_numbers)}")
        if self.study_instance_uids:
            said.append(f"study {', '.join(self.study_instance_uids)}")
        return " and ".join(said) or "no accession number or study"


def read_references(ds: Dataset) -> References:
    """The scheduled step(s) the MPPS says it performed; the top level is the fallback (some modalities use it)."""
    accessions: list[str] = []
    uids: list[str] = []
    for item in ds.get("ScheduledStepAttributesSequence") or []:
        accession = (_text(item, "AccessionNumber") or _text(item, "ScheduledProcedureStepID")
                     or _text(item, "RequestedProcedureID"))
        if accession and accession not in accessions:
            accessions.append(accession)
        uid = _text(item, "StudyInstanceUID")
        if uid and uid not in uids:
            uids.append(uid)
    if not accessions and _text(ds, "AccessionNumber"):
        accessions.append(_text(ds, "AccessionNumber"))
    if not uids and _text(ds, "StudyInstanceUID"):
        uids.append(_text(ds, "StudyInstanceUID"))
    return References(tuple(accessions), tuple(uids), _text(ds, "PatientID"))


def find_examination(refs: References) -> tuple[Examination | None, str]:
    """The examination the MPPS is for, or None and what is wrong."""
    if refs.empty:
        return None, "it names no accession number or study, so it cannot be matched to an examination"
    found = list(Examination.objects.select_related("patient").filter(
        Q(accession_number__in=refs.accession_numbers) | Q(study_instance_uid__in=refs.study_instance_uids)))
    if not found:
        return None, f"no examination has {refs.describe()}"
    if len(found) > 1:
        names = "; ".join(f"{e.accession_number} (study {e.study_instance_uid})" for e in found)
        return None, f"its {refs.describe()} point to different examinations: {names}"
    exam = found[0]
    if refs.accession_numbers and exam.accession_number not in refs.accession_numbers:
        return None, (f"study {exam.study_instance_uid} is examination {exam.accession_number}, not accession "
                      f"number {', '.join(refs.accession_numbers)}")
    if refs.study_instance_uids and exam.study_instance_uid not in refs.study_instance_uids:
        return None, (f"examination {exam.accession_number} has study {exam.study_instance_uid}, not "
                      f"{', '.join(refs.study_instance_uids)}")
    if refs.patient_id and refs.patient_id != exam.patient.nhs_number:
        return None, (f"Patient ID {refs.patient_id} is not the NHS number of the patient of examination "
                      f"{exam.accession_number}")
    return exam, ""


# --- Interface messages ----------------------------------------------------------------------------------------------


def _attributes_json(ds: Dataset | None) -> Any:
    if ds is None:
        return None
    try:
        text = ds.to_json(bulk_data_threshold=256, bulk_data_element_handler=lambda elem: "")
    except Exception:  # noqa: BLE001 - a dataset too broken for JSON is kept as its text dump
        return str(ds)[:DETAIL_LIMIT]
    return text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT]


def _message(summary: str, *, calling_ae: str, level: str = InterfaceMessage.Level.ERROR,
             step: PerformedStep | None = None, attributes: Dataset | None = None, **detail: Any) -> InterfaceMessage:
    log.warning("MPPS from %s: %s", calling_ae or "?", summary)
    if attributes is not None:
        detail["attributes"] = _attributes_json(attributes)
    return InterfaceMessage.objects.create(
        channel=InterfaceMessage.Channel.MPPS, level=level, calling_ae_title=calling_ae[:16], summary=summary[:300],
        detail=detail, performed_step=step,
    )


# --- N-CREATE and N-SET ----------------------------------------------------------------------------------------------


def create_step(sop_instance_uid: str | None, attributes: Dataset, *, calling_ae: str) -> Outcome:
    """Store a new MPPS (N-CREATE) and start its examination if it can be found and may start."""
    uid = (sop_instance_uid or "").strip() or new_uid()
    status = _text(attributes, "PerformedProcedureStepStatus")
    if status != PerformedStep.Status.IN_PROGRESS:
        _message(f"MPPS {uid} was created with status {status or '(none)'}; it must start IN PROGRESS.",
                 calling_ae=calling_ae, attributes=attributes, sop_instance_uid=uid)
        return Outcome(INVALID_ATTRIBUTE_VALUE, f"Performed Procedure Step Status must be IN PROGRESS, not {status}")
    refs = read_references(attributes)
    station = _text(attributes, "PerformedStationAETitle") or calling_ae
    started = _local_datetime(_text(attributes, "PerformedProcedureStepStartDate"),
                              _text(attributes, "PerformedProcedureStepStartTime")) or timezone.now()
    try:
        with transaction.atomic():
            exam, problem = find_examination(refs)
            step = PerformedStep.objects.create(
                sop_instance_uid=uid, examination=exam, status=PerformedStep.Status.IN_PROGRESS,
                calling_ae_title=calling_ae[:16], station_ae_title=station[:16],
                accession_number=(refs.accession_numbers[0] if refs.accession_numbers else "")[:16],
                study_instance_uid=(refs.study_instance_uids[0] if refs.study_instance_uids else "")[:64],
                started_at=started, dose=normalise_dose(read_dose(attributes)),
            )
            record("mpps.created", step, by=None, channel="system",
                   summary=f"MPPS IN PROGRESS from {station} for {refs.describe()}")
            if problem:
                _message(f"MPPS {uid} from {station} is not linked to an examination: {problem}.",
                         calling_ae=calling_ae, step=step, attributes=attributes, sop_instance_uid=uid,
                         accession_numbers=list(refs.accession_numbers),
                         study_instance_uids=list(refs.study_instance_uids), patient_id=refs.patient_id)
            elif exam is not None:
                _start(step, exam, station=station, calling_ae=calling_ae)
    except IntegrityError:
        _message(f"MPPS {uid} was created a second time; the first is kept.", calling_ae=calling_ae,
                 level=InterfaceMessage.Level.WARNING, attributes=attributes, sop_instance_uid=uid)
        return Outcome(DUPLICATE_SOP_INSTANCE, "This Performed Procedure Step already exists")
    log.info("MPPS %s IN PROGRESS from %s for %s", uid, station, refs.describe())
    returned = None
    if not sop_instance_uid:
        returned = Dataset()
        returned.AffectedSOPInstanceUID = uid  # pynetdicom moves it into the response
    return Outcome(SUCCESS, step=step, attributes=returned)


def _start(step: PerformedStep, exam: Examination, *, station: str, calling_ae: str) -> None:
    try:
        with transaction.atomic():
            record_started_on_modality(exam, station_ae_title=station, performed_step_uid=step.sop_instance_uid,
                                       at=step.started_at or timezone.now())
    except DomainError as exc:
        _message(f"MPPS {step.sop_instance_uid} from {station}: {exc.message}", calling_ae=calling_ae, step=step,
                 examination_id=exam.pk, accession_number=exam.accession_number, status=exam.status)


def update_step(sop_instance_uid: str, modifications: Dataset, *, calling_ae: str) -> Outcome:
    """Apply an N-SET to a stored MPPS; COMPLETED or DISCONTINUED moves its examination."""
    uid = (sop_instance_uid or "").strip()
    with transaction.atomic():
        step = PerformedStep.objects.select_for_update().filter(sop_instance_uid=uid).first()
        if step is None:
            _message(f"MPPS update for {uid or '(no UID)'}, which InScope never received (no N-CREATE).",
                     calling_ae=calling_ae, attributes=modifications, sop_instance_uid=uid)
            return Outcome(NO_SUCH_SOP_INSTANCE, "No such Performed Procedure Step")
        if step.status != PerformedStep.Status.IN_PROGRESS:
            _message(f"MPPS {uid} was updated after it was {step.status}; the update is not applied.",
                     calling_ae=calling_ae, level=InterfaceMessage.Level.WARNING, step=step,
                     attributes=modifications, sop_instance_uid=uid)
            return Outcome(PROCESSING_FAILURE, "Performed Procedure Step may no longer be updated")
        status = _text(modifications, "PerformedProcedureStepStatus") or step.status
        if status not in PerformedStep.Status.values:
            _message(f"MPPS {uid} was set to status {status!r}, which is not a Performed Procedure Step status.",
                     calling_ae=calling_ae, step=step, attributes=modifications, sop_instance_uid=uid)
            return Outcome(INVALID_ATTRIBUTE_VALUE, f"Unknown Performed Procedure Step Status {status}")
        _apply(step, modifications, status)
        record("mpps.updated", step, by=None, channel="system",
               summary=f"MPPS {status} from {step.station_ae_title}: {dose_summary(step.dose)}")
        exam = step.examination
        if exam is not None and status != PerformedStep.Status.IN_PROGRESS:
            _finish(step, exam, calling_ae=calling_ae)
    log.info("MPPS %s %s from %s", uid, status, step.station_ae_title)
    return Outcome(SUCCESS, step=step)


def _apply(step: PerformedStep, modifications: Dataset, status: str) -> None:
    step.status = status
    ended = _local_datetime(_text(modifications, "PerformedProcedureStepEndDate"),
                            _text(modifications, "PerformedProcedureStepEndTime"))
    if ended is not None:
        step.ended_at = ended
    elif status != PerformedStep.Status.IN_PROGRESS and step.ended_at is None:
        step.ended_at = timezone.now()
    images = _images(modifications)
    if images is not None:
        step.images_count = images
    raw = {k: v for k, v in step.dose.items() if k[:1].isupper()}
    step.dose = normalise_dose({**raw, **read_dose(modifications)})
    if status == PerformedStep.Status.DISCONTINUED:
        step.discontinuation_reason = _discontinuation_reason(modifications)[:200]
    step.save()


def _finish(step: PerformedStep, exam: Examination, *, calling_ae: str) -> None:
    at = step.ended_at or timezone.now()
    try:
        with transaction.atomic():
            if step.status == PerformedStep.Status.COMPLETED:
                record_completed_on_modality(exam, images_count=step.images_count, dose_summary=dose_summary(step.dose),
                                             at=at)
            else:
                record_discontinued_on_modality(exam, reason=step.discontinuation_reason, at=at)
    except DomainError as exc:
        exam.refresh_from_db(fields=["status"])
        level = (InterfaceMessage.Level.WARNING if exam.status == step.status.lower()
                 else InterfaceMessage.Level.ERROR)  # already completed by hand in InScope: nothing lost
        _message(f"MPPS {step.sop_instance_uid} {step.status}: {exc.message}", calling_ae=calling_ae, level=level,
                 step=step, examination_id=exam.pk, accession_number=exam.accession_number, status=exam.status)


# --- pynetdicom handlers ---------------------------------------------------------------------------------------------


def _calling_ae(event: Any) -> str:
    return str(event.assoc.requestor.ae_title or "").strip()


def handle_n_create(event: Any) -> tuple[Dataset, Dataset | None]:
    """EVT_N_CREATE for Modality Performed Procedure Step."""
    calling = _calling_ae(event)
    try:
        attributes = event.attribute_list
    except Exception as exc:  # noqa: BLE001 - an undecodable attribute list is refused, never crashes the listener
        _message(f"An MPPS N-CREATE could not be decoded: {exc}", calling_ae=calling)
        return Outcome(PROCESSING_FAILURE, "The attribute list could not be decoded").status_dataset(), None
    outcome = create_step(event.request.AffectedSOPInstanceUID, attributes, calling_ae=calling)
    return outcome.status_dataset(), outcome.attributes


def handle_n_set(event: Any) -> tuple[Dataset, Dataset | None]:
    """EVT_N_SET for Modality Performed Procedure Step."""
    calling = _calling_ae(event)
    try:
        modifications = event.modification_list
    except Exception as exc:  # noqa: BLE001
        _message(f"An MPPS N-SET could not be decoded: {exc}", calling_ae=calling)
        return Outcome(PROCESSING_FAILURE, "The modification list could not be decoded").status_dataset(), None
    outcome = update_step(str(event.request.RequestedSOPInstanceUID or ""), modifications, calling_ae=calling)
    return outcome.status_dataset(), None
