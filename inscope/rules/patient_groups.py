"""Patient limits: who a protocol, a role or an entitlement is for. APs work with conscious, co-operative,
communicative adults (SCoR, Scope of Practice of Assistant Practitioners, 2012); the policy writes the limits
as an age range, excluded patient groups and the mobility levels allowed.

``breaches`` says how a patient falls outside one set of limits, with the protocol-limit reason code for each;
callers turn them into reasons (the protocol's own codes, or the entitlement-condition codes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inscope.rules.decisions import Reason
from inscope.rules.facts import Mobility, Patient, PatientGroup, PatientLimits, PregnancyAnswer, PregnancyPolicy
from inscope.rules.reasons import reason

# Codes that say a fact is missing rather than that the patient is outside the limit.
UNKNOWN_CODES = frozenset(
    {
        "patient-age-unknown",
        "trauma-unknown",
        "mobility-unknown",
        "cooperation-unknown",
        "capacity-unknown",
        "pregnancy-enquiry-not-recorded",
    }
)

# Weight outside this range (kg) cannot be a patient's: a typo or a unit mistake.
WEIGHT_RANGE_KG = (0.3, 400.0)

_MAY_BE_PREGNANT = frozenset({PregnancyAnswer.PREGNANT, PregnancyAnswer.POSSIBLY, PregnancyAnswer.DECLINED})


@dataclass(frozen=True)
class Breach:
    """One way a patient is outside a set of limits, or may be: the protocol-limit code and the case's words."""

    code: str
    text: str

    @property
    def unknown(self) -> bool:
        return self.code in UNKNOWN_CODES


def _pregnant(patient: Patient, pregnancy: PregnancyPolicy) -> bool | None:
    """Return whether the patient is or may be pregnant; None when the enquiry that tells is not recorded."""
    if patient.pregnancy_answer in _MAY_BE_PREGNANT:
        return True
    if patient.pregnancy_answer is PregnancyAnswer.DEFINITELY_NOT or patient.childbearing_potential is False:
        return False
    if patient.age is not None and not pregnancy.min_age <= patient.age <= pregnancy.max_age:
        return False  # outside the employer's childbearing age range, as for the enquiry itself
    return None


def in_group(patient: Patient, group: PatientGroup, pregnancy: PregnancyPolicy) -> bool | None:
    """Return whether the patient is in the group, or None when the fact that tells is not recorded."""
    if group is PatientGroup.TRAUMA:
        return patient.trauma
    if group is PatientGroup.REDUCED_MOBILITY:
        return None if patient.mobility is None else patient.mobility is not Mobility.INDEPENDENT
    if group is PatientGroup.NON_COOPERATIVE:
        return None if patient.cooperative is None else not patient.cooperative
    if group is PatientGroup.LACKS_CAPACITY:
        return None if patient.has_capacity is None else not patient.has_capacity
    return _pregnant(patient, pregnancy)


# For each group: (code when unknown, text), (code when in the group, text).
_GROUP_BREACHES = {
    PatientGroup.PREGNANT: (
        ("pregnancy-enquiry-not-recorded", "record the pregnancy enquiry: patients who may be pregnant are excluded"),
        ("patient-pregnant", "the patient is or may be pregnant, and such patients are excluded"),
    ),
    PatientGroup.TRAUMA: (
        ("trauma-unknown", "record whether this is a trauma case"),
        ("patient-trauma", "trauma patients are excluded"),
    ),
    PatientGroup.REDUCED_MOBILITY: (
        ("mobility-unknown", "record the patient's mobility"),
        ("patient-reduced-mobility", "the patient arrives by {mobility}, and only independently mobile patients "
                                     "are included"),
    ),
    PatientGroup.NON_COOPERATIVE: (
        ("cooperation-unknown", "record whether the patient can co-operate"),
        ("patient-non-cooperative", "the patient cannot co-operate"),
    ),
    PatientGroup.LACKS_CAPACITY: (
        ("capacity-unknown", "record whether the patient has capacity to consent"),
        ("patient-lacks-capacity", "the patient lacks capacity to consent"),
    ),
}


def _levels(levels: frozenset[Mobility]) -> str:
    return " or ".join(m.value for m in Mobility if m in levels)


def breaches(patient: Patient, limits: PatientLimits, pregnancy: PregnancyPolicy) -> list[Breach]:
    """Return every way the patient is, or may be, outside the limits; unknown facts are breaches of their own."""
    found: list[Breach] = []
    if limits.min_age is not None or limits.max_age is not None:
        if patient.age is None:
            found.append(Breach("patient-age-unknown", "the patient's age is not known, so the age limits cannot be "
                                                       "checked"))
        elif limits.min_age is not None and patient.age < limits.min_age:
            found.append(Breach("patient-below-minimum-age",
                                f"the patient is {patient.age} and the limit is {limits.min_age} and over"))
        elif limits.max_age is not None and patient.age > limits.max_age:
            found.append(Breach("patient-above-maximum-age",
                                f"the patient is {patient.age} and the limit is up to {limits.max_age}"))
    for group, (unknown, excluded) in _GROUP_BREACHES.items():
        if group not in limits.excluded_groups:
            continue
        verdict = in_group(patient, group, pregnancy)
        if verdict is None or verdict:
            code, text = unknown if verdict is None else excluded
            mobility = patient.mobility.value if patient.mobility else ""
            found.append(Breach(code, text.format(mobility=mobility)))
    if limits.mobility:
        if patient.mobility is None:
            found.append(Breach("mobility-unknown", "record the patient's mobility"))
        elif patient.mobility not in limits.mobility:
            found.append(Breach("patient-reduced-mobility", f"the patient arrives by {patient.mobility.value}, and "
                                                            f"only {_levels(limits.mobility)} patients are included"))
    return found


def limit_reasons(patient: Patient, limits: PatientLimits, pregnancy: PregnancyPolicy, *, whose: str) -> list[Reason]:
    """Return the protocol-limit reasons for a patient outside limits; ``whose`` names the limits ("XR Chest PA's
    limits for assistant practitioners")."""
    found = breaches(patient, limits, pregnancy)
    return [reason(b.code, f"{b.text[:1].upper()}{b.text[1:]} ({whose}).") for b in found]


def contradiction_reasons(patient: Patient, on: dt.date) -> list[Reason]:
    """Return one reason naming every recorded fact that cannot be true (a decision keeps one reason per code)."""
    found: list[str] = []
    if patient.age is not None and not 0 <= patient.age <= 130:
        found.append(f"an age of {patient.age}")
    if patient.last_menstrual_period is not None and patient.last_menstrual_period > on:
        found.append("a last menstrual period after today")
    if patient.childbearing_potential is False and patient.pregnancy_answer == "pregnant":
        found.append("a pregnancy in a patient recorded as not of childbearing potential")
    low, high = WEIGHT_RANGE_KG
    if patient.weight_kg is not None and not low <= patient.weight_kg <= high:
        found.append(f"a weight of {patient.weight_kg:g} kg")
    if not found:
        return []
    what = " and ".join(found)
    return [reason("facts-contradictory", f"The record shows {what}; check and correct it before going on.")]
