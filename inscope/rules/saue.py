"""Screening a study for a possible significant accidental or unintended exposure (SAUE, IR(ME)R 2017 regulation 8).

The thresholds come from the CQC notification criteria as recorded in ``saue_thresholds.yaml`` (parsed by the
caller and passed to ``thresholds_from``). Screening only finds studies for the radiation protection supervisor
to look at: it never decides whether an exposure was a SAUE or whether it is notifiable.

The criteria screen what a dose report can show:

- ``drl-multiple``: a dose at or above 10 × the DRL, the DRL standing in for the intended dose. For an
  interventional study (RF, XA) this is CQC code 3 (10 × the local DRL); otherwise the wording of code 2.2
  (10 × the intended dose, for an intended dose between 0.3 and 2.5 mSv), with the band's edges shown.
- ``ct-drl-multiple``: a CT dose at or above 2.5 × the DRL, the multiple of code 2.4 (intended dose over 10 mSv).
- ``wrong-patient``: the dose report names another patient (an accidental exposure, code 1).
- ``wrong-body-part``: the body part examined is not the protocol's region (an unintended exposure).
- ``repeat-exposures``: a view repeated (same view, laterality and protocol more than once), for the local record.
- ``skin-dose``: a reference-point dose at or above 2 Gy, where skin reactions become possible (tissue reactions).

The published criteria do not say whether a band's edges belong to the band below or above, so a finding shows the
edges and says so rather than deciding. Comparisons are made at nine decimal places, so a ratio that is exactly
the threshold but carries floating-point noise is not missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INTERVENTIONAL_MODALITIES = frozenset({"RF", "XA"})
BOUNDARY_NOT_STATED = "boundary not stated by the source: shown, not decided"
# The skin-dose screening level: about 2 Gy is where the earliest skin reaction (transient erythema) can appear
# (ICRP Publication 85). The CQC criterion itself names no dose: "observable tissue reactions".
SKIN_DOSE_GY = 2.0
REPEATED_VIEWS = 1  # this many repeated views or more opens a review item for the local record
PRECISION = 9


class ThresholdsError(ValueError):
    """The thresholds document lacks a criterion the screening needs; the message says which."""


@dataclass(frozen=True)
class Band:
    """An intended-dose band of the CQC codes 2.1 to 2.4, as published (mSv; None: open-ended)."""

    code: str
    lower: float | None
    upper: float | None
    unit: str
    description: str

    def text(self) -> str:
        edges = [f"{edge:g} {self.unit}" for edge in (self.lower, self.upper) if edge is not None]
        label = "edges" if len(edges) > 1 else "edge"
        return f"Code {self.code} band: {self.description} ({label} {' and '.join(edges)}); {BOUNDARY_NOT_STATED}"


@dataclass(frozen=True)
class Thresholds:
    """What screening compares against, read from the thresholds document plus two local screening levels."""

    accidental_code: str
    accidental_category: str
    accidental_adult_msv: float
    accidental_child_msv: float
    unintended_category: str
    drl_multiple: float  # code 2.2: at or above this multiple of the intended dose
    drl_band: Band
    ct_drl_multiple: float  # code 2.4
    ct_band: Band
    interventional_code: str
    interventional_category: str
    interventional_drl_multiple: float  # code 3: at or above this multiple of the local DRL
    tissue_category: str
    skin_dose_gy: float = SKIN_DOSE_GY
    repeated_views: int = REPEATED_VIEWS


@dataclass(frozen=True)
class RepeatedView:
    """A view made more than once in one study."""

    view: str
    laterality: str
    times: int

    def text(self) -> str:
        side = {"L": "left ", "R": "right ", "B": "both "}.get(self.laterality, "")
        return f"{side}{self.view} ×{self.times}"


@dataclass(frozen=True)
class StudyFacts:
    """What the dose report and the examination say about one study. None: not known."""

    modality: str
    interventional: bool = False
    drl_ratio: float | None = None
    drl_label: str = ""
    drl_scope: str = ""  # local, policy or national
    drl_quantity: str = ""
    drl_value: float | None = None  # in the quantity's stored unit
    total_dap_gy_m2: float | None = None
    total_dlp_mgy_cm: float | None = None
    max_ctdivol_mgy: float | None = None
    total_rp_dose_gy: float | None = None
    fluoro_time_s: float | None = None
    event_count: int = 0
    repeated_views: tuple[RepeatedView, ...] = ()
    patient_matches: bool | None = None
    reported_patient: str = ""  # as the dose report names the patient, e.g. "ID 9434765919, SMITH^Alex"
    body_part_matches: bool | None = None
    reported_body_part: str = ""
    protocol_region: str = ""
    patient_is_child: bool | None = None


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    value: float | int | str
    unit: str


@dataclass(frozen=True)
class Finding:
    """A criterion the study met, for a person to review (never a decision that it is a SAUE)."""

    criterion: str
    code: str | None
    category: str
    summary: str
    figures: tuple[Figure, ...]
    band: str = ""


# --- Reading the thresholds document ------------------------------------------------------------------------------


def _criterion(data: Mapping[str, Any], *, code: str | None = None, category: str | None = None,
               jurisdiction: str | None = None) -> Mapping[str, Any]:
    for item in data.get("criteria") or []:
        if not isinstance(item, Mapping):
            continue
        if code is not None and str(item.get("code")) != code:
            continue
        if category is not None and item.get("category") != category:
            continue
        if jurisdiction is not None and jurisdiction not in (item.get("jurisdictions") or [jurisdiction]):
            continue
        return item
    which = f"code {code}" if code is not None else f"category {category!r}"
    raise ThresholdsError(f"The SAUE thresholds document has no criterion with {which}.")


def _threshold(item: Mapping[str, Any], **match: str) -> float:
    for threshold in item.get("thresholds") or []:
        if isinstance(threshold, Mapping) and all(threshold.get(k) == v for k, v in match.items()):
            value = threshold.get("value")
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                if threshold.get("operator", ">=") != ">=":
                    raise ThresholdsError(f"Code {item.get('code')}: screening reads '>=' thresholds only.")
                return float(value)
    wanted = ", ".join(f"{k} {v}" for k, v in match.items())
    raise ThresholdsError(f"Code {item.get('code')} has no numeric threshold with {wanted}.")


def _band(item: Mapping[str, Any]) -> Band:
    band = item.get("intended_dose_band")
    if not isinstance(band, Mapping):
        raise ThresholdsError(f"Code {item.get('code')} has no intended-dose band.")
    lower, upper = band.get("lower"), band.get("upper")
    return Band(code=str(item.get("code")), lower=float(lower) if lower is not None else None,
                upper=float(upper) if upper is not None else None, unit=str(band.get("unit", "mSv")),
                description=str(band.get("description", "")))


def thresholds_from(data: Mapping[str, Any], *, skin_dose_gy: float = SKIN_DOSE_GY,
                    repeated_views: int = REPEATED_VIEWS) -> Thresholds:
    """Read the thresholds document (``saue_thresholds.yaml``, already parsed) for screening in England."""
    if data.get("schema_version") != 1:
        raise ThresholdsError("The SAUE thresholds document must have schema_version 1.")
    if repeated_views < 1:
        raise ThresholdsError("The repeated-view screening level must be at least 1.")
    accidental = _criterion(data, code="1", jurisdiction="england")
    code_22, code_24, code_3 = _criterion(data, code="2.2"), _criterion(data, code="2.4"), _criterion(data, code="3")
    tissue = _criterion(data, category="tissue reactions")
    return Thresholds(
        accidental_code="1",
        accidental_category=str(accidental.get("category")),
        accidental_adult_msv=_threshold(accidental, population="adult", quantity="effective_dose"),
        accidental_child_msv=_threshold(accidental, population="child", quantity="effective_dose"),
        unintended_category=str(code_22.get("category")),
        drl_multiple=_threshold(code_22, quantity="multiple_of_intended"),
        drl_band=_band(code_22),
        ct_drl_multiple=_threshold(code_24, quantity="multiple_of_intended"),
        ct_band=_band(code_24),
        interventional_code="3",
        interventional_category=str(code_3.get("category")),
        interventional_drl_multiple=_threshold(code_3, quantity="multiple_of_local_drl"),
        tissue_category=str(tissue.get("category")),
        skin_dose_gy=skin_dose_gy,
        repeated_views=repeated_views,
    )


# --- Screening ----------------------------------------------------------------------------------------------------

_DISPLAY = {  # stored unit -> what a person reads
    "dap": ("total_dap", "Total DAP", 1e4, "Gy·cm²"),
    "dlp": ("total_dlp", "Total DLP", 1.0, "mGy·cm"),
    "ctdivol": ("max_ctdivol", "Highest CTDIvol", 1.0, "mGy"),
    "agd": ("max_agd", "Highest AGD per view", 1.0, "mGy"),
    "activity": ("activity", "Administered activity", 1.0, "MBq"),
}


def _at_or_above(value: float, threshold: float) -> bool:
    return round(value, PRECISION) >= round(threshold, PRECISION)


def _sig(value: float) -> float:
    return float(f"{value:.4g}")


def _drl_figures(facts: StudyFacts, ratio: float, threshold: float) -> tuple[Figure, ...]:
    figures = [Figure("ratio_to_drl", "Dose as a multiple of the DRL", _sig(ratio), "× DRL"),
               Figure("screening_level", "Screening level (at or above)", threshold, "× DRL")]
    if facts.drl_quantity in _DISPLAY and facts.drl_value is not None:
        name, label, scale, unit = _DISPLAY[facts.drl_quantity]
        figures.append(Figure(name, label, _sig(facts.drl_value * ratio * scale), unit))
        figures.append(Figure("drl", "DRL", _sig(facts.drl_value * scale), unit))
    if facts.drl_label:
        figures.append(Figure("drl_used", "DRL used", facts.drl_label, ""))
    return tuple(figures)


def _totals(facts: StudyFacts) -> list[Figure]:
    found = []
    if facts.total_dap_gy_m2 is not None:
        found.append(Figure("total_dap", "Total DAP", _sig(facts.total_dap_gy_m2 * 1e4), "Gy·cm²"))
    if facts.total_rp_dose_gy is not None:
        found.append(Figure("total_rp_dose", "Reference-point dose", _sig(facts.total_rp_dose_gy), "Gy"))
    if facts.fluoro_time_s is not None:
        found.append(Figure("fluoro_time", "Fluoroscopy time", _sig(facts.fluoro_time_s), "s"))
    found.append(Figure("events", "Irradiation events", facts.event_count, ""))
    return found


def _which_drl(facts: StudyFacts) -> str:
    return {"local": "local DRL", "policy": "local DRL (policy)", "national": "national DRL"}.get(facts.drl_scope,
                                                                                                 "DRL")


def _drl_multiple(facts: StudyFacts, t: Thresholds) -> Finding | None:
    ratio = facts.drl_ratio
    if ratio is None:
        return None
    if facts.interventional:
        if not _at_or_above(ratio, t.interventional_drl_multiple):
            return None
        extra = "" if facts.drl_scope == "local" else " (no local DRL applied: CQC allows national DRLs instead)"
        summary = (f"{facts.modality} interventional study at {ratio:.3g} × the {_which_drl(facts)}{extra}: at or "
                   f"above {t.interventional_drl_multiple:g} × the local DRL, code {t.interventional_code}'s "
                   "criterion even with no procedural failure.")
        figures = _drl_figures(facts, ratio, t.interventional_drl_multiple) + tuple(_totals(facts))
        return Finding("drl-multiple", t.interventional_code, t.interventional_category, summary, figures)
    if not _at_or_above(ratio, t.drl_multiple):
        return None
    summary = (f"{facts.modality} study at {ratio:.3g} × the {_which_drl(facts)}, the DRL standing in for the "
               f"intended dose: at or above {t.drl_multiple:g} × the intended dose is code {t.drl_band.code}'s "
               f"criterion when the intended dose is in its band.")
    return Finding("drl-multiple", t.drl_band.code, t.unintended_category, summary,
                   _drl_figures(facts, ratio, t.drl_multiple), band=t.drl_band.text())


def _ct_drl_multiple(facts: StudyFacts, t: Thresholds) -> Finding | None:
    ratio = facts.drl_ratio
    if facts.modality != "CT" or ratio is None or not _at_or_above(ratio, t.ct_drl_multiple):
        return None
    summary = (f"CT study at {ratio:.3g} × the {_which_drl(facts)}, the DRL standing in for the intended "
               f"dose: at or above {t.ct_drl_multiple:g} × the intended dose is code {t.ct_band.code}'s criterion "
               "when the intended dose is more than 10 mSv.")
    return Finding("ct-drl-multiple", t.ct_band.code, t.unintended_category, summary,
                   _drl_figures(facts, ratio, t.ct_drl_multiple), band=t.ct_band.text())


def _wrong_patient(facts: StudyFacts, t: Thresholds) -> Finding | None:
    if facts.patient_matches is not False:
        return None
    who = f" ({facts.reported_patient})" if facts.reported_patient else ""
    summary = (f"The dose report names a different patient{who} from the examination's: a possible accidental "
               f"exposure (code {t.accidental_code}), or a wrongly linked report.")
    population = "age not known" if facts.patient_is_child is None else "child" if facts.patient_is_child else "adult"
    band = (f"Code {t.accidental_code} (England): effective dose at or above {t.accidental_adult_msv:g} mSv for an "
            f"adult, {t.accidental_child_msv:g} mSv for a child (this patient: {population}); effective dose is "
            "not estimated here")
    return Finding("wrong-patient", t.accidental_code, t.accidental_category, summary,
                   (Figure("reported_patient", "Patient in the dose report", facts.reported_patient or "not stated",
                           ""), *_totals(facts)), band=band)


def _wrong_body_part(facts: StudyFacts, t: Thresholds) -> Finding | None:
    if facts.body_part_matches is not False:
        return None
    summary = (f"The dose report's body part ({facts.reported_body_part or 'not stated'}) is not the protocol's "
               f"region ({facts.protocol_region or 'not stated'}): a possible unintended exposure of the wrong "
               "anatomy, or a wrongly linked report.")
    figures = (Figure("reported_body_part", "Body part in the dose report", facts.reported_body_part, ""),
               Figure("protocol_region", "Protocol's body region", facts.protocol_region, ""), *_totals(facts))
    return Finding("wrong-body-part", None, t.unintended_category, summary, figures)


def _repeats(facts: StudyFacts, t: Thresholds) -> Finding | None:
    repeated = sum(v.times - 1 for v in facts.repeated_views if v.times > 1)
    if repeated < t.repeated_views:
        return None
    views = ", ".join(v.text() for v in facts.repeated_views if v.times > 1)
    plural = "s" if repeated != 1 else ""
    summary = (f"{repeated} repeated exposure{plural} ({views}): record locally and review the reasons; the "
               "repeats count towards the incident's total exposure.")
    figures = (Figure("repeated_exposures", "Repeated exposures", repeated, ""),
               Figure("screening_level", "Screening level (at or above)", t.repeated_views, "repeated exposures"),
               Figure("repeated_views", "Views repeated", views, ""), *_totals(facts))
    return Finding("repeat-exposures", None, t.unintended_category, summary, figures)


def _skin_dose(facts: StudyFacts, t: Thresholds) -> Finding | None:
    dose = facts.total_rp_dose_gy
    if dose is None or not _at_or_above(dose, t.skin_dose_gy):
        return None
    summary = (f"Reference-point dose {dose:.3g} Gy: at or above {t.skin_dose_gy:g} Gy, where skin "
               "reactions become possible. Check the patient for tissue reactions; the criterion is an observed "
               "reaction, not a dose.")
    figures = (Figure("screening_level", "Screening level (at or above)", t.skin_dose_gy, "Gy"), *_totals(facts))
    return Finding("skin-dose", None, t.tissue_category, summary, figures)


SCREENS = (_drl_multiple, _ct_drl_multiple, _wrong_patient, _wrong_body_part, _repeats, _skin_dose)
CRITERIA = ("drl-multiple", "ct-drl-multiple", "wrong-patient", "wrong-body-part", "repeat-exposures", "skin-dose")


def screen(facts: StudyFacts, thresholds: Thresholds) -> list[Finding]:
    """Return every criterion the study meets, each for a person to review; an empty list when none is met."""
    return [finding for check in SCREENS if (finding := check(facts, thresholds)) is not None]


def repeated_views(views: Sequence[tuple[str, str, str]]) -> tuple[RepeatedView, ...]:
    """Return the views made more than once, from (view, laterality, protocol) per exposure; blank views skipped."""
    counts: dict[tuple[str, str, str], int] = {}
    shown: dict[tuple[str, str, str], str] = {}
    for view, laterality, protocol in views:
        if not view.strip():
            continue
        key = (view.strip().lower(), laterality.strip().upper(), protocol.strip().lower())
        counts[key] = counts.get(key, 0) + 1
        shown.setdefault(key, view.strip())
    return tuple(RepeatedView(shown[key], key[1], n) for key, n in counts.items() if n > 1)
