"""A person's development portfolio, read for the page and the exports: each competency's status, their
evidence, sign-offs, entitlement grants, mandatory training, CPD and career pathway progress."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from inscope.competencies import pathway as career
from inscope.competencies.models import Competency, CpdEntry, Evidence, Framework, Grant, SignOff, TrainingRecord
from inscope.competencies.queries import (
    competencies_for,
    frameworks_for,
    grant_facts,
    latest_grants,
    sign_off_facts,
)
from inscope.policy.limits import describe_conditions
from inscope.policy.matrix import expiry
from inscope.rules.competence import grant_reasons, sign_off_reasons
from inscope.rules.facts import SignOff as SignOffFact
from inscope.staff.models import User

# Mandatory training, renewed on the employer's cycle; the Level 5 modules are qualification progress instead.
MANDATORY = (
    TrainingRecord.Course.RADIATION_SAFETY,
    TrainingRecord.Course.MRI_SAFETY,
    TrainingRecord.Course.MANUAL_HANDLING,
    TrainingRecord.Course.INFECTION_CONTROL,
    TrainingRecord.Course.BASIC_LIFE_SUPPORT,
)
COLOURS = {"signed": "green", "expiring": "yellow", "expired": "red", "revoked": "red", "training": "blue",
           "not_started": "grey", "current": "green", "missing": "grey", "in_force": "green", "lapsed": "red"}


@dataclass(frozen=True)
class CompetencyStatus:
    competency: Competency
    status: str  # signed, expiring, expired, revoked, training, not_started
    text: str  # e.g. "Signed off until 28 November 2028", "In training: 3 of 10 observed examinations"
    observed: int
    evidence: int
    sign_off: SignOff | None  # the latest sign-off row (or revocation)

    @property
    def colour(self) -> str:
        return COLOURS[self.status]


@dataclass(frozen=True)
class TrainingStatus:
    course: str
    label: str
    record: TrainingRecord | None
    status: str  # current, expiring, expired, missing
    text: str

    @property
    def colour(self) -> str:
        return COLOURS[self.status]


@dataclass(frozen=True)
class GrantStatus:
    grant: Grant
    in_force: bool
    text: str
    conditions: str = ""  # in words; "" when the grant has none

    @property
    def colour(self) -> str:
        return COLOURS["in_force" if self.in_force else "lapsed"]


def _day(value: dt.date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value else ""


def competency_status(
    competency: Competency, signs: tuple[SignOffFact, ...], latest: SignOff | None, observed: int, evidence: int,
    on: dt.date,
) -> CompetencyStatus:
    progress = (f"{observed} of {competency.observations_required} observed examinations"
                if competency.kind == Competency.Kind.PRACTICAL else f"{evidence} piece{'s' if evidence != 1 else ''} "
                "of evidence")
    reasons = sign_off_reasons(competency.code, signs, on)
    codes = {r.code for r in reasons}

    def row(status: str, text: str) -> CompetencyStatus:
        return CompetencyStatus(competency, status, text, observed, evidence, latest)

    if "competency-revoked" in codes and latest is not None:
        return row("revoked", f"Revoked on {_day(latest.signed_on)}: {latest.reason}")
    if "competency-expired" in codes and latest is not None:
        return row("expired", f"Expired on {_day(latest.expires_on)}; reassessment needed ({progress})")
    if not reasons and latest is not None:
        if latest.expires_on is None:
            return row("signed", f"Signed off on {_day(latest.signed_on)} by {latest.assessor}")
        soon = expiry(on, latest.expires_on)
        return row("expiring" if soon else "signed",
                   f"Signed off until {_day(latest.expires_on)} by {latest.assessor}")
    if observed or evidence:
        return row("training", f"In training: {progress}")
    return row("not_started", f"Not started ({progress})")


def competency_statuses(person: User, on: dt.date) -> list[CompetencyStatus]:
    competencies = competencies_for(person)
    signs = sign_off_facts(person)
    latest: dict[str, SignOff] = {}
    for s in SignOff.objects.filter(person=person).select_related("competency", "assessor").order_by("-signed_on",
                                                                                                    "-id"):
        latest.setdefault(s.competency.code, s)
    rows = Evidence.objects.filter(person=person).values_list("competency__code", "kind")
    observed = Counter(code for code, kind in rows if kind == Evidence.Kind.OBSERVED)
    other = Counter(code for code, kind in rows if kind != Evidence.Kind.OBSERVED)
    return [
        competency_status(c, signs, latest.get(c.code), observed[c.code], other[c.code], on)
        for c in sorted(competencies, key=lambda c: (c.framework.name, c.kind != "practical", c.code))
    ]


def training_statuses(person: User, on: dt.date) -> list[TrainingStatus]:
    latest: dict[str, TrainingRecord] = {}
    for row in TrainingRecord.objects.filter(person=person).order_by("-completed_on", "-id"):
        latest.setdefault(row.course, row)
    labels = dict(TrainingRecord.Course.choices)
    statuses = []
    for course in MANDATORY:
        record = latest.get(course)
        if record is None:
            statuses.append(TrainingStatus(course, labels[course], None, "missing", "Not recorded"))
            continue
        soon = expiry(on, record.renew_on)
        if soon == "expired":
            statuses.append(TrainingStatus(course, labels[course], record, "expired",
                                           f"Renewal was due on {_day(record.renew_on)}"))
        elif soon:
            statuses.append(TrainingStatus(course, labels[course], record, "expiring",
                                           f"Renew by {_day(record.renew_on)}"))
        else:
            text = f"Current until {_day(record.renew_on)}" if record.renew_on else "Current (no renewal date)"
            statuses.append(TrainingStatus(course, labels[course], record, "current", text))
    return statuses


def grant_statuses(person: User, on: dt.date) -> list[GrantStatus]:
    """The newest grant per protocol that is not revoked, with whether it is in force today and why not."""
    competencies = competencies_for(person)
    signs = sign_off_facts(person)
    facts = {g.protocol: g for g in grant_facts(person, competencies)}
    statuses = []
    for grant in latest_grants(person):
        if grant.revoked:
            continue
        reasons = grant_reasons(facts[grant.protocol_code], signs, on)
        text = (" ".join(r.message for r in reasons) if reasons
                else f"In force until review on {_day(grant.review_date)}")
        conditions = describe_conditions(facts[grant.protocol_code].conditions)
        statuses.append(GrantStatus(grant, not reasons, text, conditions))
    return sorted(statuses, key=lambda s: s.grant.protocol_code)


def signed_frameworks(person: User, on: dt.date) -> frozenset[str]:
    signs = sign_off_facts(person)
    names = set()
    for framework in Framework.objects.latest_versions():
        codes = list(framework.competencies.values_list("code", flat=True))
        if codes and all(not sign_off_reasons(code, signs, on) for code in codes):
            names.add(framework.name)
    return frozenset(names)


def person_record(person: User, on: dt.date) -> career.PersonRecord:
    qualifications = Evidence.objects.filter(
        person=person, kind__in=[Evidence.Kind.QUALIFICATION, Evidence.Kind.CERTIFICATE]
    ).values_list("description", flat=True)
    current = {s.course for s in training_statuses(person, on) if s.status in ("current", "expiring")}
    if TrainingRecord.objects.filter(person=person, course=TrainingRecord.Course.LEVEL5).exists():
        current.add(TrainingRecord.Course.LEVEL5)
    return career.PersonRecord(
        roles=frozenset(r.value for r in person.all_roles()),
        qualifications=tuple(qualifications),
        training=frozenset(current),
        signed_frameworks=signed_frameworks(person, on),
        registered=bool(person.registration.strip()),
    )


def pathway_progress(person: User, on: dt.date) -> career.Progress | None:
    return career.progress(career.pathway(), person_record(person, on))


def cpd_hours(person: User, on: dt.date) -> Decimal:
    """CPD hours recorded over the last twelve months."""
    since = on.replace(year=on.year - 1) if not (on.month == 2 and on.day == 29) else on - dt.timedelta(days=365)
    return sum((e.hours for e in CpdEntry.objects.filter(person=person, occurred_on__gt=since)), Decimal(0))


def framework_labels(person: User) -> list[str]:
    return [str(f) for f in frameworks_for(person)]
