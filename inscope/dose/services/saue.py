"""SAUE screening of recorded studies, and the radiation protection supervisor's outcome on each review item.

``screen_study`` gathers the facts a dose report and its examination give (does the patient match, does the body
part match the protocol's region, which views were repeated) and opens a review item for each criterion the
rules (``inscope.rules.saue``) find met. It never notifies a regulator: whether an exposure was a SAUE, and whether
to notify, is the employer's decision, which ``record_saue_outcome`` records.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.dose.models import DoseStudy, SaueReview
from inscope.dose.report import EventKind
from inscope.exams.models import Examination
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.policy.services import document_for, in_force
from inscope.rules import saue as rules
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

SAUE_THRESHOLDS = Path(__file__).resolve().parent.parent / "reference" / "saue_thresholds.yaml"
CHILD_UNDER = 18  # years: the CQC codes' "child" is not defined in the source; under 18 is taken here
REPEAT_KINDS = (EventKind.PROJECTION, EventKind.MAMMOGRAPHY)  # CT sequences and fluoroscopy runs are not "views"

# DICOM Body Part Examined (PS3.16 Annex L) and words in a protocol's body region, as the regions they cover.
# Neighbours that equipment commonly records for each other (a wrist as HAND, a hip as PELVIS) are included, so
# the screening asks about a different body part, not a near one.
BODY_PARTS: dict[str, frozenset[str]] = {
    "HEAD": frozenset({"head"}), "SKULL": frozenset({"head"}), "BRAIN": frozenset({"head"}),
    "NECK": frozenset({"neck"}), "HEADNECK": frozenset({"head", "neck"}),
    "CHEST": frozenset({"chest"}), "THORAX": frozenset({"chest"}), "LUNG": frozenset({"chest"}),
    "RIB": frozenset({"chest"}), "RIBS": frozenset({"chest"}),
    "ABDOMEN": frozenset({"abdomen"}), "PELVIS": frozenset({"pelvis", "hip"}), "HIP": frozenset({"hip", "pelvis"}),
    "ABDOMENPELVIS": frozenset({"abdomen", "pelvis"}), "ABDPELV": frozenset({"abdomen", "pelvis"}),
    "CHESTABDOMEN": frozenset({"chest", "abdomen"}),
    "CHESTABDPELVIS": frozenset({"chest", "abdomen", "pelvis"}), "KIDNEY": frozenset({"abdomen"}),
    "CSPINE": frozenset({"cervical spine"}), "TSPINE": frozenset({"thoracic spine"}),
    "LSPINE": frozenset({"lumbar spine"}), "SSPINE": frozenset({"lumbar spine", "pelvis"}),
    "SHOULDER": frozenset({"shoulder"}), "CLAVICLE": frozenset({"shoulder"}), "ELBOW": frozenset({"elbow"}),
    "HAND": frozenset({"hand", "wrist"}), "FINGER": frozenset({"hand"}), "WRIST": frozenset({"wrist", "hand"}),
    "KNEE": frozenset({"knee"}), "ANKLE": frozenset({"ankle", "foot"}), "FOOT": frozenset({"foot", "ankle"}),
    "TOE": frozenset({"foot"}), "BREAST": frozenset({"breast"}),
}
REGION_WORDS: dict[str, str] = {
    "head": "head", "skull": "head", "brain": "head", "neck": "neck", "chest": "chest", "thorax": "chest",
    "abdomen": "abdomen", "abdo": "abdomen", "pelvis": "pelvis", "hip": "hip", "hips": "hip",
    "cervical spine": "cervical spine", "c spine": "cervical spine", "thoracic spine": "thoracic spine",
    "t spine": "thoracic spine", "lumbar spine": "lumbar spine", "l spine": "lumbar spine",
    "shoulder": "shoulder", "elbow": "elbow", "hand": "hand", "wrist": "wrist", "knee": "knee", "ankle": "ankle",
    "foot": "foot", "breast": "breast", "mammogram": "breast", "mammography": "breast",
}


@functools.lru_cache(maxsize=1)
def thresholds() -> rules.Thresholds:
    """The screening thresholds from the packaged copy of ``saue_thresholds.yaml``."""
    return rules.thresholds_from(yaml.safe_load(SAUE_THRESHOLDS.read_text(encoding="utf-8")))


# --- Facts ----------------------------------------------------------------------------------------------------------


def patient_matches(study: DoseStudy, exam: Examination | None) -> bool | None:
    """Whether the dose report's patient is the examination's: the Patient ID is the NHS number, or the family
    name is the same. None when there is no examination or the report names nobody."""
    if exam is None:
        return None
    patient_id = "".join(study.patient_id.split())
    family = study.patient_name.split("^")[0].strip().upper()
    if not patient_id and not family:
        return None
    if patient_id and patient_id == exam.patient.nhs_number:
        return True
    return bool(family) and family == exam.patient.family_name.strip().upper()


def _regions_in(text: str) -> set[str]:
    words = " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())
    return {region for word, region in REGION_WORDS.items() if re.search(rf"\b{word}\b", words)}


def protocol_regions(body_region: str) -> frozenset[str] | None:
    """The regions a protocol's body region names, or None when a part of it is not one InScope knows."""
    parts = [p.strip() for p in re.split(r",| and |/|&", body_region.lower()) if p.strip()]
    found = set()
    for part in parts:
        region = REGION_WORDS.get(" ".join(part.split()))
        if region is None:
            return None
        found.add(region)
    return frozenset(found) or None


def body_part_matches(body_part: str, description: str, body_region: str) -> bool | None:
    """Whether the body part the report names (else its study description) is the protocol's region.

    None when it cannot be told: no region, an unknown DICOM term, or a description naming no known region.
    """
    wanted = protocol_regions(body_region)
    if wanted is None:
        return None
    term = re.sub(r"[^A-Z]", "", body_part.upper())
    if term:
        covered = BODY_PARTS.get(term)
        return None if covered is None else bool(covered & wanted)
    named = _regions_in(description)
    if not named:
        return None
    neighbours = set().union(*(BODY_PARTS.get(r.upper().replace(" ", ""), frozenset({r})) for r in named))
    return bool(neighbours & wanted)


def _policy_region(exam: Examination) -> str:
    version = exam.policy_version or in_force(exam.department)
    if version is None:
        return ""
    entry = document_for(version).protocols.get(exam.protocol_code)
    return entry.rule.body_region if entry else ""


def _day(study: DoseStudy) -> dt.date:
    return timezone.localtime(study.study_date_time).date() if study.study_date_time else timezone.localdate()


def study_facts(study: DoseStudy) -> rules.StudyFacts:
    """What the screening rules read about a study, from its record, events and examination."""
    exam = (Examination.objects.select_related("patient", "department", "policy_version")
            .filter(pk=study.examination_id).first() if study.examination_id else None)
    views = study.events.filter(kind__in=REPEAT_KINDS).values_list("view", "laterality", "protocol")
    region = _policy_region(exam) if exam is not None else ""
    scope = ""
    if study.drl_ratio is not None:
        scope = study.reference_level.scope if study.reference_level_id and study.reference_level else "policy"
    reported = ", ".join(p for p in (f"ID {study.patient_id}" if study.patient_id else "", study.patient_name) if p)
    return rules.StudyFacts(
        modality=study.modality.upper(), interventional=study.modality.upper() in rules.INTERVENTIONAL_MODALITIES,
        drl_ratio=study.drl_ratio, drl_label=study.drl_label, drl_scope=scope, drl_quantity=study.drl_quantity,
        drl_value=study.drl_value, total_dap_gy_m2=study.total_dap_gy_m2, total_dlp_mgy_cm=study.total_dlp_mgy_cm,
        max_ctdivol_mgy=study.max_ctdivol_mgy, total_rp_dose_gy=study.total_rp_dose_gy,
        fluoro_time_s=study.fluoro_time_s, event_count=study.event_count,
        repeated_views=rules.repeated_views(list(views)),
        patient_matches=patient_matches(study, exam), reported_patient=reported,
        body_part_matches=body_part_matches(study.body_part, study.study_description, region) if exam else None,
        reported_body_part=study.body_part or study.study_description, protocol_region=region,
        patient_is_child=exam.patient.age_on(_day(study)) < CHILD_UNDER if exam else None,
    )


# --- Screening ------------------------------------------------------------------------------------------------------


def _figures(finding: rules.Finding) -> dict[str, Any]:
    return {f.name: {"value": f.value, "unit": f.unit, "label": f.label} for f in finding.figures}


def screen_study(study: DoseStudy, *, channel: str = "system") -> list[SaueReview]:
    """Open a review item for each SAUE criterion the study meets, or bring an open one's figures up to date.

    An item already decided is left as the supervisor closed it; what a later screening found is added to its
    audit history instead.
    """
    findings = rules.screen(study_facts(study), thresholds())
    if not findings:
        return []
    touched = []
    with transaction.atomic():
        existing = {r.criterion: r for r in SaueReview.objects.select_for_update().filter(study=study)}
        for finding in findings:
            values: dict[str, Any] = {
                "code": finding.code or "", "category": finding.category[:120], "summary": finding.summary[:400],
                "figures": _figures(finding), "band": finding.band[:200], "examination_id": study.examination_id,
            }
            review = existing.get(finding.criterion)
            if review is None:
                review = SaueReview.objects.create(study=study, criterion=finding.criterion, **values)
                record("dose.saue_review_opened", review, by=None, channel=channel, summary=review.summary,
                       detail={"criterion": review.criterion, "code": review.code, "figures": review.figures})
            elif review.status == SaueReview.Status.OPEN:
                changed = [name for name, value in values.items() if getattr(review, name) != value]
                if changed:
                    for name in changed:
                        setattr(review, name, values[name])
                    review.save(update_fields=changed)
                    record("dose.saue_review_updated", review, by=None, channel=channel,
                           summary=f"Screening updated: {review.summary}", detail={"changed": changed,
                                                                                  "figures": review.figures})
            elif review.figures != values["figures"]:
                record("dose.saue_rescreened_after_review", review, by=None, channel=channel,
                       summary=f"Screened again after the review: {finding.summary}",
                       detail={"figures": values["figures"]})
            touched.append(review)
    return touched


def record_saue_outcome(review: SaueReview, *, outcome: str, note: str, by: User,
                        channel: str = "web") -> SaueReview:
    """Record the supervisor's decision on a review item and close it. Never notifies anyone outside InScope."""
    if not can(by, Action.REVIEW_SAUE):
        raise NotAllowed("Only a radiation protection supervisor or medical physics expert can record the outcome.")
    if outcome not in SaueReview.Outcome.values:
        raise DomainError("Choose the outcome.", field="outcome")
    if not note.strip():
        raise DomainError("Explain the decision in the note.", field="note")
    with transaction.atomic():
        review = SaueReview.objects.select_for_update().get(pk=review.pk)
        if review.status != SaueReview.Status.OPEN:
            raise InvalidTransition("This review item is already closed with an outcome.")
        review.status, review.outcome, review.outcome_note = SaueReview.Status.CLOSED, outcome, note.strip()
        review.reviewed_by, review.reviewed_at = by, timezone.now()
        review.save(update_fields=["status", "outcome", "outcome_note", "reviewed_by", "reviewed_at"])
        record("dose.saue_reviewed", review, by=by, channel=channel,
               summary=f"SAUE review: {SaueReview.Outcome(outcome).label}",
               detail={"criterion": review.criterion, "outcome": outcome, "note": review.outcome_note})
    return review
