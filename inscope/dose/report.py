"""What a dose object says, in SI units, independent of how it was read (DICOM file, listener, MPPS, manual entry).

The DICOM reader (``inscope.dicom.extraction``) builds these; the dose service (``inscope.dose.services``) stores
them. Pure Python, so both sides and the tests share one definition.

Units: DAP in Gy·m², DLP in mGy·cm, CTDIvol in mGy, reference-point dose in Gy, AGD and entrance exposure in mGy,
activity in MBq, times in seconds, lengths and thicknesses in mm, tube current in mA, exposure in mAs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ObjectKind(StrEnum):
    """What kind of DICOM object the dose came from."""

    RDSR = "rdsr"  # X-Ray Radiation Dose SR
    ENHANCED_SR = "enhanced_sr"  # Enhanced/Comprehensive SR used as a dose report (e.g. GE CT)
    RRDSR = "rrdsr"  # Radiopharmaceutical Radiation Dose SR
    IMAGE = "image"  # dose attributes in an image header (DX, CR, MG, PX, RF)
    MANUAL = "manual"  # exposures typed in on completion (inscope.dose.services.manual)


class EventKind(StrEnum):
    CT = "ct"
    PROJECTION = "projection"  # radiography (DX, CR, PX) exposure
    FLUOROSCOPY = "fluoroscopy"
    ACQUISITION = "acquisition"  # fluoroscopy-suite acquisition (stationary or rotational)
    MAMMOGRAPHY = "mammography"
    RADIOPHARMACEUTICAL = "radiopharmaceutical"


@dataclass(frozen=True)
class IrradiationEvent:
    """One irradiation event, identified within its study by its Irradiation Event UID."""

    uid: str
    kind: EventKind
    at: dt.datetime | None = None
    protocol: str = ""
    target_region: str = ""
    laterality: str = ""  # L, R, B or ""
    view: str = ""
    ctdivol_mgy: float | None = None
    dlp_mgy_cm: float | None = None
    scanning_length_mm: float | None = None
    phantom: str = ""  # CTDI phantom: "head 16 cm" or "body 32 cm"
    dap_gy_m2: float | None = None
    rp_dose_gy: float | None = None
    agd_mgy: float | None = None
    entrance_exposure_mgy: float | None = None
    compressed_thickness_mm: float | None = None
    kvp: float | None = None
    tube_current_ma: float | None = None
    exposure_time_s: float | None = None
    exposure_mas: float | None = None
    fluoro_time_s: float | None = None
    anode_target: str = ""
    filter_material: str = ""
    presentation_intent: str = ""  # an image's Presentation Intent Type: FOR PROCESSING or FOR PRESENTATION


@dataclass(frozen=True)
class DoseReport:
    """The dose content of one DICOM object, with the study it belongs to."""

    sop_instance_uid: str
    sop_class_uid: str
    object_kind: ObjectKind
    study_instance_uid: str
    modality: str  # the study's modality as reported: CT, DX, CR, MG, PX, RF, XA, NM, PT
    events: tuple[IrradiationEvent, ...]
    accession_number: str = ""
    patient_id: str = ""
    patient_name: str = ""  # as DICOM writes it: FAMILY^Given
    study_date_time: dt.datetime | None = None
    study_description: str = ""
    body_part: str = ""
    station_name: str = ""
    station_ae_title: str = ""
    manufacturer: str = ""
    model_name: str = ""
    device_serial_number: str = ""
    # Totals as the object states them: the device's accumulated dose (TID 10002) and CT Dose Length Product Total
    # (TID 10012). A non-zero one is the study's total; the sum of the study's distinct events checks it
    # (inscope.dose.totals).
    stated_total_dlp_mgy_cm: float | None = None
    stated_total_dap_gy_m2: float | None = None
    stated_fluoro_dap_gy_m2: float | None = None
    stated_acquisition_dap_gy_m2: float | None = None
    stated_total_rp_dose_gy: float | None = None
    stated_fluoro_time_s: float | None = None
    stated_acquisition_time_s: float | None = None
    stated_agd_left_mgy: float | None = None  # accumulated average glandular dose per breast
    stated_agd_right_mgy: float | None = None
    radionuclide: str = ""
    administered_activity_mbq: float | None = None
    # What the reader had to correct or could not read (wrong units, decimals in integer fields, ...).
    warnings: tuple[str, ...] = field(default_factory=tuple)


class DoseReadError(Exception):
    """The object is a dose object but cannot be read; the message says what and where."""


class NotADoseObject(Exception):
    """The object carries no dose information (e.g. a structured report that is not a dose report)."""
