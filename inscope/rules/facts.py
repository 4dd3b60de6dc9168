"""The facts a decision reads: small frozen values built by the caller.

Nothing here touches Django, the database, the clock or settings. A fact that is not known is ``None``,
and the rules treat ``None`` as "escalate", never as "fine".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Staff roles in the department, as the local policy names them."""

    TRAINEE_AP = "trainee_assistant_practitioner"
    AP = "assistant_practitioner"
    RADIOGRAPHER = "radiographer"
    SONOGRAPHER = "sonographer"
    NM_TECHNOLOGIST = "nuclear_medicine_technologist"
    REGISTERED_NURSE = "registered_nurse"
    RADIOLOGIST = "radiologist"
    MANAGER = "manager"
    RPS = "radiation_protection_supervisor"
    MPE = "medical_physics_expert"
    ADMINISTRATOR = "administrator"


ASSISTANT_PRACTITIONER_ROLES = frozenset({Role.TRAINEE_AP, Role.AP})


class Check(StrEnum):
    """Pre-examination checks a protocol can require."""

    IDENTITY = "identity"
    JUSTIFICATION = "justification"
    PREGNANCY = "pregnancy"
    COOPERATION = "cooperation"
    CAPACITY = "capacity"
    MOBILITY = "mobility"
    MRI_SAFETY = "mri_safety"
    CONTRAST = "contrast"
    CANNULATION = "cannulation"


class PatientGroup(StrEnum):
    """Patient groups a protocol can exclude from assistant-practitioner practice."""

    PREGNANT = "pregnant"
    TRAUMA = "trauma"
    REDUCED_MOBILITY = "reduced_mobility"
    NON_COOPERATIVE = "non_cooperative"
    LACKS_CAPACITY = "lacks_capacity"


class DoseClass(StrEnum):
    """Pregnancy rule that applies: the 28-day rule for standard doses, the 10-day rule for high doses."""

    NONE = "none"  # no ionising radiation (MR, ultrasound)
    STANDARD = "standard"
    HIGH = "high"


class PregnancyAnswer(StrEnum):
    DEFINITELY_NOT = "definitely_not"
    POSSIBLY = "possibly"
    PREGNANT = "pregnant"
    DECLINED = "declined"  # patient would not answer, or the enquiry could not be completed


class Mobility(StrEnum):
    """How the patient arrives, from most to least mobile."""

    INDEPENDENT = "independent"
    WHEELCHAIR = "wheelchair"
    TROLLEY = "trolley"
    BED = "bed"


class Identity(StrEnum):
    """The outcome of positive patient identification (the three-point check)."""

    CONFIRMED = "confirmed"
    MISMATCH = "mismatch"  # a detail the patient gave differs from the request: possibly the wrong patient
    CANNOT_CONFIRM = "cannot_confirm"  # the patient cannot state their details (unconscious, no shared language...)


class Justification(StrEnum):
    """Where the practitioner's justification of the exposure stands."""

    PENDING = "pending"
    JUSTIFIED = "justified"
    AUTHORISED = "authorised"  # authorised by an operator under the practitioner's written guidelines
    DECLINED = "declined"  # the practitioner decided the exposure is not justified


class Setting(StrEnum):
    """Where the request comes from: the patient's care setting (HL7 v2 PV1-2 patient class, with GP apart)."""

    GP = "gp"  # GP direct access
    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"
    EMERGENCY = "emergency"


class Laterality(StrEnum):
    """The side the request is for."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    NOT_APPLICABLE = "not_applicable"  # a midline or whole-body examination (chest, spine)


class UnitStatus(StrEnum):
    """Whether a unit of imaging equipment may be used: set by its QA checks, faults and return to service."""

    IN_SERVICE = "in_service"
    RESTRICTED = "restricted"  # usable only when a radiographer decides it is safe for this examination
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class Unit:
    """A unit the examination needs (the room's X-ray tube, detector, scanner...), and why it has its status."""

    name: str
    status: UnitStatus
    reason: str = ""  # the failed or overdue check, or the fault, that set the status


class Supervision(StrEnum):
    DIRECT = "direct"  # supervisor in the room
    INDIRECT = "indirect"  # supervisor immediately accessible


# --- Policy facts: what the approved local policy document says ------------------------------------


@dataclass(frozen=True)
class PatientLimits:
    """Which patients someone may examine: an age range, groups excluded and the mobility levels allowed.

    Used for a protocol's limits (all operators, or the roles named) and for an entitlement's conditions.
    ``None`` and empty sets mean "no limit"; ``mobility`` lists the levels allowed.
    """

    min_age: int | None = None
    max_age: int | None = None
    excluded_groups: frozenset[PatientGroup] = frozenset()
    mobility: frozenset[Mobility] = frozenset()

    @property
    def is_empty(self) -> bool:
        return self == PatientLimits()


@dataclass(frozen=True)
class RoleLimits:
    """Patient limits that bind only operators acting in one of ``roles`` (e.g. an AP minimum age)."""

    roles: frozenset[Role]
    limits: PatientLimits


@dataclass(frozen=True)
class Protocol:
    """One examination protocol from the policy's catalogue.

    ``min_age``/``max_age`` bind every operator; ``excluded_groups`` and ``mobility`` bind assistant
    practitioners; ``role_limits`` add limits for the roles they name.
    """

    code: str
    name: str
    modality: str
    body_region: str
    ap_may_perform: bool
    dose_class: DoseClass
    pregnancy_region: bool  # region lies between the diaphragm and the knees
    min_age: int | None = None
    max_age: int | None = None
    excluded_groups: frozenset[PatientGroup] = frozenset()
    checks: frozenset[Check] = frozenset()
    mobility: frozenset[Mobility] = frozenset()  # levels an AP may examine; empty means any
    role_limits: tuple[RoleLimits, ...] = ()


@dataclass(frozen=True)
class PregnancyPolicy:
    """The employer's pregnancy-enquiry procedure (see shared/reference/pregnancy_enquiry_rules.yaml)."""

    min_age: int = 12
    max_age: int = 55
    low_dose_days: int = 28
    high_dose_days: int = 10
    # An AP escalates a definite "no" when the recorded LMP shows the period is overdue (the answer and the
    # date cannot both be relied on).
    escalate_no_with_overdue_period: bool = True


@dataclass(frozen=True)
class Conditions:
    """Conditions on one person's entitlement, narrower than the protocol (e.g. "non-trauma adults only").

    Every field narrows; the defaults narrow nothing. ``unstructured`` is condition text from a policy written
    before conditions were structured: it cannot be checked, so an entitlement carrying it never covers a case.
    """

    patients: PatientLimits = field(default_factory=PatientLimits)
    body_regions: frozenset[str] = frozenset()  # protocol body regions allowed (lower case); empty means any
    laterality: frozenset[Laterality] = frozenset()  # sides allowed; empty means any
    settings: frozenset[Setting] = frozenset()  # care settings allowed; empty means any
    direct_supervision: bool = False  # only with a supervisor in the room
    unstructured: str = ""

    @property
    def is_empty(self) -> bool:
        return self == Conditions()


@dataclass(frozen=True)
class Entitlement:
    """An IR(ME)R operator entitlement held by one person."""

    tasks: frozenset[str]
    modalities: frozenset[str]
    protocols: frozenset[str]  # empty means every protocol of the modalities
    entitled_by: str
    entitled_on: dt.date
    review_date: dt.date | None
    conditions: Conditions = field(default_factory=Conditions)
    evidence: str = ""
    revoked_on: dt.date | None = None  # the employer withdrew it from this date
    revoked_reason: str = ""

    def covers(self, protocol: Protocol, task: str) -> bool:
        """Return whether this entitlement names the task and the protocol (or its modality)."""
        if task not in self.tasks or protocol.modality not in self.modalities:
            return False
        return not self.protocols or protocol.code in self.protocols


@dataclass(frozen=True)
class SignOff:
    """An assessor's sign-off of one competency for one person."""

    competency: str
    signed_on: dt.date
    expires_on: dt.date | None
    revoked: bool = False


@dataclass(frozen=True)
class Grant:
    """A manager's entitlement of one person for one protocol, in force only while every competency it
    requires is signed off and current (the second of the two steps after sign-off)."""

    protocol: str
    tasks: frozenset[str]
    granted_by: str
    granted_on: dt.date
    review_date: dt.date | None
    required_competencies: frozenset[str]
    revoked: bool = False
    conditions: Conditions = field(default_factory=Conditions)


@dataclass(frozen=True)
class Policy:
    """What the decision needs from the policy document in force."""

    version: str
    protocols: dict[str, Protocol]
    role_protocols: dict[Role, frozenset[str]]  # the scope of practice of each role; "*" means all
    supervision: dict[Role, Supervision]  # how each supervised role must be supervised
    pregnancy: PregnancyPolicy = field(default_factory=PregnancyPolicy)
    routes: dict[str, str] = field(default_factory=dict)  # reason code -> who receives it, overriding the catalogue


# --- Case facts: who, on whom, with what recorded, under whose supervision ------------------------


@dataclass(frozen=True)
class Operator:
    """The person who would carry out the examination."""

    username: str
    roles: frozenset[Role]
    entitlements: tuple[Entitlement, ...] = ()
    excluded_protocols: frozenset[str] = frozenset()  # personal restrictions the policy records
    grants: tuple[Grant, ...] = ()  # entitlements that follow from signed competencies
    sign_offs: tuple[SignOff, ...] = ()


@dataclass(frozen=True)
class Patient:
    """What is known about the patient at the point of care; None is unknown."""

    age: int | None
    childbearing_potential: bool | None = None
    identity: Identity | None = None
    cooperative: bool | None = None
    has_capacity: bool | None = None
    mobility: Mobility | None = None
    trauma: bool | None = None
    pregnancy_answer: PregnancyAnswer | None = None
    last_menstrual_period: dt.date | None = None
    mri_stop_answers: tuple[str, ...] | None = None  # questions answered yes or unsure; () is a clear screen
    weight_kg: float | None = None  # needed for MR: the scanner's SAR limits depend on it
    contrast_checks_done: bool | None = None
    cannula_in_place: bool | None = None


@dataclass(frozen=True)
class Request:
    """The examination request as referred."""

    protocol_code: str
    justification: Justification | None
    justified_by: str = ""  # the practitioner who justified it, or declined to
    setting: Setting | None = None
    laterality: Laterality | None = None


@dataclass(frozen=True)
class SupervisionContext:
    """Who is on duty for the operator now."""

    supervisors_on_duty: tuple[str, ...]
    direct_supervisor_present: bool | None = None


@dataclass(frozen=True)
class Case:
    """Everything one decision reads."""

    operator: Operator
    request: Request
    patient: Patient
    supervision: SupervisionContext
    on: dt.date
    equipment: tuple[Unit, ...] = ()  # the units registered in the room that the examination needs
