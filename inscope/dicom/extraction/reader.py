"""Reading one DICOM object's dose: which kind of object it is, its header, and its dose content."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset

from inscope.dicom.extraction import codes as c
from inscope.dicom.extraction import sop
from inscope.dicom.extraction.headers import read_image_header
from inscope.dicom.extraction.rrdsr import read_radiopharmaceutical_report
from inscope.dicom.extraction.sr import MAX_UID, read_xray_report
from inscope.dicom.extraction.tree import Decode, TreeError, concept_name, content_nodes, get_element
from inscope.dicom.extraction.values import Notes, decoder, parse_date_time, text
from inscope.dose.report import DoseReadError, DoseReport, NotADoseObject, ObjectKind

SOP_CLASS_UID = 0x00080016
SOP_INSTANCE_UID = 0x00080018
STUDY_DATE = 0x00080020
STUDY_TIME = 0x00080030
ACCESSION_NUMBER = 0x00080050
MODALITY = 0x00080060
MANUFACTURER = 0x00080070
STATION_NAME = 0x00081010
STUDY_DESCRIPTION = 0x00081030
MODEL_NAME = 0x00081090
TIMEZONE_OFFSET = 0x00080201
PATIENT_NAME = 0x00100010
PATIENT_ID = 0x00100020
BODY_PART = 0x00180015
DEVICE_SERIAL_NUMBER = 0x00181000
STUDY_INSTANCE_UID = 0x0020000D
PERFORMED_STATION_AE_TITLE = 0x00400241
CONTENT_TEMPLATE = 0x0040A504
IMAGE_MODALITIES = frozenset({"DX", "CR", "MG", "PX", "IO", "RF", "XA"})
REPORT_FIELDS = {f.name for f in dataclasses.fields(DoseReport)}


class UnexpectedReadError(DoseReadError):
    """Reading failed in a way the reader does not anticipate: a bug to fix (the fuzz test fails on it), reported
    as a DoseReadError so the object is quarantined rather than the listener stopped."""


def read_dose_bytes(data: bytes) -> DoseReport:
    """The dose in an encoded DICOM object (a Part 10 file, or a bare dataset)."""
    if not data:
        raise DoseReadError("The object is empty (0 bytes).")
    try:
        ds = dcmread(io.BytesIO(data), force=True)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for malformed input
        raise DoseReadError(f"Not readable as DICOM ({len(data)} bytes): {_short(exc)}") from None
    return read_dose(ds)


def read_dose(ds: Dataset) -> DoseReport:
    """The dose in a DICOM object. Raises NotADoseObject (with the reason) when it carries none, DoseReadError when
    it is a dose object that cannot be read."""
    try:
        return _read(ds)
    except (DoseReadError, NotADoseObject):
        raise
    except TreeError as exc:
        raise DoseReadError(f"The structured report's content cannot be read: {exc}.") from None
    except RecursionError:
        raise DoseReadError("The object is nested too deeply to read.") from None
    except Exception as exc:  # noqa: BLE001 - never let a malformed object raise anything else
        raise UnexpectedReadError(f"Reading the object failed unexpectedly: {_short(exc)}") from exc


def _short(exc: BaseException) -> str:
    message = str(exc).replace("\n", " ").strip()
    return f"{type(exc).__name__}: {message[:300]}" if message else type(exc).__name__


def _read(ds: Dataset) -> DoseReport:
    decode = decoder(ds)
    sop_class = text(ds, SOP_CLASS_UID)
    if not sop_class:
        if len(ds) == 0:
            raise DoseReadError("Not readable as DICOM: no data elements were found.")
        raise DoseReadError("Not readable as DICOM: it has no SOP Class UID (0008,0016).")
    name = sop.name(sop_class)
    if sop_class in sop.SR_DOSE_REPORTS or sop_class in sop.SR_MAYBE_DOSE:
        return _read_sr(ds, sop_class, name, decode)
    if sop_class in sop.CT_IMAGES:
        raise NotADoseObject(f"{name[0].upper()}{name[1:]}: InScope reads CT dose from the dose report (X-Ray "
                             "Radiation Dose SR), not from image headers.")
    if sop_class in sop.DOSE_IMAGES:
        return _read_image(ds, sop_class, name, decode)
    raise NotADoseObject(f"{name[0].upper()}{name[1:]} ({sop_class}): this kind of object carries no dose "
                         "information InScope reads.")


def _uids(ds: Dataset, name: str) -> tuple[str, str]:
    sop_instance_uid = text(ds, SOP_INSTANCE_UID)
    if not sop_instance_uid:
        raise DoseReadError(f"The {name} has no SOP Instance UID (0008,0018).")
    if len(sop_instance_uid) > MAX_UID:
        raise DoseReadError(f"The {name}'s SOP Instance UID is longer than {MAX_UID} characters.")
    study_uid = text(ds, STUDY_INSTANCE_UID)
    if len(study_uid) > MAX_UID:
        raise DoseReadError(f"The {name}'s Study Instance UID is longer than {MAX_UID} characters.")
    return sop_instance_uid, study_uid


def _header(ds: Dataset, decode: Decode) -> dict[str, Any]:
    offset = text(ds, TIMEZONE_OFFSET)
    return {
        "accession_number": text(ds, ACCESSION_NUMBER, decode)[:16],
        "patient_id": text(ds, PATIENT_ID, decode)[:64],
        "patient_name": text(ds, PATIENT_NAME, decode)[:200],
        "study_date_time": parse_date_time(text(ds, STUDY_DATE), text(ds, STUDY_TIME), offset),
        "study_description": text(ds, STUDY_DESCRIPTION, decode)[:200],
        "body_part": text(ds, BODY_PART, decode)[:64],
        "station_name": text(ds, STATION_NAME, decode)[:64],
        "station_ae_title": text(ds, PERFORMED_STATION_AE_TITLE).split("\\")[0][:16],
        "manufacturer": text(ds, MANUFACTURER, decode)[:64],
        "model_name": text(ds, MODEL_NAME, decode)[:64],
        "device_serial_number": text(ds, DEVICE_SERIAL_NUMBER, decode)[:64],
    }


def _template(ds: Dataset) -> str:
    if get_element(ds, CONTENT_TEMPLATE) is None:
        return ""
    try:
        items = ds[CONTENT_TEMPLATE].value
        return str(items[0].get("TemplateIdentifier", "") or "").strip() if items else ""
    except Exception:  # noqa: BLE001 - the template is only named in a message
        return ""


def _dose_report_kind(ds: Dataset, sop_class: str, name: str, title: tuple[str, str, str] | None,
                      notes: Notes) -> bool:
    """Whether a structured report is read as a radiopharmaceutical (True) or X-ray (False) dose report, by its
    document title, else by its SOP class; NotADoseObject for any other report."""
    key = (title[0], title[1]) if title else None
    if key == c.XRAY_DOSE_REPORT:
        return False
    if key == c.RADIOPHARMACEUTICAL_DOSE_REPORT:
        return True
    if sop_class in sop.SR_DOSE_REPORTS:
        described = f"{title[2]} ({title[0]} {title[1]})" if title else "missing"
        notes.warn(f"The {name}'s document title is {described}, not the dose report's; read as a dose report "
                   "because of its SOP class.")
        return sop_class == sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR
    template = _template(ds)
    described = f"titled \"{title[2]}\" ({title[0]} {title[1]})" if title else "with no document title"
    if template:
        described = f"with template TID {template}, {described}"
    raise NotADoseObject(f"{name[0].upper()}{name[1:]} {described}: not a dose report.")


def _read_sr(ds: Dataset, sop_class: str, name: str, decode: Decode) -> DoseReport:
    notes = Notes()
    radiopharmaceutical = _dose_report_kind(ds, sop_class, name, concept_name(ds, decode), notes)
    sop_instance_uid, study_uid = _uids(ds, name)
    header = _header(ds, decode)
    nodes = content_nodes(ds, decode)
    if radiopharmaceutical:
        return _radiopharmaceutical(nodes, sop_class, sop_instance_uid, study_uid, header, notes, name)
    report = read_xray_report(nodes, sop_instance_uid, notes)
    if not study_uid:
        if not report.scope_study_uid or len(report.scope_study_uid) > MAX_UID:
            raise DoseReadError(f"The {name} has no Study Instance UID (0020,000D), in its header or its content.")
        study_uid = report.scope_study_uid
        notes.warn("The header has no Study Instance UID; the one in the report's Scope of Accumulation was used.")
    for field, fallback in (("station_name", report.station_name), ("manufacturer", report.manufacturer),
                            ("model_name", report.model_name), ("device_serial_number", report.device_serial_number)):
        if not header[field] and fallback:
            header[field] = fallback[:64]
    if header["study_date_time"] is None:
        times = [e.at for e in report.events if e.at is not None]
        header["study_date_time"] = report.started or (min(times, key=_sort_key) if times else None)
    accumulated = report.accumulated
    if not report.events and accumulated.total_dap_gy_m2 is None and report.stated_total_dlp_mgy_cm is None and (
            not accumulated.agd_mgy):
        raise DoseReadError(f"The {name} has no irradiation events and states no accumulated dose: there is "
                            "nothing to record.")
    if accumulated.agd_mgy and not any(e.agd_mgy is not None for e in report.events):
        notes.warn("The report states accumulated average glandular dose but no event carries its own.")
    fields: dict[str, Any] = {
        **header,
        "sop_instance_uid": sop_instance_uid,
        "sop_class_uid": sop_class,
        "object_kind": ObjectKind.RDSR if sop_class == sop.XRAY_RADIATION_DOSE_SR else ObjectKind.ENHANCED_SR,
        "study_instance_uid": study_uid,
        "modality": report.modality,
        "events": tuple(report.events),
        "stated_total_dlp_mgy_cm": report.stated_total_dlp_mgy_cm,
        "stated_total_dap_gy_m2": accumulated.total_dap_gy_m2,
        "stated_fluoro_dap_gy_m2": accumulated.fluoro_dap_gy_m2,
        "stated_acquisition_dap_gy_m2": accumulated.acquisition_dap_gy_m2,
        "stated_total_rp_dose_gy": accumulated.total_rp_dose_gy,
        "stated_fluoro_time_s": accumulated.fluoro_time_s,
        "stated_acquisition_time_s": accumulated.acquisition_time_s,
        # Offered when DoseReport has them (requested): the accumulated AGD per breast as the report states it.
        "stated_agd_left_mgy": accumulated.agd_mgy.get("L"),
        "stated_agd_right_mgy": accumulated.agd_mgy.get("R"),
        "warnings": notes.warnings,
    }
    return DoseReport(**{k: v for k, v in fields.items() if k in REPORT_FIELDS})


def _sort_key(value: Any) -> Any:
    return value.replace(tzinfo=None)


def _radiopharmaceutical(nodes: Any, sop_class: str, sop_instance_uid: str, study_uid: str,
                         header: dict[str, Any], notes: Notes, name: str) -> DoseReport:
    report = read_radiopharmaceutical_report(nodes, sop_instance_uid, notes)
    if not study_uid:
        raise DoseReadError(f"The {name} has no Study Instance UID (0020,000D).")
    if header["study_date_time"] is None:
        times = [e.at for e in report.events if e.at is not None]
        header["study_date_time"] = min(times, key=_sort_key) if times else None
    return DoseReport(
        **header,
        sop_instance_uid=sop_instance_uid,
        sop_class_uid=sop_class,
        object_kind=ObjectKind.RRDSR,
        study_instance_uid=study_uid,
        modality="NM",
        events=tuple(report.events),
        radionuclide=report.radionuclide,
        administered_activity_mbq=report.administered_activity_mbq,
        warnings=notes.warnings,
    )


def _read_image(ds: Dataset, sop_class: str, name: str, decode: Decode) -> DoseReport:
    notes = Notes()
    modality = text(ds, MODALITY).upper()
    default = sop.DOSE_IMAGES[sop_class]
    if modality not in IMAGE_MODALITIES:
        if modality:
            notes.warn(f"The image's Modality is {modality!r}; read as {default} from its SOP class.")
        modality = default
    sop_instance_uid, study_uid = _uids(ds, name)
    if not study_uid:
        raise DoseReadError(f"The {name} has no Study Instance UID (0020,000D).")
    header = _header(ds, decode)
    found = read_image_header(ds, modality=modality, sop_instance_uid=sop_instance_uid, notes=notes, decode=decode,
                              object_name=name)
    if header["study_date_time"] is None:
        header["study_date_time"] = found.event.at
    return DoseReport(
        **header,
        sop_instance_uid=sop_instance_uid,
        sop_class_uid=sop_class,
        object_kind=ObjectKind.IMAGE,
        study_instance_uid=study_uid,
        modality=modality,
        events=(found.event,),
        warnings=notes.warnings,
    )
