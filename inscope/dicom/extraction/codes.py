"""The coded concepts the dose reader looks for, as (coding scheme, code value): DICOM PS3.16 TID 10001-10003
(projection X-ray), TID 10011 (CT), TID 10021-10022 (radiopharmaceutical). Codes are matched, never meanings;
where a concept moved from SNOMED RT (SRT) to SNOMED CT (SCT) both are listed."""

from __future__ import annotations

Code = tuple[str, str]


def dcm(value: str) -> Code:
    return ("DCM", value)


# Document titles
XRAY_DOSE_REPORT = dcm("113701")
RADIOPHARMACEUTICAL_DOSE_REPORT = dcm("113500")

# Report context
PROCEDURE_REPORTED = dcm("121058")
ACQUISITION_DEVICE_TYPE = dcm("122142")
DEVICE_OBSERVER_NAME = dcm("121013")
DEVICE_OBSERVER_MANUFACTURER = dcm("121014")
DEVICE_OBSERVER_MODEL = dcm("121015")
DEVICE_OBSERVER_SERIAL = dcm("121016")
SCOPE_OF_ACCUMULATION = dcm("113705")
STUDY_INSTANCE_UID = dcm("110180")
START_OF_IRRADIATION = dcm("113809")

CT_PROCEDURES = frozenset({("SRT", "P5-08000"), ("SCT", "77477000")})
MAMMOGRAPHY_PROCEDURES = frozenset({("SRT", "P5-40010"), ("SCT", "71651007")})
FLUOROSCOPY_DEVICE = dcm("113957")  # Fluoroscopy-Guided Projection Radiography System
CASSETTE_DEVICE = dcm("113956")  # Cassette-based Projection Radiography System

# CT (TID 10011-10014)
CT_ACCUMULATED = dcm("113811")
TOTAL_EVENTS = dcm("113812")
CT_DLP_TOTAL = dcm("113813")
CT_ACQUISITION = dcm("113819")
CT_ACQUISITION_PARAMETERS = dcm("113822")
CT_SOURCE_PARAMETERS = dcm("113831")
CT_DOSE = dcm("113829")
MEAN_CTDIVOL = dcm("113830")
DLP = dcm("113838")
PHANTOM_TYPE = dcm("113835")
SCANNING_LENGTH = dcm("113825")
CT_EXPOSURE_TIME = dcm("113824")
DOSE_CHECK_ALERT = dcm("113900")
DOSE_CHECK_NOTIFICATION = dcm("113908")
PHANTOMS = {dcm("113690"): "head 16 cm", dcm("113691"): "body 32 cm", dcm("113692"): "NEMA XR21-2000"}

# Projection X-ray (TID 10001-10003)
XRAY_ACCUMULATED = dcm("113702")
XRAY_EVENT = dcm("113706")
DAP_TOTAL = dcm("113722")
RP_DOSE_TOTAL = dcm("113725")
FLUORO_DAP_TOTAL = dcm("113726")
ACQUISITION_DAP_TOTAL = dcm("113727")
FLUORO_RP_DOSE_TOTAL = dcm("113728")
ACQUISITION_RP_DOSE_TOTAL = dcm("113729")
TOTAL_FLUORO_TIME = dcm("113730")
TOTAL_ACQUISITION_TIME = dcm("113855")
ACCUMULATED_AGD = dcm("111637")
CALIBRATION = dcm("122505")

IRRADIATION_EVENT_UID = dcm("113769")
DATETIME_STARTED = dcm("111526")
EVENT_TYPE = dcm("113721")
ACQUISITION_PROTOCOL = dcm("125203")
TARGET_REGION = dcm("123014")
ANATOMICAL_STRUCTURE = frozenset({("SRT", "T-D0005"), ("SCT", "91723000")})
LATERALITY = frozenset({("SRT", "G-C171"), ("SCT", "272741003")})
IMAGE_VIEW = dcm("111031")
DAP = dcm("122130")
RP_DOSE = dcm("113738")
AGD = dcm("111631")
ENTRANCE_EXPOSURE = dcm("111636")
COMPRESSION_THICKNESS = dcm("111633")
ANODE_TARGET = dcm("111632")
KVP = dcm("113733")
TUBE_CURRENT = dcm("113734")
AVERAGE_TUBE_CURRENT = dcm("113767")
EXPOSURE_TIME = dcm("113824")
EXPOSURE_TIME_OLD = dcm("113735")
EXPOSURE = dcm("113736")
IRRADIATION_DURATION = dcm("113742")
XRAY_FILTERS = dcm("113771")
FILTER_MATERIAL = dcm("113757")

FLUOROSCOPY_EVENTS = frozenset({("SRT", "P5-06000"), ("SCT", "44491008")})
ACQUISITION_EVENTS = frozenset({dcm("113611"), dcm("113612"), dcm("113613")})  # stationary, stepping, rotational

LEFT = frozenset({("SRT", "G-A101"), ("SCT", "7771000"), ("SRT", "T-04030"), ("SCT", "80248007")})
RIGHT = frozenset({("SRT", "G-A100"), ("SCT", "24028007"), ("SRT", "T-04020"), ("SCT", "73056007")})
BOTH = frozenset({("SRT", "G-A102"), ("SCT", "51440002"), ("SRT", "T-04080"), ("SCT", "63762007")})

# Radiopharmaceutical (TID 10021-10022)
RADIOPHARMACEUTICAL_ADMINISTRATION = dcm("113502")
ADMINISTRATION_EVENT_UID = dcm("113503")
ADMINISTERED_ACTIVITY = dcm("113507")
RADIOPHARMACEUTICAL_START = dcm("123003")
RADIOPHARMACEUTICAL_AGENT = frozenset({("SCT", "349358000"), ("SRT", "F-61FDB")})
RADIONUCLIDE = frozenset({("SCT", "89457008"), ("SRT", "C-10072")})


def laterality(code: tuple[str, str, str] | None) -> str:
    """L, R or B from a laterality or breast code (by code, then by meaning), "" if none."""
    if code is None:
        return ""
    key = (code[0], code[1])
    if key in LEFT:
        return "L"
    if key in RIGHT:
        return "R"
    if key in BOTH:
        return "B"
    meaning = code[2].lower()
    if "left" in meaning and "right" in meaning or "both" in meaning or "bilateral" in meaning:
        return "B"
    if "left" in meaning:
        return "L"
    if "right" in meaning:
        return "R"
    return ""


_VIEWS = {
    "craniocaudal": "CC", "mediolateraloblique": "MLO", "mediolateral": "ML", "lateromedial": "LM",
    "lateromedialoblique": "LMO", "caudocranialfrombelow": "FB", "exaggeratedcraniocaudal": "XCC",
    "craniocaudalexaggeratedlaterally": "XCCL", "craniocaudalexaggeratedmedially": "XCCM",
    "superolateraltoinferomedialoblique": "SIO", "anteroposterior": "AP", "posteroanterior": "PA",
    "lateral": "LAT", "leftlateral": "LL", "rightlateral": "RL", "cleavage": "CV", "axillarytail": "AT",
}


def view(meaning: str) -> str:
    """The usual abbreviation of a view (CC, MLO, AP, ...) from its code meaning, else the meaning itself."""
    key = "".join(ch for ch in meaning.lower() if ch.isalpha())
    return _VIEWS.get(key, meaning.strip()[:60])


_MATERIALS = {
    "tungsten": "W", "molybdenum": "Mo", "rhodium": "Rh", "silver": "Ag", "aluminum": "Al", "aluminium": "Al",
    "copper": "Cu", "tin": "Sn", "niobium": "Nb", "europium": "Eu", "lead": "Pb", "titanium": "Ti",
    "wolfram": "W",
}


def material(meaning: str) -> str:
    """A chemical symbol from a material's name ("Tungsten or Tungsten compound", "MOLYBDENUM"), else the name."""
    words = meaning.strip().split()
    if not words:
        return ""
    return _MATERIALS.get(words[0].lower().strip(",;"), meaning.strip()[:30])


def _read_concepts() -> frozenset[Code]:
    """Every concept this module names: the content items the reader looks at (all others are skipped unread)."""
    found: set[Code] = set()
    for value in list(globals().values()):
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
            found.add(value)
        elif isinstance(value, frozenset | dict):
            found.update(v for v in value if isinstance(v, tuple) and len(v) == 2)
    return frozenset(found)


READ_CONCEPTS = _read_concepts()
