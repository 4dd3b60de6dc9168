"""Completing an examination: exposures as performed, repeats with reasons for reject analysis, aftercare, and
the total dose-area product.

The DAP is compared with the diagnostic reference level by the dose app, as every dose is: it receives
``examination_completed`` (inscope.exams.signals), records the exposures as a dose study and chooses the DRL that
applies (equipment, room, protocol, policy, national), then stores the result here with
``record_drl_comparison``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.competencies.services.evidence import record_observed_practice
from inscope.exams.models import ExamEvent, Examination, Exposure
from inscope.exams.services.workflow import move_examination
from inscope.exams.signals import examination_completed
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.staff.models import User

# DAP units seen on X-ray equipment, as multipliers to Gy·cm².
DAP_UNITS = {
    "Gy·cm²": Decimal(1),
    "dGy·cm²": Decimal("0.1"),
    "cGy·cm²": Decimal("0.01"),
    "mGy·cm²": Decimal("0.001"),
    "µGy·m²": Decimal("0.01"),
    "Gy·m²": Decimal(10000),
}
REPEAT_REASONS = {
    "positioning": "Positioning",
    "exposure": "Exposure factors",
    "motion": "Patient movement",
    "artefact": "Artefact",
    "cut_off": "Anatomy cut off",
    "equipment": "Equipment fault",
    "other": "Other",
}


@dataclass(frozen=True)
class ExposureInput:
    projection: str
    kvp: str
    mas: str
    dap: str
    dap_unit: str
    is_repeat: bool = False
    repeat_reason: str = ""


def _number(value: str, name: str, index: int, low: Decimal, high: Decimal) -> Decimal:
    field = f"exposures[{index}].{name}"
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(f"Exposure {index + 1}: {name} must be a number.", field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise DomainError(f"Exposure {index + 1}: {name} must be between {low} and {high}.", field=field)
    return number


def _exposure(exam: Examination, data: ExposureInput, index: int) -> Exposure:
    if not data.projection.strip():
        raise DomainError(f"Exposure {index + 1}: name the projection.", field=f"exposures[{index}].projection")
    if data.dap_unit not in DAP_UNITS:
        raise DomainError(f"Exposure {index + 1}: DAP unit must be one of {', '.join(DAP_UNITS)}.",
                          field=f"exposures[{index}].dap_unit")
    if data.is_repeat and data.repeat_reason not in REPEAT_REASONS:
        raise DomainError(f"Exposure {index + 1}: give the reason for the repeat.",
                          field=f"exposures[{index}].repeat_reason")
    dap = _number(data.dap, "DAP", index, Decimal(0), Decimal(100000))
    return Exposure(
        examination=exam,
        projection=data.projection.strip(),
        kvp=_number(data.kvp, "kVp", index, Decimal(20), Decimal(150)),
        mas=_number(data.mas, "mAs", index, Decimal("0.01"), Decimal(2000)),
        dap_gy_cm2=(dap * DAP_UNITS[data.dap_unit]).quantize(Decimal("0.0001")),
        entered_dap=f"{dap} {data.dap_unit}",
        is_repeat=data.is_repeat,
        repeat_reason=data.repeat_reason if data.is_repeat else "",
    )


def count_supervised_practice(exam: Examination, *, by: User, source: str) -> None:
    """An examination done under direct supervision is observed practice for the AP who did it."""
    if exam.practising is not None and exam.operator is not None:
        learner, supervisor = exam.practising, exam.operator
    elif exam.supervision_mode == "direct" and exam.supervisor is not None and exam.operator is not None:
        learner, supervisor = exam.operator, exam.supervisor
    else:
        return
    record_observed_practice(learner, protocol_code=exam.protocol_code, accession_number=exam.accession_number,
                             supervisor=supervisor, by=by, channel=source)


@transaction.atomic
def complete_examination(
    exam: Examination,
    *,
    by: User,
    source: str,
    exposures: list[ExposureInput],
    images_count: int,
    aftercare: str = "",
    notes: str = "",
) -> Examination:
    """Record what was done and complete the examination; the dose app then compares the DAP with the DRL that
    applies (``examination_completed``), in the same transaction."""
    exam = Examination.objects.select_for_update().get(pk=exam.pk)
    if exam.operator_id != by.pk:
        raise NotAllowed("Only the operator performing the examination can complete it.")
    if not exposures:
        raise DomainError("Record at least one exposure.", field="exposures")
    if images_count < 1:
        raise DomainError("Number of images must be at least 1.", field="images_count")
    rows = [_exposure(exam, data, i) for i, data in enumerate(exposures)]  # validate all before saving any
    for row in rows:
        row.save()
    total = sum((row.dap_gy_cm2 for row in rows), Decimal(0))
    exam.total_dap_gy_cm2 = total
    exam.images_count = images_count
    exam.aftercare, exam.notes = aftercare.strip(), notes.strip()
    exam.ended_at = timezone.now()
    reason = f"{len(rows)} exposures, {images_count} images, DAP {total} Gy·cm²"
    count_supervised_practice(exam, by=by, source=source)
    move_examination(
        exam, to=Examination.Status.COMPLETED, by=by, source=source, action="completed", reason=reason,
        update_fields=("total_dap_gy_cm2", "images_count", "aftercare", "notes", "ended_at"),
    )
    examination_completed.send(sender=Examination, examination=exam, by=by, source=source)
    return exam


def record_drl_comparison(exam: Examination, *, drl_value_gy_cm2: Decimal | None, drl_source: str,
                          exceeded: bool | None, by: User, source: str, summary: str) -> Examination:
    """Store on a completed examination how its typed-in DAP compared with the DRL the dose app chose (or, with
    no DRL value, why none applied), with an event and an audit entry. The caller holds the row lock (the
    completion's transaction)."""
    if exam.status != Examination.Status.COMPLETED:
        raise InvalidTransition("Only a completed examination's dose is compared with a DRL.")
    exam.drl_value = drl_value_gy_cm2.quantize(Decimal("0.0001")) if drl_value_gy_cm2 is not None else None
    exam.drl_source = drl_source[:160]
    exam.drl_exceeded = exceeded if drl_value_gy_cm2 is not None else None
    exam.save(update_fields=["drl_value", "drl_source", "drl_exceeded"])
    ExamEvent.objects.create(examination=exam, by=by, source=source, action="drl_compared",
                             from_status=exam.status, to_status=exam.status, reason=summary[:500])
    record("examination.drl_compared", exam, by=by, channel=source, summary=summary[:300])
    return exam
