"""The SOP classes the dose reader knows, by UID (PS3.4 B.5)."""

from __future__ import annotations

XRAY_RADIATION_DOSE_SR = "1.2.840.10008.5.1.4.1.1.88.67"
RADIOPHARMACEUTICAL_RADIATION_DOSE_SR = "1.2.840.10008.5.1.4.1.1.88.68"
ENHANCED_SR = "1.2.840.10008.5.1.4.1.1.88.22"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34"
EXTENSIBLE_SR = "1.2.840.10008.5.1.4.1.1.88.35"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"

CR_IMAGE = "1.2.840.10008.5.1.4.1.1.1"
DX_IMAGE_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"
DX_IMAGE_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.1.1"
MG_IMAGE_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2"
MG_IMAGE_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.2.1"
INTRAORAL_IMAGE_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.3"
INTRAORAL_IMAGE_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.3.1"
XA_IMAGE = "1.2.840.10008.5.1.4.1.1.12.1"
ENHANCED_XA_IMAGE = "1.2.840.10008.5.1.4.1.1.12.1.1"
RF_IMAGE = "1.2.840.10008.5.1.4.1.1.12.2"
ENHANCED_XRF_IMAGE = "1.2.840.10008.5.1.4.1.1.12.2.1"
BREAST_TOMOSYNTHESIS_IMAGE = "1.2.840.10008.5.1.4.1.1.13.1.3"
BREAST_PROJECTION_PRESENTATION = "1.2.840.10008.5.1.4.1.1.13.1.4"
BREAST_PROJECTION_PROCESSING = "1.2.840.10008.5.1.4.1.1.13.1.5"

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2.1"
LEGACY_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2.2"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"

# Structured reports that may be dose reports: read when their document title says so.
SR_DOSE_REPORTS = frozenset({XRAY_RADIATION_DOSE_SR, RADIOPHARMACEUTICAL_RADIATION_DOSE_SR})
SR_MAYBE_DOSE = frozenset({ENHANCED_SR, COMPREHENSIVE_SR, COMPREHENSIVE_3D_SR, EXTENSIBLE_SR, BASIC_TEXT_SR})

# Images whose headers may carry dose attributes, with the modality each is usually sent as.
DOSE_IMAGES: dict[str, str] = {
    CR_IMAGE: "CR",
    DX_IMAGE_PRESENTATION: "DX",
    DX_IMAGE_PROCESSING: "DX",
    MG_IMAGE_PRESENTATION: "MG",
    MG_IMAGE_PROCESSING: "MG",
    INTRAORAL_IMAGE_PRESENTATION: "IO",
    INTRAORAL_IMAGE_PROCESSING: "IO",
    XA_IMAGE: "XA",
    ENHANCED_XA_IMAGE: "XA",
    RF_IMAGE: "RF",
    ENHANCED_XRF_IMAGE: "RF",
    BREAST_TOMOSYNTHESIS_IMAGE: "MG",
    BREAST_PROJECTION_PRESENTATION: "MG",
    BREAST_PROJECTION_PROCESSING: "MG",
}
CT_IMAGES = frozenset({CT_IMAGE, ENHANCED_CT_IMAGE, LEGACY_CT_IMAGE})

NAMES: dict[str, str] = {
    XRAY_RADIATION_DOSE_SR: "X-Ray Radiation Dose SR",
    RADIOPHARMACEUTICAL_RADIATION_DOSE_SR: "Radiopharmaceutical Radiation Dose SR",
    ENHANCED_SR: "Enhanced SR",
    COMPREHENSIVE_SR: "Comprehensive SR",
    COMPREHENSIVE_3D_SR: "Comprehensive 3D SR",
    EXTENSIBLE_SR: "Extensible SR",
    BASIC_TEXT_SR: "Basic Text SR",
    CR_IMAGE: "CR image",
    DX_IMAGE_PRESENTATION: "DX image",
    DX_IMAGE_PROCESSING: "DX image (for processing)",
    MG_IMAGE_PRESENTATION: "mammography image",
    MG_IMAGE_PROCESSING: "mammography image (for processing)",
    INTRAORAL_IMAGE_PRESENTATION: "intra-oral image",
    INTRAORAL_IMAGE_PROCESSING: "intra-oral image (for processing)",
    XA_IMAGE: "XA image",
    ENHANCED_XA_IMAGE: "enhanced XA image",
    RF_IMAGE: "RF image",
    ENHANCED_XRF_IMAGE: "enhanced XRF image",
    BREAST_TOMOSYNTHESIS_IMAGE: "breast tomosynthesis image",
    BREAST_PROJECTION_PRESENTATION: "breast projection image",
    BREAST_PROJECTION_PROCESSING: "breast projection image (for processing)",
    CT_IMAGE: "CT image",
    ENHANCED_CT_IMAGE: "enhanced CT image",
    LEGACY_CT_IMAGE: "legacy converted CT image",
    SECONDARY_CAPTURE: "secondary capture image",
}


def is_dose_sop_class(uid: str) -> bool:
    """Whether objects of this SOP class can carry dose that InScope reads (SR ones only if titled a dose report)."""
    uid = (uid or "").strip().rstrip("\x00")
    return uid in SR_DOSE_REPORTS or uid in SR_MAYBE_DOSE or uid in DOSE_IMAGES


def name(uid: str) -> str:
    return NAMES.get(uid, f"SOP class {uid}" if uid else "object with no SOP class")
