"""The dose API's request and response bodies. Every field is listed on purpose: nothing is "all fields".

Units: a study's figures are in the units their names say (DAP in Gy·m², as DICOM and the import's JSON lines
report it; DLP in mGy·cm; ...). The audit's figures are in the display unit each row names (DAP in Gy·cm²), as on the
audit page and in its exports. Patient identifiers are not returned: a study links to its examination.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from inscope.dose.models import SaueReview

# --- Studies ----------------------------------------------------------------------------------------------------------


class DrlComparisonOut(Schema):
    label: str = Field(description="The DRL used, with its version (national set, or local and effective date).")
    quantity: str = Field(description="dap, dlp, ctdivol, agd or activity")
    value: float = Field(description="The DRL in the quantity's stored unit (DAP Gy·m², DLP mGy·cm, mGy, MBq).")
    ratio: float | None = Field(description="The study's figure divided by the DRL.")
    exceeded: bool | None


class DoseStudySummaryOut(Schema):
    id: int
    study_instance_uid: str
    accession_number: str
    modality: str
    study_date_time: dt.datetime | None
    study_description: str
    examination_id: int | None = Field(description="The examination the dose is linked to; null when unlinked.")
    protocol_code: str | None = Field(description="The linked examination's protocol code.")
    room: str | None = Field(description="Room name, from the equipment's AE title or the examination.")
    station_ae_title: str
    source: str = Field(description="listener, import or manual")
    events: int = Field(description="Distinct irradiation events (each counted once, however often reported).")
    total_dlp_mgy_cm: float | None
    max_ctdivol_mgy: float | None
    total_dap_gy_m2: float | None
    total_rp_dose_gy: float | None
    agd_left_mgy: float | None
    agd_right_mgy: float | None
    administered_activity_mbq: float | None
    drl: DrlComparisonOut | None = Field(description="The stored DRL comparison; null when none was made.")
    drl_note: str = Field(description="Why no comparison was made, when none was.")


class SameExposureOut(Schema):
    sop_instance_uid: str
    rule: str = Field(description="irradiation-event-uid (same Irradiation Event UID) or same-exposure (same "
                                  "acquisition time, laterality, view and dose figures).")
    presentation_intent: str = Field(description="FOR PROCESSING, FOR PRESENTATION, or empty when not stated.")


class TotalSourceOut(Schema):
    source: str = Field(description="device: the device's accumulated total; events: the sum of the study's events.")
    note: str


class DoseEventOut(Schema):
    event_uid: str
    kind: str
    at: dt.datetime | None
    protocol: str
    target_region: str
    laterality: str
    view: str
    ctdivol_mgy: float | None
    dlp_mgy_cm: float | None
    scanning_length_mm: float | None
    phantom: str
    dap_gy_m2: float | None
    rp_dose_gy: float | None
    agd_mgy: float | None
    entrance_exposure_mgy: float | None
    compressed_thickness_mm: float | None
    kvp: float | None
    tube_current_ma: float | None
    exposure_time_s: float | None
    exposure_mas: float | None
    fluoro_time_s: float | None
    anode_target: str
    filter_material: str
    source_sop_instance_uid: str
    same_exposure: list[SameExposureOut] = Field(
        description="Other images that reported this same exposure and were not counted again.")


class DoseObjectOut(Schema):
    sop_instance_uid: str
    sop_class_uid: str
    object_kind: str
    events_in_object: int
    new_events: int
    recorded_at: dt.datetime


class DoseStudyOut(DoseStudySummaryOut):
    body_part: str
    station_name: str
    manufacturer: str
    model_name: str
    device_serial_number: str
    fluoro_dap_gy_m2: float | None
    acquisition_dap_gy_m2: float | None
    fluoro_time_s: float | None
    radionuclide: str
    warnings: list[str] = Field(description="What was corrected or could not be read in the dose reports.")
    device_totals: dict[str, float] = Field(
        description="The device's accumulated totals, by total field: the largest any of the study's objects stated.")
    total_sources: dict[str, TotalSourceOut] = Field(description="Where each total came from, by total field.")
    total_warnings: list[str] = Field(
        description="Where the device's total and the sum of the events differ by more than rounding (1 %, or half "
                    "a last digit per figure for small figures).")
    event_list: list[DoseEventOut]
    objects: list[DoseObjectOut] = Field(description="The DICOM objects the dose was taken from.")
    saue_review_ids: list[int]


DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


class StudiesQuery(Schema):
    date_from: dt.date | None = Field(default=None, description="First study day, YYYY-MM-DD (included).")
    date_to: dt.date | None = Field(default=None, description="Last study day, YYYY-MM-DD (included).")
    modality: str | None = None
    accession_number: str | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0)


class StudiesOut(Schema):
    count: int = Field(description="How many studies match, across all pages.")
    limit: int
    offset: int
    items: list[DoseStudySummaryOut]


# --- Audit ------------------------------------------------------------------------------------------------------------


class AuditQuery(Schema):
    date_from: dt.date | None = Field(default=None, description="YYYY-MM-DD; default 89 days before date_to.")
    date_to: dt.date | None = Field(default=None, description="YYYY-MM-DD, included; default today.")
    modality: str | None = None
    room: int | None = Field(default=None, description="Room id")
    protocol: str | None = Field(default=None, description="Protocol code, or the study description of unlinked "
                                                           "studies.")


class AuditRowOut(Schema):
    protocol: str
    protocol_name: str
    linked: bool = Field(description="False when grouped by study description (no linked examination).")
    room_id: int | None
    room: str
    modality: str
    source: Literal["report", "manual"] = Field(description="report: dose reports; manual: DAP typed in at "
                                                            "completion, no dose report received.")
    quantity: str
    unit: str = Field(description="The unit of median, p75 and drl_value.")
    n: int
    median: float | None
    p75: float | None
    drl_value: float | None
    drl_label: str
    ratio: float | None = Field(description="Median divided by the DRL.")
    median_above_drl: bool | None
    studies_above_drl: int
    indicative: bool = Field(description="Fewer studies than min_studies: percentiles are indicative only.")
    drl_versions: list[str]


class AuditOut(Schema):
    date_from: dt.date
    date_to: dt.date
    department: str | None
    generated_at: dt.datetime
    min_studies: int
    percentile_method: str
    drl_versions: list[str]
    rows: list[AuditRowOut]


# --- SAUE reviews -----------------------------------------------------------------------------------------------------


class SaueReviewOut(Schema):
    id: int
    study_id: int
    examination_id: int | None
    criterion: str
    code: str = Field(description="The CQC notification code the criterion points to; empty if none.")
    category: str
    summary: str
    figures: dict[str, Any] = Field(description="The numbers that met the criterion, with their units.")
    band: str = Field(description="The intended-dose band and its edges, as published.")
    status: str = Field(description="open or closed")
    opened_at: dt.datetime
    outcome: str
    outcome_note: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None


class SaueReviewsQuery(Schema):
    status: Literal["open", "closed"] | None = None


class SaueReviewsOut(Schema):
    count: int
    notice: str = Field(description="InScope never notifies a regulator; the employer decides and notifies.")
    items: list[SaueReviewOut]


class SaueOutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: SaueReview.Outcome
    note: str = Field(min_length=1, max_length=4000, description="What was looked at, found and done.")


# --- DRLs -------------------------------------------------------------------------------------------------------------


class DrlSetOut(Schema):
    id: int
    name: str
    source: str
    loaded_at: dt.datetime
    is_current: bool


class DrlOut(Schema):
    id: int
    scope: str = Field(description="national or local")
    status: str = Field(description="proposed, approved or withdrawn")
    drl_set_id: int | None
    modality: str
    examination: str
    detail: str
    protocol_code: str
    room: str | None
    station_ae_title: str
    quantity: str
    value: float = Field(description="In the quantity's stored unit: DAP Gy·m², DLP mGy·cm, CTDIvol/AGD mGy, MBq.")
    value_as_published: str
    population: str
    source: str
    year: int | None
    effective_from: dt.date
    effective_to: dt.date | None
    label: str
    proposed_by: str | None
    approved_by: str | None
    approved_at: dt.datetime | None


class ProtocolLinkOut(Schema):
    protocol_code: str
    reference_level_id: int
    created_by: str
    created_at: dt.datetime


class DrlsOut(Schema):
    sets: list[DrlSetOut]
    levels: list[DrlOut]
    links: list[ProtocolLinkOut]
