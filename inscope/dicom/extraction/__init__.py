"""Reading dose out of DICOM objects, one pass per object, in SI units (``inscope.dose.report`` value types).

- ``read_dose(ds)``: the ``DoseReport`` of a pydicom dataset.
- ``read_dose_bytes(data)``: the same from encoded bytes (a Part 10 file or a bare dataset).

Both raise ``NotADoseObject`` (with the reason) for an object that carries no dose InScope reads, and
``DoseReadError`` (naming the content item or attribute and the problem) for a dose object that cannot be read;
nothing else. What the reader corrected (wrong units, decimals in integer fields, several values where one is
expected, missing Irradiation Event UIDs, ...) is listed in ``DoseReport.warnings``.

Objects read: X-Ray Radiation Dose SR (CT, projection X-ray, fluoroscopy, mammography), Enhanced and Comprehensive
SRs titled as X-ray dose reports (e.g. GE CT), Radiopharmaceutical Radiation Dose SR, and the dose attributes of
DX, CR, PX, IO, MG, RF and XA image headers. Every event has a UID stable across re-imports of the same object
(an image's is its SOP Instance UID; an event without one gets one derived from the SOP Instance UID and its
position). Date-times are naive (the equipment's local time) unless the object states a UTC offset.
"""

from inscope.dicom.extraction.reader import UnexpectedReadError, read_dose, read_dose_bytes
from inscope.dicom.extraction.sop import (
    COMPREHENSIVE_SR,
    DOSE_IMAGES,
    ENHANCED_SR,
    RADIOPHARMACEUTICAL_RADIATION_DOSE_SR,
    XRAY_RADIATION_DOSE_SR,
    is_dose_sop_class,
)
from inscope.dose.report import DoseReadError, DoseReport, NotADoseObject

__all__ = [
    "COMPREHENSIVE_SR",
    "DOSE_IMAGES",
    "ENHANCED_SR",
    "RADIOPHARMACEUTICAL_RADIATION_DOSE_SR",
    "XRAY_RADIATION_DOSE_SR",
    "DoseReadError",
    "DoseReport",
    "NotADoseObject",
    "UnexpectedReadError",
    "is_dose_sop_class",
    "read_dose",
    "read_dose_bytes",
]
