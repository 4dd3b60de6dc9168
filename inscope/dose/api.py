"""REST endpoints for dose: studies, the dose audit, SAUE review items (and their outcome) and the DRLs.

Mounted at /api/v1/dose/. Reading needs VIEW_DOSE_AUDIT; recording a SAUE outcome needs REVIEW_SAUE and goes
through the same service as the page. Errors are turned into responses in one place, inscope/api.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router

from inscope.department.models import Department
from inscope.dose.audit import MIN_STUDIES, AuditFilters, default_period, run_audit
from inscope.dose.exports import PERCENTILE_METHOD
from inscope.dose.models import (
    DoseObject,
    DoseStudy,
    DrlSet,
    IrradiationEventRecord,
    ProtocolDrlLink,
    ReferenceLevel,
    SaueReview,
)
from inscope.dose.schemas import (
    AuditOut,
    AuditQuery,
    DoseStudyOut,
    DrlsOut,
    SaueOutcomeIn,
    SaueReviewOut,
    SaueReviewsOut,
    SaueReviewsQuery,
    StudiesOut,
    StudiesQuery,
)
from inscope.dose.services import saue as saue_services
from inscope.dose.views.saue import NOT_A_NOTIFICATION, reviews
from inscope.exams.schemas import ErrorOut, ValidationErrorOut
from inscope.lib.errors import DomainError
from inscope.staff.models import User
from inscope.staff.permissions import Action, require

router = Router(tags=["Dose"])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                           422: ValidationErrorOut}


def _responses(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    table = {ok: schema, 401: ErrorOut}
    table.update({code: _ERRORS[code] for code in errors})
    return dict(sorted(table.items()))


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _reader(request: HttpRequest) -> User:
    user = _user(request)
    require(user, Action.VIEW_DOSE_AUDIT)
    return user


def _department(user: User) -> Department | None:
    return user.department or Department.objects.order_by("pk").first()


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


# --- Studies ----------------------------------------------------------------------------------------------------------


def study_summary(study: DoseStudy) -> dict[str, Any]:
    exam = study.examination
    room = study.room or (exam.room if exam else None)
    drl = None
    if study.drl_value is not None and study.drl_quantity:
        drl = {"label": study.drl_label, "quantity": study.drl_quantity, "value": study.drl_value,
               "ratio": study.drl_ratio, "exceeded": study.drl_exceeded}
    return {
        "id": study.pk,
        "study_instance_uid": study.study_instance_uid,
        "accession_number": study.accession_number,
        "modality": study.modality,
        "study_date_time": study.study_date_time,
        "study_description": study.study_description,
        "examination_id": study.examination_id,
        "protocol_code": exam.protocol_code if exam else None,
        "room": room.name if room else None,
        "station_ae_title": study.station_ae_title,
        "source": study.source,
        "events": study.event_count,
        "total_dlp_mgy_cm": study.total_dlp_mgy_cm,
        "max_ctdivol_mgy": study.max_ctdivol_mgy,
        "total_dap_gy_m2": study.total_dap_gy_m2,
        "total_rp_dose_gy": study.total_rp_dose_gy,
        "agd_left_mgy": study.agd_left_mgy,
        "agd_right_mgy": study.agd_right_mgy,
        "administered_activity_mbq": study.administered_activity_mbq,
        "drl": drl,
        "drl_note": study.drl_note,
    }


EVENT_FIELDS = (
    "event_uid", "kind", "at", "protocol", "target_region", "laterality", "view", "ctdivol_mgy", "dlp_mgy_cm",
    "scanning_length_mm", "phantom", "dap_gy_m2", "rp_dose_gy", "agd_mgy", "entrance_exposure_mgy",
    "compressed_thickness_mm", "kvp", "tube_current_ma", "exposure_time_s", "exposure_mas", "fluoro_time_s",
    "anode_target", "filter_material", "source_sop_instance_uid", "same_exposure",
)


def _event(event: IrradiationEventRecord) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def study_detail(study: DoseStudy) -> dict[str, Any]:
    return {
        **study_summary(study),
        "body_part": study.body_part,
        "station_name": study.station_name,
        "manufacturer": study.manufacturer,
        "model_name": study.model_name,
        "device_serial_number": study.device_serial_number,
        "fluoro_dap_gy_m2": study.fluoro_dap_gy_m2,
        "acquisition_dap_gy_m2": study.acquisition_dap_gy_m2,
        "fluoro_time_s": study.fluoro_time_s,
        "radionuclide": study.radionuclide,
        "warnings": [str(w) for w in study.warnings or []],
        "device_totals": study.device_totals,
        "total_sources": study.total_sources,
        "total_warnings": [str(w) for w in study.total_warnings or []],
        "event_list": [_event(e) for e in study.events.all()],
        "objects": [
            {"sop_instance_uid": o.sop_instance_uid, "sop_class_uid": o.sop_class_uid, "object_kind": o.object_kind,
             "events_in_object": o.events_in_object, "new_events": o.new_events, "recorded_at": o.recorded_at}
            for o in DoseObject.objects.filter(study=study).order_by("recorded_at", "id")
        ],
        "saue_review_ids": [r.pk for r in study.saue_reviews.all()],
    }


def _studies():
    return DoseStudy.objects.select_related("examination__room", "room")


@router.get("/studies", response=_responses(200, StudiesOut, 403, 422), operation_id="list_dose_studies",
            summary="Dose studies, newest first")
def list_studies(request: HttpRequest, filters: Query[StudiesQuery]):
    _reader(request)
    studies = _studies()
    if filters.date_from or filters.date_to:
        first, last = default_period()
        bounds = AuditFilters(start=filters.date_from or first, end=filters.date_to or last).bounds()
        studies = studies.filter(Q(study_date_time__gte=bounds[0], study_date_time__lt=bounds[1])
                                 | Q(study_date_time__isnull=True, created_at__gte=bounds[0],
                                     created_at__lt=bounds[1]))
    if filters.modality:
        studies = studies.filter(modality=filters.modality.upper())
    if filters.accession_number:
        studies = studies.filter(accession_number=filters.accession_number)
    studies = studies.order_by("-study_date_time", "-id")
    page = studies[filters.offset:filters.offset + filters.limit]
    return {"count": studies.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [study_summary(s) for s in page]}


@router.get("/studies/{study_id}", response=_responses(200, DoseStudyOut, 403, 404), operation_id="get_dose_study",
            summary="One dose study with its events, DRL comparison, warnings and source objects")
def get_study(request: HttpRequest, study_id: int):
    _reader(request)
    study = _studies().prefetch_related("events", "saue_reviews").filter(pk=study_id).first()
    if study is None:
        raise Http404("No such dose study.")
    return study_detail(study)


# --- Audit ------------------------------------------------------------------------------------------------------------


@router.get("/audit", response=_responses(200, AuditOut, 400, 403, 422), operation_id="dose_audit",
            summary="Per protocol and room: count, median and 75th percentile against the DRL")
def dose_audit(request: HttpRequest, query: Query[AuditQuery]):
    user = _reader(request)
    first, last = default_period()
    end = query.date_to or last
    start = query.date_from or (end - (last - first))
    if end < start:
        raise DomainError("date_to must be the same as or after date_from.", field="date_to")
    department = _department(user)
    audit = run_audit(AuditFilters(start=start, end=end, modality=(query.modality or "").upper(),
                                   room_id=query.room, protocol=query.protocol or "", department=department))
    return {
        "date_from": start,
        "date_to": end,
        "department": department.name if department else None,
        "generated_at": audit.generated_at,
        "min_studies": MIN_STUDIES,
        "percentile_method": PERCENTILE_METHOD,
        "drl_versions": audit.drl_versions,
        "rows": [
            {"protocol": r.protocol, "protocol_name": r.protocol_name, "linked": r.linked, "room_id": r.room_id,
             "room": r.room, "modality": r.modality, "source": r.source, "quantity": r.quantity, "unit": r.unit,
             "n": r.n, "median": r.median, "p75": r.p75, "drl_value": r.drl_value, "drl_label": r.drl_label,
             "ratio": r.ratio, "median_above_drl": r.exceeded, "studies_above_drl": r.above_drl,
             "indicative": r.indicative, "drl_versions": r.drl_versions}
            for r in audit.rows
        ],
    }


# --- SAUE reviews -----------------------------------------------------------------------------------------------------


def review_body(review: SaueReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "study_id": review.study_id,
        "examination_id": review.examination_id,
        "criterion": review.criterion,
        "code": review.code,
        "category": review.category,
        "summary": review.summary,
        "figures": review.figures or {},
        "band": review.band,
        "status": review.status,
        "opened_at": review.opened_at,
        "outcome": review.outcome,
        "outcome_note": review.outcome_note,
        "reviewed_by": _username(review.reviewed_by) if review.reviewed_by_id else None,
        "reviewed_at": review.reviewed_at,
    }


@router.get("/saue-reviews", response=_responses(200, SaueReviewsOut, 403, 422), operation_id="list_saue_reviews",
            summary="SAUE review items: open first (oldest first), then closed")
def list_reviews(request: HttpRequest, filters: Query[SaueReviewsQuery]):
    _reader(request)
    items = reviews()
    if filters.status:
        items = items.filter(status=filters.status)
    found = list(items)
    return {"count": len(found), "notice": NOT_A_NOTIFICATION, "items": [review_body(r) for r in found]}


@router.post("/saue-reviews/{review_id}/outcome", response=_responses(200, SaueReviewOut, 400, 403, 404, 409, 422),
             operation_id="record_saue_outcome",
             summary="Record the supervisor's decision on a SAUE review item (never notifies a regulator)")
def record_outcome(request: HttpRequest, review_id: int, payload: SaueOutcomeIn):
    user = _user(request)
    require(user, Action.REVIEW_SAUE)
    review = SaueReview.objects.filter(pk=review_id).first()
    if review is None:
        raise Http404("No such SAUE review item.")
    saue_services.record_saue_outcome(review, outcome=payload.outcome.value, note=payload.note.strip(), by=user,
                                      channel="api")
    return review_body(SaueReview.objects.select_related("reviewed_by").get(pk=review_id))


# --- DRLs -------------------------------------------------------------------------------------------------------------


def drl_body(level: ReferenceLevel) -> dict[str, Any]:
    return {
        "id": level.pk, "scope": level.scope, "status": level.status, "drl_set_id": level.drl_set_id,
        "modality": level.modality, "examination": level.examination, "detail": level.detail,
        "protocol_code": level.protocol_code, "room": level.room.name if level.room else None,
        "station_ae_title": level.station_ae_title, "quantity": level.quantity, "value": level.value,
        "value_as_published": level.value_as_published, "population": level.population, "source": level.source,
        "year": level.year, "effective_from": level.effective_from, "effective_to": level.effective_to,
        "label": level.label, "proposed_by": _username(level.proposed_by) if level.proposed_by_id else None,
        "approved_by": _username(level.approved_by) if level.approved_by_id else None,
        "approved_at": level.approved_at,
    }


@router.get("/drls", response=_responses(200, DrlsOut, 403), operation_id="list_drls",
            summary="National DRL sets and levels, local DRLs, and protocol links to national DRLs")
def list_drls(request: HttpRequest):
    user = _reader(request)
    department = _department(user)
    levels = ReferenceLevel.objects.select_related("drl_set", "room", "proposed_by", "approved_by").order_by(
        "scope", "modality", "examination", "quantity", "-effective_from", "id")
    links = ProtocolDrlLink.objects.select_related("created_by").order_by("protocol_code", "id")
    if department is not None:
        levels = levels.filter(Q(scope=ReferenceLevel.Scope.NATIONAL) | Q(department=department))
        links = links.filter(department=department)
    return {
        "sets": [{"id": s.pk, "name": s.name, "source": s.source, "loaded_at": s.loaded_at,
                  "is_current": s.is_current} for s in DrlSet.objects.all()],
        "levels": [drl_body(level) for level in levels],
        "links": [{"protocol_code": link.protocol_code, "reference_level_id": link.reference_level_id,
                   "created_by": link.created_by.username, "created_at": link.created_at} for link in links],
    }

