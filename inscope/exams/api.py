"""REST endpoints for examinations and escalations. Each checks the caller's role, fetches records through
inscope.exams.access (so reads are audited) and changes them only through inscope.exams.services.

Errors are raised as domain exceptions and turned into responses in one place, inscope/api.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.db.models.fields.json import KT
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from inscope.department.models import Department, Site
from inscope.exams import services
from inscope.exams.access import get_escalation_for_user, get_examination_for_user
from inscope.exams.models import Escalation, Examination
from inscope.exams.schemas import (
    CaseIn,
    ChecklistIn,
    ChecklistOut,
    CompleteIn,
    DecisionOut,
    ErrorOut,
    EscalationActionOut,
    EscalationOut,
    ExaminationOut,
    ExaminationSummaryOut,
    FindingActionIn,
    JustificationIn,
    NoteIn,
    QueueOut,
    QueueQuery,
    ReasonIn,
    RefusalOut,
    RequestIn,
    StartOut,
    ValidationErrorOut,
    WorklistOut,
    WorklistQuery,
)
from inscope.lib.errors import DomainError, NotAllowed
from inscope.policy.services import document_for, in_force
from inscope.rules import facts
from inscope.rules.evaluate import decide, no_policy_decision
from inscope.staff.models import User
from inscope.staff.permissions import Action, can, require

router = Router()
SOURCE = "api"

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                           422: ValidationErrorOut}


def _responses(ok: int, schema: Any, *errors: int, refusal: bool = False) -> dict[int, Any]:
    """The documented responses of an operation: its success and the errors it can return (401 always)."""
    table = {ok: schema, 401: ErrorOut}
    table.update({code: _ERRORS[code] for code in errors})
    if refusal:
        table[409] = RefusalOut
    return dict(sorted(table.items()))


def _user(request: HttpRequest) -> User:
    """The authenticated caller, with their role assignments loaded once for every permission check."""
    user: User = request.auth  # type: ignore[attr-defined]
    if "role_assignments" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "role_assignments")
    return user


def _exam(request: HttpRequest, exam_id: int, *, perform: bool = False) -> Examination:
    user = _user(request)
    exam = get_examination_for_user(user, exam_id, channel=SOURCE)
    if perform:
        require(user, Action.PERFORM_EXAMINATION, exam.site)
    return exam


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


# --- Building response bodies ----------------------------------------------------------------------------------------


def summary(exam: Examination) -> dict[str, Any]:
    patient = exam.patient
    return {
        "id": exam.pk,
        "accession_number": exam.accession_number,
        "scheduled_at": exam.scheduled_at,
        "status": exam.status,
        "priority": exam.priority,
        "protocol_code": exam.protocol_code,
        "protocol_name": exam.protocol_name,
        "modality": exam.modality,
        "site": exam.site.code,
        "room": exam.room.name if exam.room else None,
        "patient": {"name": str(patient), "nhs_number": patient.nhs_number, "date_of_birth": patient.date_of_birth},
        "operator": _username(exam.operator) if exam.operator_id else None,
        "last_decision_outcome": (exam.decision or {}).get("outcome"),
    }


# The worklist reads plain rows: a busy day is hundreds of examinations, and building model instances
# (with the operator's whole account row) cost most of each request.
WORKLIST_COLUMNS = (
    "id", "accession_number", "scheduled_at", "status", "priority", "protocol_code", "protocol_name", "modality",
    "site__code", "room__name", "patient__family_name", "patient__given_name", "patient__nhs_number",
    "patient__date_of_birth", "operator__username",
)


def summary_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return the same summary as summary(), from one row of WORKLIST_COLUMNS."""
    return {
        "id": row["id"],
        "accession_number": row["accession_number"],
        "scheduled_at": row["scheduled_at"],
        "status": row["status"],
        "priority": row["priority"],
        "protocol_code": row["protocol_code"],
        "protocol_name": row["protocol_name"],
        "modality": row["modality"],
        "site": row["site__code"],
        "room": row["room__name"],
        "patient": {"name": f"{row['patient__family_name'].upper()}, {row['patient__given_name']}",
                    "nhs_number": row["patient__nhs_number"], "date_of_birth": row["patient__date_of_birth"]},
        "operator": row["operator__username"],
        "last_decision_outcome": row["outcome"],
    }


def escalation_body(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": escalation.pk,
        "examination_id": escalation.examination_id,
        "accession_number": escalation.examination.accession_number,
        "kind": escalation.kind,
        "status": escalation.status,
        "urgency": escalation.urgency,
        "reason_codes": escalation.reason_codes,
        "reasons": escalation.reasons,
        "note": escalation.note,
        "raised_by": escalation.raised_by.username,
        "raised_at": escalation.raised_at,
        "recipients": sorted(u.username for u in escalation.recipients.all()),
        "acknowledged_by": _username(escalation.acknowledged_by),
        "acknowledged_at": escalation.acknowledged_at,
        "resolution": escalation.resolution,
        "resolved_by": _username(escalation.resolved_by),
        "resolved_at": escalation.resolved_at,
        "resolution_note": escalation.resolution_note,
    }


def _escalations(queryset: QuerySet[Escalation] | None = None) -> QuerySet[Escalation]:
    return (Escalation.objects.all() if queryset is None else queryset).select_related(
        "examination__patient", "examination__site", "examination__room", "examination__operator",
        "raised_by", "acknowledged_by", "resolved_by",
    ).prefetch_related(Prefetch("recipients", queryset=User.objects.order_by("username")))


def _examinations(queryset: QuerySet[Examination] | None = None) -> QuerySet[Examination]:
    return (Examination.objects.all() if queryset is None else queryset).select_related(
        "patient", "site", "room", "operator")


def checklist_body(record: Any) -> dict[str, Any]:
    return {"id": record.pk, "examination_id": record.examination_id, "recorded_by": record.recorded_by.username,
            "recorded_at": record.recorded_at, "answers": record.answers}


def detail(exam: Examination) -> dict[str, Any]:
    patient = exam.patient
    checklist = exam.checklists.select_related("recorded_by").first()
    escalations = exam.escalations.select_related("raised_by", "acknowledged_by", "resolved_by").prefetch_related(
        "recipients").order_by("raised_at", "id")
    return {
        **summary(exam),
        "patient": {"name": str(patient), "family_name": patient.family_name, "given_name": patient.given_name,
                    "nhs_number": patient.nhs_number, "date_of_birth": patient.date_of_birth, "sex": patient.sex,
                    "age": patient.age_on(timezone.localdate())},
        "referrer": exam.referrer,
        "clinical_question": exam.clinical_question,
        "justification": exam.justification,
        "justified_by": exam.justified_by,
        "justification_note": exam.justification_note,
        "setting": exam.setting or None,
        "laterality": exam.laterality or None,
        "supervisor": _username(exam.supervisor) if exam.supervisor_id else None,
        "started_at": exam.started_at,
        "ended_at": exam.ended_at,
        "decision": exam.decision,
        "policy_version": exam.policy_version.label if exam.policy_version else None,
        "checklist": checklist_body(checklist) if checklist else None,
        "images_count": exam.images_count,
        "aftercare": exam.aftercare,
        "notes": exam.notes,
        "total_dap_gy_cm2": _decimal(exam.total_dap_gy_cm2),
        "drl_value": _decimal(exam.drl_value),
        "drl_source": exam.drl_source,
        "drl_exceeded": exam.drl_exceeded,
        "exposures": [
            {"projection": x.projection, "kvp": str(x.kvp), "mas": str(x.mas), "dap_gy_cm2": str(x.dap_gy_cm2),
             "entered_dap": x.entered_dap, "is_repeat": x.is_repeat, "repeat_reason": x.repeat_reason}
            for x in exam.exposures.order_by("id")
        ],
        "escalations": [escalation_body(e) for e in escalations],
        "events": [
            {"at": e.at, "by": e.by.username, "source": e.source, "action": e.action, "from_status": e.from_status,
             "to_status": e.to_status, "reason": e.reason, "decision": e.decision, "policy_version": e.policy_version}
            for e in exam.events.select_related("by").order_by("at", "id")
        ],
    }


# --- Examinations -----------------------------------------------------------------------------------------------------


def _request_department(user: User, site_code: str) -> Department:
    if user.department_id:
        return user.department  # type: ignore[return-value]
    site = Site.objects.select_related("department").filter(code=site_code).first()
    if site is None:
        raise DomainError(f"Unknown site {site_code!r}.", field="site_code")
    return site.department


@router.post("/requests", response=_responses(201, ExaminationSummaryOut, 400, 403, 422), tags=["Examinations"],
             operation_id="create_request", summary="Add an examination request to the worklist")
def create_request(request: HttpRequest, payload: RequestIn):
    user = _user(request)
    require(user, Action.CREATE_REQUEST)
    scheduled_at = payload.scheduled_at
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    data = services.RequestInput(
        nhs_number=payload.nhs_number, family_name=payload.family_name.strip(),
        given_name=payload.given_name.strip(), date_of_birth=payload.date_of_birth, sex=payload.sex.value,
        address=payload.address.strip(), postcode=payload.postcode.strip(), protocol_code=payload.protocol_code,
        referrer=payload.referrer.strip(), site_code=payload.site_code, scheduled_at=scheduled_at,
        accession_number=payload.accession_number.strip(), priority=payload.priority.value,
        room_name=payload.room_name, clinical_question=payload.clinical_question.strip(),
        justification=payload.justification.value, justified_by=payload.justified_by.strip(),
        setting=payload.setting.value if payload.setting else "",
        laterality=payload.laterality.value if payload.laterality else "",
    )
    exam = services.create_request(_request_department(user, payload.site_code), data, by=user, source=SOURCE)
    return Status(201, summary(_examinations().get(pk=exam.pk)))


@router.get("/worklist", response=_responses(200, WorklistOut, 400, 403, 422), tags=["Examinations"],
            operation_id="worklist", summary="One day's examinations, in time order")
def worklist(request: HttpRequest, filters: Query[WorklistQuery]):
    user = _user(request)
    require(user, Action.VIEW_WORKLIST)
    site, status, limit, offset = filters.site, filters.status, filters.limit, filters.offset
    sites = [s for s in Site.objects.all() if can(user, Action.VIEW_WORKLIST, s)]
    if site is not None:
        chosen = [s for s in sites if s.code == site]
        if not chosen:
            if Site.objects.filter(code=site).exists():
                raise NotAllowed(f"You do not work at site {site!r}.", field="site")
            raise DomainError(f"Unknown site {site!r}.", field="site")
        sites = chosen
    day = filters.date or timezone.localdate()
    exams = _examinations(Examination.objects.on_day(day)).filter(site__in=sites).order_by("scheduled_at", "id")
    if status is not None:
        exams = exams.filter(status=status)
    rows = exams.values(*WORKLIST_COLUMNS, outcome=KT("decision__outcome"))[offset:offset + limit]
    return {"count": exams.count(), "limit": limit, "offset": offset, "items": [summary_from_row(r) for r in rows]}


@router.get("/examinations/{exam_id}", response=_responses(200, ExaminationOut, 404), tags=["Examinations"],
            operation_id="get_examination", summary="One examination with its decision, escalations and history")
def get_examination(request: HttpRequest, exam_id: int):
    return detail(_exam(request, exam_id))


@router.post("/examinations/{exam_id}/checklist", response=_responses(201, ChecklistOut, 400, 403, 404, 409, 422),
             tags=["Examinations"], operation_id="record_checklist", summary="Record the pre-examination checklist")
def record_checklist(request: HttpRequest, exam_id: int, payload: ChecklistIn):
    exam = _exam(request, exam_id, perform=True)
    record = services.record_checklist(exam, payload.model_dump(mode="json"), by=_user(request), source=SOURCE)
    return Status(201, checklist_body(record))


@router.post("/examinations/{exam_id}/justification", response=_responses(200, ExaminationOut, 400, 403, 404, 409, 422),
             tags=["Examinations"], operation_id="record_justification",
             summary="Record the practitioner's justification: justified, authorised under guidelines, or declined")
def record_justification(request: HttpRequest, exam_id: int, payload: JustificationIn):
    exam = _exam(request, exam_id)
    choice = payload.justification
    services.justify_request(exam, by=_user(request), source=SOURCE, authorised=choice == "authorised",
                             declined=choice == "declined", note=payload.note)
    return detail(_examinations().get(pk=exam.pk))


@router.post("/examinations/{exam_id}/evaluate", response=_responses(200, DecisionOut, 403, 404),
             tags=["Decisions"], operation_id="evaluate_examination",
             summary="What the decision engine would say if you started now (changes nothing)")
def evaluate_examination(request: HttpRequest, exam_id: int):
    exam = _exam(request, exam_id, perform=True)
    return services.evaluate_examination(exam, operator=_user(request)).as_dict()


@router.post("/examinations/{exam_id}/start", response=_responses(200, StartOut, 403, 404, 409),
             tags=["Examinations"], operation_id="start_examination",
             summary="Start: proceeds, escalates to the supervisor, or stops — read decision.outcome")
def start_examination(request: HttpRequest, exam_id: int):
    exam = _exam(request, exam_id, perform=True)
    result = services.start_examination(exam, by=_user(request), source=SOURCE)
    escalation = result.escalation
    return {
        "examination": summary(result.examination),
        "decision": result.decision.as_dict(),
        "escalation_id": escalation.pk if escalation else None,
        "escalated_to": sorted(u.username for u in escalation.recipients.all()) if escalation else [],
    }


@router.post("/examinations/{exam_id}/escalate", response=_responses(201, EscalationOut, 400, 403, 404, 409, 422),
             tags=["Escalations"], operation_id="escalate_examination",
             summary="Escalate an examination to the supervising radiographer, with a note")
def escalate_examination(request: HttpRequest, exam_id: int, payload: NoteIn):
    exam = _exam(request, exam_id, perform=True)
    escalation = services.escalate_examination(exam, by=_user(request), source=SOURCE, note=payload.note)
    return Status(201, escalation_body(_escalations().get(pk=escalation.pk)))


@router.post("/examinations/{exam_id}/complete", response=_responses(200, ExaminationOut, 400, 403, 404, 409, 422),
             tags=["Examinations"], operation_id="complete_examination",
             summary="Record exposures and complete; the total DAP is compared with the protocol's DRL")
def complete_examination(request: HttpRequest, exam_id: int, payload: CompleteIn):
    exam = _exam(request, exam_id, perform=True)
    exposures = [
        services.ExposureInput(projection=x.projection, kvp=str(x.kvp), mas=str(x.mas), dap=str(x.dap),
                               dap_unit=x.dap_unit, is_repeat=x.is_repeat, repeat_reason=x.repeat_reason)
        for x in payload.exposures
    ]
    exam = services.complete_examination(exam, by=_user(request), source=SOURCE, exposures=exposures,
                                         images_count=payload.images_count, aftercare=payload.aftercare,
                                         notes=payload.notes)
    return detail(_examinations().select_related("policy_version", "supervisor").get(pk=exam.pk))


@router.post("/examinations/{exam_id}/findings", response=_responses(201, EscalationOut, 400, 403, 404, 409, 422),
             tags=["Escalations"], operation_id="flag_finding",
             summary="Flag an urgent or unexpected finding (describe it; never a diagnosis)")
def flag_finding(request: HttpRequest, exam_id: int, payload: NoteIn):
    exam = _exam(request, exam_id, perform=True)
    escalation = services.flag_finding(exam, by=_user(request), source=SOURCE, note=payload.note)
    return Status(201, escalation_body(_escalations().get(pk=escalation.pk)))


# --- Hypothetical cases -----------------------------------------------------------------------------------------------


def _case_department(user: User, site_code: str | None) -> Department:
    if site_code:
        site = Site.objects.select_related("department").filter(code=site_code).first()
        if site is None:
            raise DomainError(f"Unknown site {site_code!r}.", field="site_code")
        return site.department
    if user.department_id:
        return user.department  # type: ignore[return-value]
    departments = list(Department.objects.all()[:2])
    if len(departments) != 1:
        raise DomainError("Say which site's policy to use.", field="site_code")
    return departments[0]


@router.post("/cases/evaluate", response=_responses(200, DecisionOut, 400, 403, 422), tags=["Decisions"],
             operation_id="evaluate_case",
             summary="Decide a hypothetical case against the policy in force (records nothing)")
def evaluate_case(request: HttpRequest, payload: CaseIn):
    user = _user(request)
    require(user, Action.VIEW_POLICY)
    version = in_force(_case_department(user, payload.site_code))
    if version is None:
        return no_policy_decision().as_dict()
    document = document_for(version)
    roles = frozenset(payload.roles) if payload.roles is not None else None
    p = payload.patient
    case = facts.Case(
        operator=document.operator(payload.operator, roles),
        request=facts.Request(protocol_code=payload.protocol_code, justification=payload.request.justification,
                              justified_by=payload.request.justified_by, setting=payload.request.setting,
                              laterality=payload.request.laterality),
        patient=facts.Patient(
            age=p.age, childbearing_potential=p.childbearing_potential, identity=p.identity, weight_kg=p.weight_kg,
            cooperative=p.cooperative, has_capacity=p.has_capacity, mobility=p.mobility, trauma=p.trauma,
            pregnancy_answer=p.pregnancy_answer, last_menstrual_period=p.last_menstrual_period,
            mri_stop_answers=tuple(p.mri_stop_answers) if p.mri_stop_answers is not None else None,
            contrast_checks_done=p.contrast_checks_done, cannula_in_place=p.cannula_in_place,
        ),
        supervision=facts.SupervisionContext(
            supervisors_on_duty=tuple(payload.supervision.supervisors_on_duty),
            direct_supervisor_present=payload.supervision.direct_supervisor_present,
        ),
        on=payload.on or timezone.localdate(),
    )
    return decide(case, document.to_policy(version.label)).as_dict()


# --- Escalations ------------------------------------------------------------------------------------------------------

QUEUE_STATUSES = {
    "unresolved": (Escalation.Status.OPEN, Escalation.Status.ACKNOWLEDGED),
    "open": (Escalation.Status.OPEN,),
    "acknowledged": (Escalation.Status.ACKNOWLEDGED,),
    "resolved": (Escalation.Status.RESOLVED,),
}


@router.get("/escalations", response=_responses(200, QueueOut, 403, 422), tags=["Escalations"],
            operation_id="escalation_queue", summary="Escalations sent to you, oldest first")
def escalation_queue(request: HttpRequest, filters: Query[QueueQuery]):
    user = _user(request)
    require(user, Action.RESOLVE_ESCALATION)
    queue = _escalations(Escalation.objects.for_supervisor(user)).filter(status__in=QUEUE_STATUSES[filters.status])
    queue = queue.order_by("raised_at", "id")
    limit, offset = filters.limit, filters.offset
    page = list(queue[offset:offset + limit])
    items = [{**escalation_body(e), "examination": summary(e.examination)} for e in page]
    return {"count": queue.count(), "limit": limit, "offset": offset, "items": items}


def _acted(escalation: Escalation) -> dict[str, Any]:
    escalation = _escalations().get(pk=escalation.pk)
    return {"escalation": escalation_body(escalation), "examination": summary(escalation.examination)}


@router.post("/escalations/{escalation_id}/acknowledge", response=_responses(200, EscalationActionOut, 403, 404, 409),
             tags=["Escalations"], operation_id="acknowledge_escalation",
             summary="Say you have seen the escalation and are dealing with it")
def acknowledge(request: HttpRequest, escalation_id: int):
    user = _user(request)
    escalation = get_escalation_for_user(user, escalation_id, channel="api")
    return _acted(services.acknowledge_escalation(escalation, by=user, source=SOURCE))


@router.post("/escalations/{escalation_id}/take-over",
             response=_responses(200, EscalationActionOut, 400, 403, 404, 422, refusal=True), tags=["Escalations"],
             operation_id="take_over_examination", summary="Become the operator and start the examination yourself")
def take_over(request: HttpRequest, escalation_id: int, payload: ReasonIn):
    user = _user(request)
    escalation = get_escalation_for_user(user, escalation_id, channel="api")
    services.take_over_examination(escalation, by=user, source=SOURCE, reason_text=payload.reason)
    return _acted(escalation)


@router.post("/escalations/{escalation_id}/authorise",
             response=_responses(200, EscalationActionOut, 400, 403, 404, 422, refusal=True), tags=["Escalations"],
             operation_id="authorise_examination", summary="Authorise the AP who escalated to proceed")
def authorise(request: HttpRequest, escalation_id: int, payload: ReasonIn):
    user = _user(request)
    escalation = get_escalation_for_user(user, escalation_id, channel="api")
    services.authorise_examination(escalation, by=user, source=SOURCE, reason_text=payload.reason)
    return _acted(escalation)


@router.post("/escalations/{escalation_id}/cancel",
             response=_responses(200, EscalationActionOut, 400, 403, 404, 409, 422), tags=["Escalations"],
             operation_id="cancel_from_escalation", summary="Decline and cancel the examination")
def cancel(request: HttpRequest, escalation_id: int, payload: ReasonIn):
    user = _user(request)
    escalation = get_escalation_for_user(user, escalation_id, channel="api")
    services.cancel_from_escalation(escalation, by=user, source=SOURCE, reason_text=payload.reason)
    return _acted(escalation)


@router.post("/escalations/{escalation_id}/finding-action",
             response=_responses(200, EscalationActionOut, 400, 403, 404, 409, 422), tags=["Escalations"],
             operation_id="record_finding_action", summary="Record what you did about a flagged finding")
def finding_action(request: HttpRequest, escalation_id: int, payload: FindingActionIn):
    user = _user(request)
    escalation = get_escalation_for_user(user, escalation_id, channel="api")
    services.record_finding_action(escalation, by=user, source=SOURCE, action=payload.action, note=payload.note)
    return _acted(escalation)
