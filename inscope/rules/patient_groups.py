"""Patient groups: who a protocol is for. APs work with conscious, co-operative, communicative adults
(SCoR, Scope of Practice of Assistant Practitioners, 2012); the policy says which other groups are excluded.
"""

from __future__ import annotations

import datetime as dt

from inscope.rules.decisions import Reason
from inscope.rules.facts import Mobility, Patient, PatientGroup, Protocol
from inscope.rules.reasons import reason


def age_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    """Return why the patient's age is outside the protocol's range, or unknown when the range matters."""
    if protocol.min_age is None and protocol.max_age is None:
        return []
    if patient.age is None:
        return [reason("patient-age-unknown", "The patient's age is not known, so the age limits cannot be checked.")]
    if protocol.min_age is not None and patient.age < protocol.min_age:
        return [
            reason(
                "patient-below-minimum-age",
                f"The patient is {patient.age}; {protocol.name} is for patients aged {protocol.min_age} and over.",
            )
        ]
    if protocol.max_age is not None and patient.age > protocol.max_age:
        return [
            reason(
                "patient-above-maximum-age",
                f"The patient is {patient.age}; {protocol.name} is for patients up to {protocol.max_age}.",
            )
        ]
    return []


def _excluded(patient: Patient, group: PatientGroup) -> bool | None:
    """Return whether the patient is in the group, or None when the fact that tells is not recorded."""
    if group is PatientGroup.TRAUMA:
        return patient.trauma
    if group is PatientGroup.REDUCED_MOBILITY:
        return None if patient.mobility is None else patient.mobility is not Mobility.INDEPENDENT
    if group is PatientGroup.NON_COOPERATIVE:
        return None if patient.cooperative is None else not patient.cooperative
    if group is PatientGroup.LACKS_CAPACITY:
        return None if patient.has_capacity is None else not patient.has_capacity
    return False  # pregnancy is decided by the pregnancy rules


# For each group a protocol may exclude: (code when unknown, message), (code when in the group, message).
_GROUP_REASONS = {
    PatientGroup.TRAUMA: (
        ("trauma-unknown", "Record whether this is a trauma case."),
        ("patient-trauma", "Trauma patients are excluded from {name} for APs."),
    ),
    PatientGroup.REDUCED_MOBILITY: (
        ("mobility-unknown", "Record the patient's mobility."),
        ("patient-reduced-mobility", "The patient arrives by {mobility}; {name} needs a patient who walks."),
    ),
    PatientGroup.NON_COOPERATIVE: (
        ("cooperation-unknown", "Record whether the patient can co-operate."),
        ("patient-non-cooperative", "The patient cannot co-operate; a radiographer must take over."),
    ),
    PatientGroup.LACKS_CAPACITY: (
        ("capacity-unknown", "Record whether the patient has capacity to consent."),
        ("patient-lacks-capacity", "The patient lacks capacity to consent; a radiographer must decide."),
    ),
}


def group_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    """Return why the patient falls in, or may fall in, a group the protocol excludes."""
    reasons: list[Reason] = []
    for group, (unknown, excluded) in _GROUP_REASONS.items():
        if group not in protocol.excluded_groups:
            continue
        verdict = _excluded(patient, group)
        if verdict is None or verdict:
            code, message = unknown if verdict is None else excluded
            mobility = patient.mobility.value if patient.mobility else ""
            reasons.append(reason(code, message.format(name=protocol.name, mobility=mobility)))
    return reasons


def contradiction_reasons(patient: Patient, on: dt.date) -> list[Reason]:
    """Return one reason naming every recorded fact that cannot be true (a decision keeps one reason per code)."""
    found: list[str] = []
    if patient.age is not None and not 0 <= patient.age <= 130:
        found.append(f"an age of {patient.age}")
    if patient.last_menstrual_period is not None and patient.last_menstrual_period > on:
        found.append("a last menstrual period after today")
    if patient.childbearing_potential is False and patient.pregnancy_answer == "pregnant":
        found.append("a pregnancy in a patient recorded as not of childbearing potential")
    if not found:
        return []
    what = " and ".join(found)
    return [reason("facts-contradictory", f"The record shows {what}; check and correct it before going on.")]
