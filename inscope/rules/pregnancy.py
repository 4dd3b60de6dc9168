"""Pregnancy enquiry before an ionising exposure: the employer's age range, the region between the diaphragm
and the knees, the 28-day rule for standard doses and the 10-day rule for high-dose examinations
(shared/reference/pregnancy_enquiry_rules.yaml; RCR/SCoR/HPA RCE-9).
"""

from __future__ import annotations

import datetime as dt

from inscope.rules.decisions import Reason
from inscope.rules.facts import DoseClass, Patient, PregnancyAnswer, PregnancyPolicy, Protocol
from inscope.rules.reasons import reason


def enquiry_required(patient: Patient, protocol: Protocol, policy: PregnancyPolicy) -> bool:
    """Return whether the employer's procedure requires a pregnancy enquiry; unknown facts require one."""
    if protocol.dose_class is DoseClass.NONE:
        return False
    in_scope = protocol.pregnancy_region or protocol.dose_class is DoseClass.HIGH or protocol.modality == "NM"
    if not in_scope or patient.childbearing_potential is False:
        return False
    if patient.pregnancy_answer in (PregnancyAnswer.PREGNANT, PregnancyAnswer.POSSIBLY):
        return True  # a pregnancy the patient reports counts whatever the age range says
    return patient.age is None or policy.min_age <= patient.age <= policy.max_age


def cycle_day(last_menstrual_period: dt.date, on: dt.date) -> int:
    """Return the day of the menstrual cycle, day 1 being the first day of the last period."""
    return (on - last_menstrual_period).days + 1


def pregnancy_reasons(
    patient: Patient,
    protocol: Protocol,
    policy: PregnancyPolicy,
    *,
    on: dt.date,
    assistant_practitioner: bool,
) -> tuple[list[Reason], list[str]]:
    """Return the reasons the enquiry stops an operator, and notes for a registered operator who may go on."""
    answer = patient.pregnancy_answer
    if not enquiry_required(patient, protocol, policy):
        return _reported_outside_enquiry(answer, assistant_practitioner=assistant_practitioner)
    if answer is None:
        return [reason("pregnancy-enquiry-not-recorded", "Ask and record the pregnancy enquiry before exposing.")], []
    if answer == PregnancyAnswer.DEFINITELY_NOT:
        return _definite_no_reasons(patient, policy, on=on, assistant_practitioner=assistant_practitioner), []
    if answer == PregnancyAnswer.PREGNANT:
        return [
            reason(
                "pregnancy-confirmed",
                "The patient is pregnant: a practitioner must re-justify the exposure and the referrer countersign.",
            )
        ], []
    reasons: list[Reason] = []
    if assistant_practitioner or answer == PregnancyAnswer.DECLINED:
        reasons.append(
            reason(
                "pregnancy-not-excluded",
                "The answer was not a definite no, which is outside the assistant practitioner's protocol.",
            )
        )
    lmp = patient.last_menstrual_period
    if lmp is None:
        reasons.append(reason("pregnancy-lmp-unknown", "Pregnancy is not excluded and the LMP date is unknown."))
        return reasons, []
    day = cycle_day(lmp, on)
    if protocol.dose_class is DoseClass.HIGH and day > policy.high_dose_days:
        reasons.append(
            reason(
                "pregnancy-10-day-rule",
                f"{protocol.name} is a high-dose examination and the patient is on day {day} of her cycle; "
                f"it may be done only in the first {policy.high_dose_days} days unless pregnancy is excluded.",
            )
        )
    elif protocol.dose_class is DoseClass.STANDARD and day > policy.low_dose_days:
        reasons.append(
            reason(
                "pregnancy-28-day-rule",
                f"The last period began {day - 1} days ago, so the period is overdue; consider postponing.",
            )
        )
    notes = [] if reasons else [f"Pregnancy not excluded; cycle day {day} is within the rule. Record the LMP."]
    return reasons, notes


def _reported_outside_enquiry(
    answer: PregnancyAnswer | None, *, assistant_practitioner: bool
) -> tuple[list[Reason], list[str]]:
    """A pregnancy the patient reports where no enquiry is required (a chest, a limb, an MR scan): an AP
    escalates whatever the area; a registered operator decides, and is reminded to record it."""
    if answer not in (PregnancyAnswer.PREGNANT, PregnancyAnswer.POSSIBLY):
        return [], []
    said = "is" if answer is PregnancyAnswer.PREGNANT else "may be"
    if assistant_practitioner:
        return [
            reason(
                "pregnancy-reported",
                f"The patient says she {said} pregnant. Whatever the area examined, that is outside the assistant "
                "practitioner's protocol; a radiographer decides.",
            )
        ], []
    return [], [f"The patient says she {said} pregnant; no enquiry is required for this area. Record your decision."]


def _definite_no_reasons(
    patient: Patient, policy: PregnancyPolicy, *, on: dt.date, assistant_practitioner: bool
) -> list[Reason]:
    """A definite "no" that the recorded LMP contradicts (the period is overdue) cannot be relied on by an AP."""
    lmp = patient.last_menstrual_period
    if not (assistant_practitioner and policy.escalate_no_with_overdue_period and lmp is not None):
        return []
    day = cycle_day(lmp, on)
    if day <= policy.low_dose_days:
        return []
    return [
        reason(
            "pregnancy-answer-contradicts-lmp",
            f"The patient answered a definite no, but her last period began {day - 1} days ago, so it is overdue; "
            "a radiographer must resolve the two.",
        )
    ]
