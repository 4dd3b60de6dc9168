"""Dose attributes in image headers (DX, CR, PX, IO, MG, RF, XA): each image is one irradiation event, identified by
its SOP Instance UID."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from pydicom.dataset import Dataset

from inscope.dicom.extraction import codes as c
from inscope.dicom.extraction.tree import Decode, get_element
from inscope.dicom.extraction.units import convert
from inscope.dicom.extraction.values import (
    BadNumber,
    Notes,
    binary_number,
    parse_date_time,
    parse_datetime,
    parse_number,
    text,
)
from inscope.dose.report import DoseReadError, EventKind, IrradiationEvent, NotADoseObject

DAP = (0x0018115E, "Image and Fluoroscopy Area Dose Product (0018,115E)")
ENTRANCE_DOSE_MGY = (0x00408302, "Entrance Dose in mGy (0040,8302)")
ENTRANCE_DOSE_DGY = (0x00400302, "Entrance Dose (0040,0302)")
ORGAN_DOSE = (0x00400316, "Organ Dose (0040,0316)")
KVP = (0x00180060, "KVP (0018,0060)")
TUBE_CURRENT = (0x00181151, "X-Ray Tube Current (0018,1151)")
TUBE_CURRENT_MA = (0x00189330, "X-Ray Tube Current in mA (0018,9330)")
TUBE_CURRENT_UA = (0x00188151, "X-Ray Tube Current in uA (0018,8151)")
EXPOSURE_TIME = (0x00181150, "Exposure Time (0018,1150)")
EXPOSURE_TIME_MS = (0x00189328, "Exposure Time in ms (0018,9328)")
EXPOSURE_TIME_US = (0x00188150, "Exposure Time in uS (0018,8150)")
EXPOSURE = (0x00181152, "Exposure (0018,1152)")
EXPOSURE_UAS = (0x00181153, "Exposure in uAs (0018,1153)")
EXPOSURE_MAS = (0x00189332, "Exposure in mAs (0018,9332)")
THICKNESS = (0x001811A0, "Body Part Thickness (0018,11A0)")
IMAGE_LATERALITY = 0x00200062
LATERALITY = 0x00200060
VIEW_POSITION = 0x00185101
VIEW_CODE_SEQUENCE = 0x00540220
ANODE = 0x00181191
FILTER_MATERIAL = 0x00187050
PROTOCOL_NAME = 0x00181030
SERIES_DESCRIPTION = 0x0008103E
BODY_PART = 0x00180015
ANATOMIC_REGION = 0x00082218
ACQUISITION_DATETIME = 0x0008002A
ACQUISITION_DATE = 0x00080022
ACQUISITION_TIME = 0x00080032
CONTENT_DATE = 0x00080023
CONTENT_TIME = 0x00080033
TIMEZONE_OFFSET = 0x00080201
IRRADIATION_EVENT_UID = 0x00083010
PRESENTATION_INTENT = 0x00080068
MAX_UID = 64


@dataclass
class HeaderDose:
    event: IrradiationEvent
    body_part: str


def _number(ds: Dataset, attribute: tuple[int, str], notes: Notes, *, dose: bool = False,
            integer: bool = False) -> float | None:
    tag, label = attribute
    try:
        value = parse_number(text(ds, tag), label, notes, integer=integer)
    except BadNumber as exc:
        if dose:
            raise DoseReadError(str(exc)) from None
        notes.warn(f"{exc}; left out.")
        return None
    if value is not None and dose and value < 0:
        raise DoseReadError(f"{label}: a dose cannot be negative ({value:g}).")
    return value


def _binary(ds: Dataset, attribute: tuple[int, str]) -> float | None:
    return binary_number(ds, attribute[0])


def _code_meaning(ds: Dataset, tag: int) -> str:
    """The meaning of the first item of a code sequence attribute, "" if absent or unreadable."""
    if get_element(ds, tag) is None:
        return ""
    try:
        items = ds[tag].value
        first = items[0] if items else None
        return str(first.get("CodeMeaning", "") or "").strip() if first is not None else ""
    except Exception:  # noqa: BLE001 - an unreadable code sequence counts as absent
        return ""


def _laterality(ds: Dataset) -> str:
    value = (text(ds, IMAGE_LATERALITY) or text(ds, LATERALITY)).upper()[:1]
    return value if value in ("L", "R", "B") else ""


def _event_uid(ds: Dataset, sop_instance_uid: str, notes: Notes) -> str:
    """The image's Irradiation Event UID when it names one exposure, so that every image of that exposure (for
    processing, for presentation) is one event; else the image's own SOP Instance UID."""
    uids = [part.strip("\x00 ") for part in text(ds, IRRADIATION_EVENT_UID).split("\\") if part.strip("\x00 ")]
    if len(uids) == 1 and len(uids[0]) <= MAX_UID:
        return uids[0]
    if len(uids) > 1:
        notes.warn(f"The image names {len(uids)} Irradiation Event UIDs (0008,3010): one image of several "
                   "exposures; it is counted as one event of its own.")
    elif uids:
        notes.warn(f"The image's Irradiation Event UID (0008,3010) is longer than {MAX_UID} characters; the image "
                   "is identified by its SOP Instance UID.")
    return sop_instance_uid


class Technique(NamedTuple):
    kvp: float | None
    tube_current_ma: float | None
    exposure_time_s: float | None
    exposure_mas: float | None


def _technique(ds: Dataset, notes: Notes) -> Technique:
    current = _number(ds, TUBE_CURRENT, notes, integer=True)
    if current is None:
        current = _binary(ds, TUBE_CURRENT_MA)
    if current is None:
        micro = _number(ds, TUBE_CURRENT_UA, notes)
        current = None if micro is None else micro / 1000
    time_ms = _number(ds, EXPOSURE_TIME, notes, integer=True)
    if time_ms is None:
        time_ms = _binary(ds, EXPOSURE_TIME_MS)
    if time_ms is None:
        micro = _number(ds, EXPOSURE_TIME_US, notes)
        time_ms = None if micro is None else micro / 1000
    exposure = _number(ds, EXPOSURE_UAS, notes, integer=True)
    if exposure is not None:
        exposure = convert(exposure, "uA.s", "mA.s")
    else:
        exposure = _binary(ds, EXPOSURE_MAS)
        if exposure is None:
            exposure = _number(ds, EXPOSURE, notes, integer=True)
    return Technique(kvp=_number(ds, KVP, notes), tube_current_ma=current,
                     exposure_time_s=None if time_ms is None else convert(time_ms, "ms", "s"), exposure_mas=exposure)


def read_image_header(ds: Dataset, *, modality: str, sop_instance_uid: str, notes: Notes, decode: Decode,
                      object_name: str) -> HeaderDose:
    """The irradiation event an image header describes. Raises NotADoseObject if it carries no dose attribute."""
    dap_dgy_cm2 = _number(ds, DAP, notes, dose=True)
    entrance_mgy = _number(ds, ENTRANCE_DOSE_MGY, notes, dose=True)
    if entrance_mgy is None:
        entrance_dgy = _binary(ds, ENTRANCE_DOSE_DGY)
        if entrance_dgy:  # a zero here means "not measured" (the attribute's resolution is 100 mGy)
            entrance_mgy = convert(entrance_dgy, "dGy", "mGy")
    agd_mgy = None
    if modality == "MG":
        organ_dose_dgy = _number(ds, ORGAN_DOSE, notes, dose=True)
        agd_mgy = None if organ_dose_dgy is None else convert(organ_dose_dgy, "dGy", "mGy")
    if dap_dgy_cm2 is None and entrance_mgy is None and agd_mgy is None:
        attributes = "Organ Dose (0040,0316), Entrance Dose" if modality == "MG" else (
            "Image and Fluoroscopy Area Dose Product (0018,115E), Entrance Dose")
        raise NotADoseObject(f"No dose attributes in the {modality} image header ({object_name}): it has no "
                             f"{attributes}.")
    offset = text(ds, TIMEZONE_OFFSET)
    at = parse_datetime(text(ds, ACQUISITION_DATETIME), offset) or parse_date_time(
        text(ds, ACQUISITION_DATE), text(ds, ACQUISITION_TIME), offset) or parse_date_time(
        text(ds, CONTENT_DATE), text(ds, CONTENT_TIME), offset)
    view = text(ds, VIEW_POSITION).split("\\")[0].strip() or c.view(_code_meaning(ds, VIEW_CODE_SEQUENCE))
    body_part = text(ds, BODY_PART, decode)[:64]
    target = _code_meaning(ds, ANATOMIC_REGION) or body_part.title()
    if modality == "MG":
        kind = EventKind.MAMMOGRAPHY
    elif modality in ("RF", "XA"):
        kind = EventKind.ACQUISITION
    else:
        kind = EventKind.PROJECTION
    filters = [c.material(part) for part in text(ds, FILTER_MATERIAL).split("\\") if part.strip()]
    event = IrradiationEvent(
        uid=_event_uid(ds, sop_instance_uid, notes),
        kind=kind,
        at=at,
        protocol=(text(ds, PROTOCOL_NAME, decode) or text(ds, SERIES_DESCRIPTION, decode))[:200],
        target_region=target[:100],
        laterality=_laterality(ds),
        view=view[:60],
        dap_gy_m2=None if dap_dgy_cm2 is None else convert(dap_dgy_cm2, "dGy.cm2", "Gy.m2"),
        agd_mgy=agd_mgy,
        entrance_exposure_mgy=entrance_mgy,
        compressed_thickness_mm=_number(ds, THICKNESS, notes) if modality == "MG" else None,
        anode_target=c.material(text(ds, ANODE).split("\\")[0]),
        filter_material="+".join(filters)[:30],
        presentation_intent=text(ds, PRESENTATION_INTENT).upper()[:20],
        **_technique(ds, notes)._asdict(),
    )
    return HeaderDose(event=event, body_part=body_part)
