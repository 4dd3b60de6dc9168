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


def group_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    """Return why the patient falls in, or may fall in, a group the protocol excludes."""
    excluded = protocol.excluded_groups
    reasons: list[Reason] = []
    if PatientGroup.TRAUMA in excluded:
        if patient.trauma is None:
            reasons.append(reason("trauma-unknown", "Record whether this is a trauma case."))
        elif patient.trauma:
            reasons.append(reason("patient-trauma", f"Trauma patients are excluded from {protocol.name} for APs."))
    if PatientGroup.REDUCED_MOBILITY in excluded:
        if patient.mobility is None:
            reasons.append(reason("mobility-unknown", "Record the patient's mobility."))
        elif patient.mobility is not Mobility.INDEPENDENT:
            reasons.append(
                reason(
                    "patient-reduced-mobility",
                    f"The patient arrives by {patient.mobility.value}; {protocol.name} needs an independently "
                    "mobile patient.",
                )
            )
    if PatientGroup.NON_COOPERATIVE in excluded:
        if patient.cooperative is None:
            reasons.append(reason("cooperation-unknown", "Record whether the patient can co-operate."))
        elif not patient.cooperative:
            reasons.append(
                reason("patient-non-cooperative", "The patient cannot co-operate; a radiographer must take over.")
            )
    if PatientGroup.LACKS_CAPACITY in excluded:
        if patient.has_capacity is None:
            reasons.append(reason("capacity-unknown", "Record whether the patient has capacity to consent."))
        elif not patient.has_capacity:
            reasons.append(
                reason("patient-lacks-capacity", "The patient lacks capacity to consent; a radiographer must decide.")
            )
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
