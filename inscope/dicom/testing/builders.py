"""Small, valid DICOM dose objects built in memory, for tests (no files from outside the project).

Each builder returns a ``pydicom.Dataset`` with the identifying attributes the import pipeline reads (SOP Instance
UID, Study Instance UID, accession number, patient, station, manufacturer, model, serial number, study date and
time, modality). ``to_bytes`` writes one as a DICOM Part 10 file (explicit VR little endian) and ``from_bytes``
reads it back.

The builders can express what real equipment gets wrong, so each quirk has a test:

- a number may be given as a float, a string written as is (``"1.5"`` in an integer field, ``"abc"``), a list
  (a multi-valued number), ``None`` (a NUM content item with no measured value) or ``EMPTY`` (its Measured Value
  Sequence is there but empty);
- a dict key that is left out leaves the content item out;
- unit codes can be overridden (``dap_unit="dGy.cm2"``), as can the SOP class and the document title;
- an event UID of ``None`` leaves the Irradiation Event UID out.

The SR content-item helpers (``code``, ``num``, ``text``, ``uidref``, ``code_item``, ``datetime_item``,
``container``) are public, so a test can build any content tree with ``sr_document``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydicom import dcmread
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filewriter import dcmwrite
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian

from inscope.dicom.extraction import sop
from inscope.lib.uids import new_uid

Concept = tuple[str, str, str]  # (code value, coding scheme designator, code meaning)


class _Empty:
    def __repr__(self) -> str:
        return "EMPTY"


EMPTY: Any = _Empty()  # a NUM item whose Measured Value Sequence is present but has no item
Number = float | int | str | Sequence[float | int | str] | None

STUDY_DATE = "20261128"
STUDY_TIME = "093000"


# --- Content items ------------------------------------------------------------------------------------------------


def code(value: str, scheme: str = "DCM", meaning: str = "") -> Dataset:
    """A code sequence item (Code Value, Coding Scheme Designator, Code Meaning)."""
    ds = Dataset()
    ds.CodeValue = value
    ds.CodingSchemeDesignator = scheme
    ds.CodeMeaning = meaning or value
    return ds


def _concept(concept: Concept | Dataset) -> Dataset:
    return concept if isinstance(concept, Dataset) else code(*concept)


def _item(relationship: str, value_type: str, concept: Concept | Dataset | None, children: Iterable[Dataset] = ()
          ) -> Dataset:
    ds = Dataset()
    ds.RelationshipType = relationship
    ds.ValueType = value_type
    if concept is not None:
        ds.ConceptNameCodeSequence = DicomSequence([_concept(concept)])
    kids = list(children)
    if kids:
        ds.ContentSequence = DicomSequence(kids)
    return ds


def ds_text(value: float | int | str) -> str:
    """A number as a DICOM decimal string (at most 16 characters); strings are written as given."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = repr(float(value))
    if len(text) > 16:
        text = f"{value:.10g}"
    return text


def num(concept: Concept | Dataset, value: Number, unit: str | Dataset, *, relationship: str = "CONTAINS",
        children: Iterable[Dataset] = (), empty_sequence: bool = False) -> Dataset:
    """A NUM content item. ``value=None`` leaves out the Measured Value Sequence (an item with no value);
    with ``empty_sequence=True`` the sequence is there but has no item."""
    ds = _item(relationship, "NUM", concept, children)
    if value is None or value is EMPTY:
        if empty_sequence or value is EMPTY:
            ds.MeasuredValueSequence = DicomSequence([])
        return ds
    measured = Dataset()
    set_number(measured, 0x0040A30A, value)
    measured.MeasurementUnitsCodeSequence = DicomSequence(
        [unit if isinstance(unit, Dataset) else code(unit, "UCUM", unit)])
    ds.MeasuredValueSequence = DicomSequence([measured])
    return ds


def text(concept: Concept | Dataset, value: str, *, relationship: str = "CONTAINS",
         children: Iterable[Dataset] = ()) -> Dataset:
    ds = _item(relationship, "TEXT", concept, children)
    ds.TextValue = value
    return ds


def uidref(concept: Concept | Dataset, value: str, *, relationship: str = "CONTAINS") -> Dataset:
    ds = _item(relationship, "UIDREF", concept)
    element = DataElement(0x0040A124, "UT", value)
    element.VR = "UI"  # written as given, even when it is not a valid UID (too long, say)
    ds[0x0040A124] = element
    return ds


def code_item(concept: Concept | Dataset, value: Concept | Dataset | None, *, relationship: str = "CONTAINS",
              children: Iterable[Dataset] = ()) -> Dataset:
    """A CODE content item; ``value=None`` gives an empty Concept Code Sequence (as some equipment sends)."""
    ds = _item(relationship, "CODE", concept, children)
    ds.ConceptCodeSequence = DicomSequence([] if value is None else [_concept(value)])
    return ds


def datetime_item(concept: Concept | Dataset, value: str, *, relationship: str = "CONTAINS") -> Dataset:
    ds = _item(relationship, "DATETIME", concept)
    ds.DateTime = value
    return ds


def container(concept: Concept | Dataset, children: Iterable[Dataset], *, relationship: str = "CONTAINS"
              ) -> Dataset:
    ds = _item(relationship, "CONTAINER", concept, children)
    ds.ContinuityOfContent = "SEPARATE"
    return ds


# --- Concepts used below -------------------------------------------------------------------------------------------

XRAY_DOSE_REPORT: Concept = ("113701", "DCM", "X-Ray Radiation Dose Report")
RADIOPHARMACEUTICAL_DOSE_REPORT: Concept = ("113500", "DCM", "Radiopharmaceutical Radiation Dose Report")
PROCEDURE_REPORTED: Concept = ("121058", "DCM", "Procedure reported")
CT_PROCEDURE: Concept = ("P5-08000", "SRT", "Computed Tomography X-Ray")
PROJECTION_PROCEDURE: Concept = ("113704", "DCM", "Projection X-Ray")
MAMMOGRAPHY_PROCEDURE: Concept = ("P5-40010", "SRT", "Mammography")
ACQUISITION_DEVICE_TYPE: Concept = ("122142", "DCM", "Acquisition Device Type")
DEVICE_TYPES: dict[str, Concept] = {
    "DX": ("113958", "DCM", "Integrated Projection Radiography System"),
    "CR": ("113956", "DCM", "Cassette-based Projection Radiography System"),
    "RF": ("113957", "DCM", "Fluoroscopy-Guided Projection Radiography System"),
    "XA": ("113957", "DCM", "Fluoroscopy-Guided Projection Radiography System"),
}
EVENT_TYPES: dict[str, Concept] = {
    "fluoroscopy": ("P5-06000", "SRT", "Fluoroscopy"),
    "acquisition": ("113611", "DCM", "Stationary Acquisition"),
    "projection": ("113611", "DCM", "Stationary Acquisition"),
    "rotational": ("113613", "DCM", "Rotational Acquisition"),
    "stepping": ("113612", "DCM", "Stepping Acquisition"),
}
PHANTOMS: dict[str, Concept] = {
    "body": ("113691", "DCM", "IEC Body Dosimetry Phantom"),
    "head": ("113690", "DCM", "IEC Head Dosimetry Phantom"),
}
CT_ACQUISITION_TYPES: dict[str, Concept] = {
    "spiral": ("P5-08001", "SRT", "Spiral Acquisition"),
    "sequenced": ("113804", "DCM", "Sequenced Acquisition"),
    "constant angle": ("113805", "DCM", "Constant Angle Acquisition"),
    "stationary": ("113806", "DCM", "Stationary Acquisition"),
}
LATERALITY_MODIFIER: Concept = ("G-C171", "SRT", "Laterality")
LATERALITIES: dict[str, Concept] = {
    "L": ("G-A101", "SRT", "Left"),
    "R": ("G-A100", "SRT", "Right"),
    "B": ("G-A102", "SRT", "Right and left"),
}
BREASTS: dict[str, Concept] = {
    "L": ("T-04030", "SRT", "Left breast"),
    "R": ("T-04020", "SRT", "Right breast"),
    "B": ("T-04080", "SRT", "Both breasts"),
}
VIEWS: dict[str, Concept] = {
    "CC": ("R-10242", "SRT", "cranio-caudal"),
    "MLO": ("R-10226", "SRT", "medio-lateral oblique"),
    "ML": ("R-10224", "SRT", "medio-lateral"),
    "LM": ("R-10228", "SRT", "latero-medial"),
    "AP": ("R-10206", "SRT", "antero-posterior"),
    "PA": ("R-10214", "SRT", "postero-anterior"),
    "LAT": ("R-10232", "SRT", "lateral"),
}
ANODES: dict[str, Concept] = {
    "W": ("C-164F9", "SRT", "Tungsten or Tungsten compound"),
    "MO": ("C-150F9", "SRT", "Molybdenum or Molybdenum compound"),
    "RH": ("C-167F9", "SRT", "Rhodium or Rhodium compound"),
}
FILTERS: dict[str, Concept] = {
    "AL": ("C-120F9", "SRT", "Aluminum or Aluminum compound"),
    "CU": ("C-127F9", "SRT", "Copper or Copper compound"),
    "MO": ("C-150F9", "SRT", "Molybdenum or Molybdenum compound"),
    "RH": ("C-167F9", "SRT", "Rhodium or Rhodium compound"),
    "AG": ("C-137F9", "SRT", "Silver or Silver compound"),
}
TARGET_REGIONS: dict[str, Concept] = {
    "Chest": ("T-D3000", "SRT", "Chest"),
    "Abdomen": ("T-D4000", "SRT", "Abdomen"),
    "Head": ("T-D1100", "SRT", "Head"),
    "Breast": ("T-04000", "SRT", "Breast"),
    "Entire body": ("T-D0010", "SRT", "Entire body"),
}


# --- Headers -------------------------------------------------------------------------------------------------------


def _header(ds: Dataset, *, sop_class: str, sop_uid: str | None, study_uid: str, modality: str, accession: str,
            patient_id: str, patient_name: str, station_name: str, station_ae: str, manufacturer: str,
            model: str, serial: str, study_date: str, study_time: str, series_uid: str | None = None) -> Dataset:
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid or new_uid()
    ds.StudyDate = study_date
    ds.StudyTime = study_time
    ds.ContentDate = study_date
    ds.ContentTime = study_time
    ds.AccessionNumber = accession
    ds.Modality = modality
    ds.Manufacturer = manufacturer
    ds.ReferringPhysicianName = ""
    ds.StationName = station_name
    ds.StudyDescription = ""
    ds.ManufacturerModelName = model
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.DeviceSerialNumber = serial
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid or new_uid()
    ds.StudyID = ""
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    if station_ae:
        ds.PerformedStationAETitle = station_ae
    return ds


def set_number(ds: Dataset, keyword_or_tag: str | int, value: float | int | str | Sequence[float | int | str]
               ) -> None:
    """Set a DS or IS attribute to a number written exactly as given, valid or not ("6.5" in an IS, "abc",
    several values), without pydicom checking or reformatting it (as equipment that breaks the standard would)."""
    tag = tag_for_keyword(keyword_or_tag) if isinstance(keyword_or_tag, str) else keyword_or_tag
    if tag is None:
        raise ValueError(f"No DICOM attribute called {keyword_or_tag!r}")
    if isinstance(value, str | int | float):
        written = ds_text(value)
    else:
        written = "\\".join(ds_text(v) for v in value)
    element = DataElement(tag, "UT", written)
    element.VR = dictionary_VR(tag)  # the value stays the text given; the writer writes it as it is
    ds[tag] = element


def _apply_extra(ds: Dataset, extra: Mapping[str, Any] | None) -> Dataset:
    """Set (or, with value ``...``, delete) attributes by keyword, e.g. ``{"ExposureTime": "6.5"}``: a DS or IS
    attribute given as a string or list is written as given (``set_number``)."""
    for keyword, value in (extra or {}).items():
        if value is ...:
            if keyword in ds:
                delattr(ds, keyword)
        elif isinstance(value, str | list | tuple) and dictionary_VR(keyword) in ("DS", "IS"):
            set_number(ds, keyword, value)
        else:
            setattr(ds, keyword, value)
    return ds


def sr_document(*, sop_class: str, title: Concept | Dataset, content: Iterable[Dataset], study_uid: str,
                template_id: str | None = None, sop_uid: str | None = None, accession: str = "",
                patient_id: str = "", patient_name: str = "", station_name: str = "", station_ae: str = "",
                manufacturer: str = "InScope Test", model: str = "Test model", serial: str = "SN0001",
                study_date: str = STUDY_DATE, study_time: str = STUDY_TIME, extra: Mapping[str, Any] | None = None
                ) -> Dataset:
    """A structured report with the given document title and content items."""
    ds = _header(Dataset(), sop_class=sop_class, sop_uid=sop_uid, study_uid=study_uid, modality="SR",
                 accession=accession, patient_id=patient_id, patient_name=patient_name, station_name=station_name,
                 station_ae=station_ae, manufacturer=manufacturer, model=model, serial=serial,
                 study_date=study_date, study_time=study_time)
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = DicomSequence([_concept(title)])
    ds.ContinuityOfContent = "SEPARATE"
    if template_id:
        template = Dataset()
        template.MappingResource = "DCMR"
        template.TemplateIdentifier = template_id
        ds.ContentTemplateSequence = DicomSequence([template])
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    ds.PerformedProcedureCodeSequence = DicomSequence([])
    ds.ReferencedPerformedProcedureStepSequence = DicomSequence([])
    ds.SoftwareVersions = "1"
    ds.ContentSequence = DicomSequence(list(content))
    return _apply_extra(ds, extra)


def _observer_context(*, manufacturer: str, model: str, serial: str, station_name: str, study_uid: str,
                      scope_study_uid: str | None) -> list[Dataset]:
    items = [
        code_item(("121005", "DCM", "Observer Type"), ("121007", "DCM", "Device"), relationship="HAS OBS CONTEXT"),
        uidref(("121012", "DCM", "Device Observer UID"), "1.2.826.0.1.3680043.10.1", relationship="HAS OBS CONTEXT"),
    ]
    if station_name:
        items.append(text(("121013", "DCM", "Device Observer Name"), station_name, relationship="HAS OBS CONTEXT"))
    items += [
        text(("121014", "DCM", "Device Observer Manufacturer"), manufacturer, relationship="HAS OBS CONTEXT"),
        text(("121015", "DCM", "Device Observer Model Name"), model, relationship="HAS OBS CONTEXT"),
        text(("121016", "DCM", "Device Observer Serial Number"), serial, relationship="HAS OBS CONTEXT"),
        code_item(("113705", "DCM", "Scope of Accumulation"), ("113014", "DCM", "Study"),
                  relationship="HAS OBS CONTEXT",
                  children=[uidref(("110180", "DCM", "Study Instance UID"), scope_study_uid or study_uid,
                                   relationship="HAS PROPERTIES")]),
    ]
    return items


# --- CT dose report -------------------------------------------------------------------------------------------------


def _region(event: Mapping[str, Any], default: str) -> list[Dataset]:
    """The Target Region item: a name or concept, ``None`` or "" for an empty code, ``...`` to leave it out."""
    region = event.get("target_region", default)
    if region is ...:
        return []
    if region is None or region == "":
        return [code_item(("123014", "DCM", "Target Region"), None)]
    concept = TARGET_REGIONS.get(region, ("T-D0010", "SRT", region)) if isinstance(region, str) else region
    return [code_item(("123014", "DCM", "Target Region"), concept)]


def _nums(event: Mapping[str, Any], items: Sequence[tuple[str, Concept, str]]) -> list[Dataset]:
    """NUM items for the keys the event has: (key, concept, unit); an event key ``<key>_unit`` overrides the
    unit (``dap_unit`` for ``dap_gy_m2``)."""
    found = []
    for key, concept, unit in items:
        if key in event:
            unit_key = key.split("_")[0] + "_unit"
            found.append(num(concept, event[key], event.get(unit_key, unit)))
    return found


def _ct_event(event: tuple[Any, ...] | Mapping[str, Any], *, dlp_unit: str, ctdi_unit: str) -> Dataset:
    if not isinstance(event, Mapping):
        uid, ctdivol, dlp = event
        event = {"uid": uid, "ctdivol": ctdivol, "dlp": dlp}
    children: list[Dataset] = []
    if "protocol" in event:
        children.append(text(("125203", "DCM", "Acquisition Protocol"), event["protocol"]))
    children += _region(event, "Chest")
    children.append(code_item(("113820", "DCM", "CT Acquisition Type"),
                              CT_ACQUISITION_TYPES[event.get("acquisition_type", "spiral")]))
    if event.get("uid") is not None:
        children.append(uidref(("113769", "DCM", "Irradiation Event UID"), event["uid"]))
    if "started" in event:
        children.append(datetime_item(("111526", "DCM", "DateTime Started"), event["started"]))
    source = [text(("113832", "DCM", "Identification of the X-Ray Source"), "A"), *_nums(event, [
        ("kvp", ("113733", "DCM", "KVP"), "kV"),
        ("tube_current_ma", ("113734", "DCM", "X-Ray Tube Current"), "mA"),
    ])]
    parameters = [*_nums(event, [
        ("exposure_time_s", ("113824", "DCM", "Exposure Time"), "s"),
        ("scanning_length_mm", ("113825", "DCM", "Scanning Length"), "mm"),
    ]), num(("113823", "DCM", "Number of X-Ray Sources"), 1, "{X-Ray sources}"),
        container(("113831", "DCM", "CT X-Ray Source Parameters"), source)]
    children.append(container(("113822", "DCM", "CT Acquisition Parameters"), parameters))
    if not event.get("no_dose"):
        dose = _nums(event, [("ctdivol", ("113830", "DCM", "Mean CTDIvol"), event.get("ctdi_unit", ctdi_unit))])
        phantom = event.get("phantom", "body")
        if phantom:
            dose.append(code_item(("113835", "DCM", "CTDIw Phantom Type"), PHANTOMS[phantom]))
        dose += _nums(event, [("dlp", ("113838", "DCM", "DLP"), dlp_unit)])
        children.append(container(("113829", "DCM", "CT Dose"), dose))
    return container(("113819", "DCM", "CT Acquisition"), children)


def ct_rdsr(*, study_uid: str, accession: str = "", events: Sequence[tuple[Any, ...] | Mapping[str, Any]] = (),
             total_dlp: Number = None, sop_uid: str | None = None, patient_id: str = "", patient_name: str = "",
             station_name: str = "CT1", station_ae: str = "", manufacturer: str = "InScope Test",
             model: str = "Test CT", serial: str = "CT0001", study_date: str = STUDY_DATE,
             study_time: str = STUDY_TIME, dlp_unit: str = "mGy.cm", ctdi_unit: str = "mGy",
             event_count: Number = ..., sop_class: str = sop.XRAY_RADIATION_DOSE_SR,  # type: ignore[assignment]
             title: Concept | Dataset = XRAY_DOSE_REPORT, scope_study_uid: str | None = None,
             extra: Mapping[str, Any] | None = None) -> Dataset:
    """An X-Ray Radiation Dose SR for CT (TID 10011).

    ``events``: ``(event_uid, ctdivol_mgy, dlp_mgy_cm)`` tuples, or dicts with the keys ``uid``, ``ctdivol``,
    ``dlp``, ``protocol``, ``target_region`` (a name, a concept, ``None`` for an empty code, ``...`` to leave it
    out), ``acquisition_type``, ``scanning_length_mm``, ``phantom`` ("body", "head" or None), ``kvp``,
    ``tube_current_ma``, ``exposure_time_s``, ``started`` (a DICOM DT), ``no_dose`` (leave out the CT Dose
    container, as GE does for localisers), ``dlp_unit``, ``ctdi_unit``. ``sop_class=sop.ENHANCED_SR`` makes a GE
    style "enhanced SR" dose report.
    """
    content: list[Dataset] = [
        code_item(PROCEDURE_REPORTED, CT_PROCEDURE, relationship="HAS CONCEPT MOD"),
        *_observer_context(manufacturer=manufacturer, model=model, serial=serial, station_name=station_name,
                           study_uid=study_uid, scope_study_uid=scope_study_uid),
    ]
    accumulated = [num(("113812", "DCM", "Total Number of Irradiation Events"),
                       len(events) if event_count is ... else event_count, "{events}")]
    if total_dlp is not None:
        accumulated.append(num(("113813", "DCM", "CT Dose Length Product Total"), total_dlp, dlp_unit))
    content.append(container(("113811", "DCM", "CT Accumulated Dose Data"), accumulated))
    content += [_ct_event(event, dlp_unit=dlp_unit, ctdi_unit=ctdi_unit) for event in events]
    content.append(code_item(("113854", "DCM", "Source of Dose Information"),
                             ("113856", "DCM", "Automated Data Collection")))
    return sr_document(sop_class=sop_class, title=title, content=content, study_uid=study_uid, template_id="10011",
                       sop_uid=sop_uid, accession=accession, patient_id=patient_id, patient_name=patient_name,
                       station_name=station_name, station_ae=station_ae, manufacturer=manufacturer, model=model,
                       serial=serial, study_date=study_date, study_time=study_time, extra=extra)


# --- Projection X-ray, fluoroscopy and mammography dose report ---------------------------------------------------


PROJECTION_NUMS: list[tuple[str, Concept, str]] = [
    ("dap_gy_m2", ("122130", "DCM", "Dose Area Product"), "Gy.m2"),
    ("rp_dose_gy", ("113738", "DCM", "Dose (RP)"), "Gy"),
    ("entrance_exposure_mgy", ("111636", "DCM", "Entrance Exposure at RP"), "mGy"),
    ("agd_mgy", ("111631", "DCM", "Average Glandular Dose"), "mGy"),
    ("kvp", ("113733", "DCM", "KVP"), "kV"),
    ("tube_current_ma", ("113734", "DCM", "X-Ray Tube Current"), "mA"),
    ("exposure_time_ms", ("113824", "DCM", "Exposure Time"), "ms"),
    ("exposure_uas", ("113736", "DCM", "Exposure"), "uA.s"),
    ("fluoro_time_s", ("113742", "DCM", "Irradiation Duration"), "s"),
]


def _projection_event(event: Mapping[str, Any], *, modality: str, dap_unit: str, rp_unit: str) -> Dataset:
    children: list[Dataset] = [
        code_item(("113764", "DCM", "Acquisition Plane"), _plane(event.get("plane", "single")),
                  relationship="HAS CONCEPT MOD"),
    ]
    if event.get("uid") is not None:
        children.append(uidref(("113769", "DCM", "Irradiation Event UID"), event["uid"]))
    if "started" in event:
        children.append(datetime_item(("111526", "DCM", "DateTime Started"), event["started"]))
    kind = event.get("kind", "fluoroscopy" if modality in ("RF", "XA") else "projection")
    if kind is not None:
        children.append(code_item(("113721", "DCM", "Irradiation Event Type"), EVENT_TYPES[kind]))
    if "protocol" in event:
        children.append(text(("125203", "DCM", "Acquisition Protocol"), event["protocol"]))
    if "laterality" in event:
        children.append(code_item(("T-D0005", "SRT", "Anatomical structure"), ("T-04000", "SRT", "Breast"),
                                  children=[code_item(LATERALITY_MODIFIER, LATERALITIES[event["laterality"]],
                                                      relationship="HAS CONCEPT MOD")]))
    if "view" in event:
        view = event["view"]
        children.append(code_item(("111031", "DCM", "Image View"),
                                  VIEWS.get(view, ("R-99999", "SRT", view)) if isinstance(view, str) else view))
    children += _region(event, "Breast" if modality == "MG" else "Chest")
    units = {"dap_gy_m2": dap_unit, "rp_dose_gy": rp_unit}
    children += _nums(event, [(key, concept, units.get(key, unit)) for key, concept, unit in PROJECTION_NUMS])
    if "anode" in event:
        children.append(code_item(("111632", "DCM", "Anode Target Material"), ANODES[event["anode"].upper()]))
    if "filter_material" in event:
        children.append(container(("113771", "DCM", "X-Ray Filters"), [
            code_item(("113772", "DCM", "X-Ray Filter Type"), ("111650", "DCM", "Strip filter")),
            code_item(("113757", "DCM", "X-Ray Filter Material"), FILTERS[event["filter_material"].upper()]),
        ]))
    children += _nums(event, [("compression_thickness_mm", ("111633", "DCM", "Compression Thickness"), "mm")])
    return container(("113706", "DCM", "Irradiation Event X-Ray Data"), children)


def _plane(plane: str) -> Concept:
    return {"single": ("113622", "DCM", "Single Plane"), "A": ("113620", "DCM", "Plane A"),
            "B": ("113621", "DCM", "Plane B")}[plane]


ACCUMULATED_ITEMS: dict[str, tuple[Concept, str]] = {
    "total_dap_gy_m2": (("113722", "DCM", "Dose Area Product Total"), "Gy.m2"),
    "fluoro_dap_gy_m2": (("113726", "DCM", "Fluoro Dose Area Product Total"), "Gy.m2"),
    "acquisition_dap_gy_m2": (("113727", "DCM", "Acquisition Dose Area Product Total"), "Gy.m2"),
    "total_rp_dose_gy": (("113725", "DCM", "Dose (RP) Total"), "Gy"),
    "fluoro_rp_dose_gy": (("113728", "DCM", "Fluoro Dose (RP) Total"), "Gy"),
    "acquisition_rp_dose_gy": (("113729", "DCM", "Acquisition Dose (RP) Total"), "Gy"),
    "fluoro_time_s": (("113730", "DCM", "Total Fluoro Time"), "s"),
    "acquisition_time_s": (("113855", "DCM", "Total Acquisition Time"), "s"),
}


def _accumulated(accumulated: Mapping[str, Any], *, dap_unit: str, rp_unit: str) -> Dataset:
    children: list[Dataset] = [code_item(("113764", "DCM", "Acquisition Plane"),
                                         _plane(accumulated.get("plane", "single")),
                                         relationship="HAS CONCEPT MOD")]
    for key, (concept, unit) in ACCUMULATED_ITEMS.items():
        if key in accumulated:
            if unit == "Gy.m2":
                unit = accumulated.get("dap_unit", dap_unit)
            elif unit == "Gy":
                unit = accumulated.get("rp_unit", rp_unit)
            children.append(num(concept, accumulated[key], unit))
    for key, side in (("agd_left_mgy", "L"), ("agd_right_mgy", "R"), ("agd_both_mgy", "B")):
        if key in accumulated:
            children.append(num(("111637", "DCM", "Accumulated Average Glandular Dose"), accumulated[key],
                                accumulated.get("agd_unit", "mGy"),
                                children=[code_item(LATERALITY_MODIFIER, BREASTS[side],
                                                    relationship="HAS CONCEPT MOD")]))
    return container(("113702", "DCM", "Accumulated X-Ray Dose Data"), children)


def projection_rdsr(*, study_uid: str, accession: str = "", modality: str = "DX",
                    events: Sequence[Mapping[str, Any]] = (),
                    accumulated: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
                    sop_uid: str | None = None, patient_id: str = "", patient_name: str = "",
                    station_name: str = "", station_ae: str = "", manufacturer: str = "InScope Test",
                    model: str = "", serial: str = "XR0001", study_date: str = STUDY_DATE,
                    study_time: str = STUDY_TIME, dap_unit: str = "Gy.m2", rp_unit: str = "Gy",
                    sop_class: str = sop.XRAY_RADIATION_DOSE_SR, title: Concept | Dataset = XRAY_DOSE_REPORT,
                    scope_study_uid: str | None = None, extra: Mapping[str, Any] | None = None) -> Dataset:
    """An X-Ray Radiation Dose SR for projection radiography, fluoroscopy or mammography (TID 10001-10003).

    ``events``: dicts with the keys ``uid``, ``kind`` ("fluoroscopy", "acquisition", "projection", "rotational",
    "stepping" or None to leave the event type out), ``dap_gy_m2``, ``rp_dose_gy``, ``fluoro_time_s`` (the
    irradiation duration), ``agd_mgy``, ``entrance_exposure_mgy``, ``compression_thickness_mm``, ``laterality``
    ("L", "R", "B"), ``view`` ("CC", "MLO", ...), ``kvp``, ``tube_current_ma``, ``exposure_time_ms``,
    ``exposure_uas``, ``anode`` ("W", "Mo", "Rh"), ``filter_material`` ("Al", "Cu", "Mo", "Rh", "Ag"),
    ``protocol``, ``target_region``, ``started``, ``plane`` ("single", "A", "B"), ``dap_unit``, ``rp_unit``,
    ``agd_unit``.
    ``accumulated``: a dict (or one per plane) with ``total_dap_gy_m2``, ``fluoro_dap_gy_m2``,
    ``acquisition_dap_gy_m2``, ``total_rp_dose_gy``, ``fluoro_rp_dose_gy``, ``acquisition_rp_dose_gy``,
    ``fluoro_time_s``, ``acquisition_time_s``, ``agd_left_mgy``, ``agd_right_mgy``, ``agd_both_mgy``, ``plane``.
    """
    procedure = MAMMOGRAPHY_PROCEDURE if modality == "MG" else PROJECTION_PROCEDURE
    content: list[Dataset] = [code_item(PROCEDURE_REPORTED, procedure, relationship="HAS CONCEPT MOD")]
    if modality in DEVICE_TYPES:
        content.append(code_item(ACQUISITION_DEVICE_TYPE, DEVICE_TYPES[modality], relationship="HAS CONCEPT MOD"))
    content += _observer_context(manufacturer=manufacturer, model=model or f"Test {modality}", serial=serial,
                                 station_name=station_name, study_uid=study_uid, scope_study_uid=scope_study_uid)
    if accumulated is not None:
        planes = [accumulated] if isinstance(accumulated, Mapping) else list(accumulated)
        content += [_accumulated(plane, dap_unit=dap_unit, rp_unit=rp_unit) for plane in planes]
    content += [_projection_event(event, modality=modality, dap_unit=dap_unit, rp_unit=rp_unit) for event in events]
    content.append(code_item(("113854", "DCM", "Source of Dose Information"),
                             ("113856", "DCM", "Automated Data Collection")))
    return sr_document(sop_class=sop_class, title=title, content=content, study_uid=study_uid, template_id="10001",
                       sop_uid=sop_uid, accession=accession, patient_id=patient_id, patient_name=patient_name,
                       station_name=station_name, station_ae=station_ae, manufacturer=manufacturer,
                       model=model or f"Test {modality}", serial=serial, study_date=study_date,
                       study_time=study_time, extra=extra)


# --- Radiopharmaceutical dose report ----------------------------------------------------------------------------


def rrdsr(*, study_uid: str, radionuclide: str = "Technetium-99m", agent: str = "Tc-99m medronate",
          activity_mbq: Any = 600.0, activity_unit: str = "MBq", event_uid: str | None = None,
          started: str = STUDY_DATE + STUDY_TIME, accession: str = "", sop_uid: str | None = None,
          patient_id: str = "", patient_name: str = "", station_name: str = "NM1", station_ae: str = "",
          manufacturer: str = "InScope Test", model: str = "Test dose calibrator", serial: str = "NM0001",
          study_date: str = STUDY_DATE, study_time: str = STUDY_TIME,
          extra: Mapping[str, Any] | None = None) -> Dataset:
    """A Radiopharmaceutical Radiation Dose SR (TID 10021) with one administration (``activity_mbq=...`` leaves
    the Administered activity item out)."""
    administration = [
        code_item(("349358000", "SCT", "Radiopharmaceutical agent"), ("C-B1038", "SRT", agent),
                  children=[code_item(("89457008", "SCT", "Radionuclide"), ("C-163A8", "SRT", radionuclide),
                                      relationship="HAS PROPERTIES")]),
        uidref(("113503", "DCM", "Radiopharmaceutical Administration Event UID"), event_uid or new_uid()),
        datetime_item(("123003", "DCM", "Radiopharmaceutical Start DateTime"), started),
    ]
    if activity_mbq is not ...:
        administration.append(num(("113507", "DCM", "Administered activity"), activity_mbq, activity_unit))
    content = [
        code_item(("363589002", "SCT", "Associated Procedure"), ("44136-0", "LN", "NM study"),
                  relationship="HAS CONCEPT MOD"),
        container(("113502", "DCM", "Radiopharmaceutical Administration"), administration),
    ]
    ds = sr_document(sop_class=sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR, title=RADIOPHARMACEUTICAL_DOSE_REPORT,
                     content=content, study_uid=study_uid, template_id="10021", sop_uid=sop_uid,
                     accession=accession, patient_id=patient_id, patient_name=patient_name,
                     station_name=station_name, station_ae=station_ae, manufacturer=manufacturer, model=model,
                     serial=serial, study_date=study_date, study_time=study_time, extra=extra)
    return ds


def non_dose_sr(*, study_uid: str, sop_uid: str | None = None, accession: str = "",
                title: Concept | Dataset = ("126000", "DCM", "Imaging Measurement Report"),
                template_id: str | None = "1500", sop_class: str = sop.COMPREHENSIVE_SR,
                extra: Mapping[str, Any] | None = None) -> Dataset:
    """A structured report that is not a dose report (a measurement report by default)."""
    content = [
        code_item(("121049", "DCM", "Language of Content Item and Descendants"), ("en", "RFC5646", "English"),
                  relationship="HAS CONCEPT MOD"),
        container(("126010", "DCM", "Imaging Measurements"), [
            num(("410668003", "SCT", "Length"), 12.5, "mm"),
        ]),
    ]
    return sr_document(sop_class=sop_class, title=title, content=content, study_uid=study_uid,
                       template_id=template_id, sop_uid=sop_uid, accession=accession, extra=extra)


# --- Image headers --------------------------------------------------------------------------------------------


def _image(ds: Dataset, *, pixels: bool) -> Dataset:
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    if pixels:
        ds.Rows = 1
        ds.Columns = 1
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.PixelData = b"\x00\x00"
    return ds


def dx_image(*, study_uid: str, sop_uid: str | None = None, dap_dgy_cm2: Number = None, kvp: Number = None,
             modality: str = "DX", accession: str = "", sop_class: str | None = None, patient_id: str = "",
             patient_name: str = "", station_name: str = "DX1", station_ae: str = "",
             manufacturer: str = "InScope Test", model: str = "Test DX", serial: str = "DX0001",
             study_date: str = STUDY_DATE, study_time: str = STUDY_TIME, acquisition_datetime: str | None = None,
             exposure_time_ms: Number = None, tube_current_ma: Number = None, exposure_mas: Number = None,
             exposure_uas: Number = None, entrance_dose_mgy: Number = None, body_part: str = "CHEST",
             view: str = "PA", protocol: str = "", pixels: bool = False,
             extra: Mapping[str, Any] | None = None) -> Dataset:
    """A DX, CR, PX, RF or XA image header with Image and Fluoroscopy Area Dose Product (0018,115E) in dGy·cm²."""
    ds = _header(Dataset(), sop_class=sop_class or sop.DX_IMAGE_PRESENTATION, sop_uid=sop_uid, study_uid=study_uid,
                 modality=modality, accession=accession, patient_id=patient_id, patient_name=patient_name,
                 station_name=station_name, station_ae=station_ae, manufacturer=manufacturer, model=model,
                 serial=serial, study_date=study_date, study_time=study_time)
    ds.AcquisitionDateTime = acquisition_datetime or f"{study_date}{study_time}"
    ds.BodyPartExamined = body_part
    ds.ViewPosition = view
    if protocol:
        ds.ProtocolName = protocol
    _numbers(ds, {
        "KVP": kvp, "ExposureTime": exposure_time_ms, "XRayTubeCurrent": tube_current_ma, "Exposure": exposure_mas,
        "ExposureInuAs": exposure_uas, "ImageAndFluoroscopyAreaDoseProduct": dap_dgy_cm2,
        "EntranceDoseInmGy": entrance_dose_mgy,
    })
    return _apply_extra(_image(ds, pixels=pixels), extra)


def _numbers(ds: Dataset, values: Mapping[str, Number]) -> None:
    for keyword, value in values.items():
        if value is not None:
            set_number(ds, keyword, value)


def mg_image(*, study_uid: str, sop_uid: str | None = None, organ_dose_dgy: Number = None,
             entrance_dose_mgy: Number = None, thickness_mm: Number = None, laterality: str = "L", view: str = "CC",
             kvp: Number = None, anode: str = "MOLYBDENUM", filter_material: str = "RHODIUM",
             exposure_time_ms: Number = None, tube_current_ma: Number = None, exposure_uas: Number = None,
             accession: str = "", sop_class: str | None = None, patient_id: str = "", patient_name: str = "",
             station_name: str = "MG1", station_ae: str = "", manufacturer: str = "InScope Test",
             model: str = "Test MG", serial: str = "MG0001", study_date: str = STUDY_DATE,
             study_time: str = STUDY_TIME, acquisition_datetime: str | None = None, pixels: bool = False,
             irradiation_event_uid: str | None = None, extra: Mapping[str, Any] | None = None) -> Dataset:
    """A digital mammography image header: Organ Dose (0040,0316) in dGy, Entrance Dose in mGy, Body Part
    Thickness, Image Laterality, View, Anode Target Material and Filter Material. Its Presentation Intent Type is
    FOR PROCESSING for the for-processing SOP class, else FOR PRESENTATION; ``irradiation_event_uid`` sets
    (0008,3010)."""
    sop_class = sop_class or sop.MG_IMAGE_PRESENTATION
    ds = _header(Dataset(), sop_class=sop_class, sop_uid=sop_uid, study_uid=study_uid,
                 modality="MG", accession=accession, patient_id=patient_id, patient_name=patient_name,
                 station_name=station_name, station_ae=station_ae, manufacturer=manufacturer, model=model,
                 serial=serial, study_date=study_date, study_time=study_time)
    ds.AcquisitionDateTime = acquisition_datetime or f"{study_date}{study_time}"
    ds.PresentationIntentType = "FOR PROCESSING" if sop_class == sop.MG_IMAGE_PROCESSING else "FOR PRESENTATION"
    if irradiation_event_uid is not None:
        ds.IrradiationEventUID = irradiation_event_uid
    ds.BodyPartExamined = "BREAST"
    ds.ImageLaterality = laterality
    ds.ViewPosition = view
    if view in VIEWS:
        ds.ViewCodeSequence = DicomSequence([code(*VIEWS[view])])
    if anode:
        ds.AnodeTargetMaterial = anode
    if filter_material:
        ds.FilterMaterial = filter_material
    _numbers(ds, {
        "KVP": kvp, "ExposureTime": exposure_time_ms, "XRayTubeCurrent": tube_current_ma,
        "ExposureInuAs": exposure_uas, "OrganDose": organ_dose_dgy, "EntranceDoseInmGy": entrance_dose_mgy,
        "BodyPartThickness": thickness_mm,
    })
    if organ_dose_dgy is not None:
        ds.OrganExposed = "BREAST"
    return _apply_extra(_image(ds, pixels=pixels), extra)


def ct_image(*, study_uid: str, sop_uid: str | None = None, ctdivol_mgy: Number = None, accession: str = "",
             extra: Mapping[str, Any] | None = None) -> Dataset:
    """A CT image header (InScope reads CT dose from the dose report, so this is not a dose object)."""
    ds = _header(Dataset(), sop_class=sop.CT_IMAGE, sop_uid=sop_uid, study_uid=study_uid, modality="CT",
                 accession=accession, patient_id="", patient_name="", station_name="CT1", station_ae="",
                 manufacturer="InScope Test", model="Test CT", serial="CT0001", study_date=STUDY_DATE,
                 study_time=STUDY_TIME)
    _numbers(ds, {"CTDIvol": ctdivol_mgy})
    return _apply_extra(_image(ds, pixels=True), extra)


# --- Files ------------------------------------------------------------------------------------------------------


def to_bytes(ds: Dataset, *, transfer_syntax: str = ExplicitVRLittleEndian, undefined_lengths: bool = False) -> bytes:
    """The dataset as a DICOM Part 10 file (preamble, file meta; explicit VR little endian unless another transfer
    syntax is given). With ``undefined_lengths`` every sequence and item is written with undefined length and
    delimiters, as some equipment does (pydicom then parses those sequences as it reads the file)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = UID(transfer_syntax)
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    if undefined_lengths:
        for element in ds.iterall():
            if element.VR == "SQ":
                element.is_undefined_length = True
                for item in element.value:
                    item.is_undefined_length_sequence_item = True
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def from_bytes(data: bytes) -> Dataset:
    return dcmread(io.BytesIO(data), force=True)
