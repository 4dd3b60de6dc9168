"""Case files: example situations a manager runs against a draft policy to see what the engine would decide.

A case file is a YAML (or JSON) list of cases; docs/policy.md describes the format. A fact left out is
unknown (None), and the engine treats unknown as "escalate", never as "fine". Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from inscope.policy.document import USERNAME_PATTERN, PolicyDocument
from inscope.policy.schema import Checker, DocumentError, Problem, join, load_located, suggest
from inscope.rules.decisions import Outcome
from inscope.rules.evaluate import decide
from inscope.rules.facts import (
    Case,
    Identity,
    Justification,
    Laterality,
    Mobility,
    Patient,
    PregnancyAnswer,
    Request,
    Role,
    Setting,
    SupervisionContext,
)
from inscope.rules.reasons import REASONS

__all__ = ["CaseFileError", "Expectation", "NamedCase", "evaluate_cases", "parse_cases", "case_warnings", "Problem"]

_CASE_REQUIRED = ("name", "operator", "protocol", "on")
_CASE_OPTIONAL = ("roles", "patient", "request", "supervision", "expect")
_PATIENT_BOOLEANS = (
    "childbearing_potential",
    "cooperative",
    "has_capacity",
    "trauma",
    "contrast_checks_done",
    "cannula_in_place",
)
_PATIENT_KEYS = (
    "age",
    "identity",
    "identity_confirmed",  # the older spelling: true is confirmed, false a mismatch
    *_PATIENT_BOOLEANS,
    "mobility",
    "pregnancy_answer",
    "last_menstrual_period",
    "mri_stop_answers",
    "weight_kg",
)
_REQUEST_KEYS = (
    "justification",
    "justified",  # the older spelling: true is justified, false not yet
    "justified_by",
    "authorised_under_guidelines",  # the older spelling of justification: authorised
    "setting",
    "laterality",
)


class CaseFileError(DocumentError):
    """The case file cannot be used; ``problems`` lists every problem with its location."""


@dataclass(frozen=True)
class Expectation:
    """What the manager expects: the outcome, and reason codes that must all be among the decision's."""

    outcome: Outcome | None = None
    reason_codes: tuple[str, ...] = ()

    def met_by(self, result: dict[str, Any]) -> bool:
        if self.outcome is not None and result["outcome"] != self.outcome.value:
            return False
        return all(code in result["reason_codes"] for code in self.reason_codes)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.outcome is not None:
            data["outcome"] = self.outcome.value
        if self.reason_codes:
            data["reason_codes"] = list(self.reason_codes)
        return data


@dataclass(frozen=True)
class NamedCase:
    """One case from a file: who, what, on whom, when; the operator's facts come from the policy."""

    name: str
    operator: str
    roles: frozenset[Role] | None
    request: Request
    patient: Patient
    supervision: SupervisionContext
    on: dt.date
    expect: Expectation | None = None
    line: int | None = None

    def to_case(self, doc: PolicyDocument) -> Case:
        return Case(doc.operator(self.operator, self.roles), self.request, self.patient, self.supervision, self.on)


def parse_cases(text: str) -> list[NamedCase]:
    """Parse and check a case file; raise CaseFileError listing every problem."""
    data, lines = load_located(text, CaseFileError)
    reader = _Reader(lines)
    cases = reader.cases(data)
    if reader.problems:
        raise CaseFileError(reader.sorted_problems())
    return cases


def evaluate_cases(doc: PolicyDocument, cases: list[NamedCase], version: str | None = None) -> list[dict[str, Any]]:
    """Decide every case under the document; each result is ``{"case": name, **Decision.as_dict()}``.

    A case with ``expect`` also gets ``"expected"`` and ``"as_expected"``. ``version`` is the policy version
    recorded on each decision (default: the document's version_label).
    """
    policy = doc.to_policy(doc.version_label if version is None else version)
    results = []
    for named in cases:
        result: dict[str, Any] = {"case": named.name, **decide(named.to_case(doc), policy).as_dict()}
        if named.expect is not None:
            result["expected"] = named.expect.as_dict()
            result["as_expected"] = named.expect.met_by(result)
        results.append(result)
    return results


def case_warnings(doc: PolicyDocument, cases: list[NamedCase]) -> list[str]:
    """Return hints about cases that are valid but probably mistyped (an operator not in the policy)."""
    return [
        f"case {c.name!r} (line {c.line}): operator {c.operator!r} is not in the policy's people, "
        "so they hold no entitlements"
        for c in cases
        if c.operator not in doc.people
    ]


class _Reader(Checker):
    def cases(self, data: Any) -> list[NamedCase]:
        if not isinstance(data, list):
            self.add(
                "",
                f"a case file must be a list of cases, not {'empty' if data is None else 'a ' + type(data).__name__}",
            )
            return []
        result = []
        first_seen: dict[str, str] = {}
        for i, item in enumerate(data):
            where = f"[{i}]"
            case = self.case(item, where)
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str):
                if name in first_seen:
                    self.add(join(where, "name"), f"duplicate case name {name!r} (also {first_seen[name]})")
                first_seen.setdefault(name, where)
            if case is not None:
                result.append(case)
        return result

    def case(self, item: Any, where: str) -> NamedCase | None:
        m = self.mapping(item, where, required=_CASE_REQUIRED, optional=_CASE_OPTIONAL)
        if m is None:
            return None
        roles = None
        if m.get("roles") is not None:
            roles = frozenset(Role(r) for r in self.list_of(m, "roles", where, self.role))
        protocol = self.text(m, "protocol", where) or ""
        return NamedCase(
            name=self.text(m, "name", where) or "",
            operator=self.text(m, "operator", where, pattern=USERNAME_PATTERN, hint="a username, e.g. ap.patel") or "",
            roles=roles,
            request=self.request(m, where, protocol),
            patient=self.patient(m, where),
            supervision=self.supervision(m, where),
            on=self.date(m, "on", where) or dt.date.min,
            expect=self.expect(m, where),
            line=self.line(where),
        )

    def role(self, value: Any, where: str) -> str | None:
        return self.choice_value(value, where, [r.value for r in Role])

    def section(self, m: dict[str, Any], key: str, where: str, keys: tuple[str, ...]) -> tuple[dict[str, Any], str]:
        path = join(where, key)
        if m.get(key) is None:
            return {}, path
        return self.mapping(m[key], path, optional=keys) or {}, path

    def patient(self, m: dict[str, Any], where: str) -> Patient:
        p, path = self.section(m, "patient", where, _PATIENT_KEYS)
        age = self.integer(p, "age", path, minimum=0, nullable=True, what="an age in whole years")
        facts = {key: self.boolean(p, key, path, nullable=True) for key in _PATIENT_BOOLEANS}
        mobility = self.choice(p, "mobility", path, [v.value for v in Mobility], nullable=True)
        answer = self.choice(p, "pregnancy_answer", path, [v.value for v in PregnancyAnswer], nullable=True)
        stops = None
        if p.get("mri_stop_answers") is not None:
            stops = tuple(self.list_of(p, "mri_stop_answers", path, lambda v, w: self.text_value(v, w)))
        weight = self.number(p, "weight_kg", path) if p.get("weight_kg") is not None else None
        if weight is not None and weight <= 0:
            self.add(join(path, "weight_kg"), f"must be more than 0 kg, not {weight:g}")
        return Patient(
            age=age,
            identity=self.identity(p, path),
            weight_kg=weight,
            mobility=Mobility(mobility) if mobility else None,
            pregnancy_answer=PregnancyAnswer(answer) if answer else None,
            last_menstrual_period=self.date(p, "last_menstrual_period", path, nullable=True),
            mri_stop_answers=stops,
            **facts,
        )

    def identity(self, p: dict[str, Any], path: str) -> Identity | None:
        if "identity" in p and "identity_confirmed" in p:
            self.add(join(path, "identity_confirmed"), "give identity or identity_confirmed, not both")
        chosen = self.choice(p, "identity", path, [i.value for i in Identity], nullable=True)
        if chosen is not None:
            return Identity(chosen)
        confirmed = self.boolean(p, "identity_confirmed", path, nullable=True)
        return None if confirmed is None else Identity.CONFIRMED if confirmed else Identity.MISMATCH

    def request(self, m: dict[str, Any], where: str, protocol: str) -> Request:
        r, path = self.section(m, "request", where, _REQUEST_KEYS)
        older = [k for k in ("justified", "authorised_under_guidelines") if k in r]
        if "justification" in r and older:
            self.add(join(path, older[0]), f"give justification or {older[0]}, not both")
        setting = self.choice(r, "setting", path, [s.value for s in Setting], nullable=True)
        side = self.choice(r, "laterality", path, [s.value for s in Laterality], nullable=True)
        return Request(
            protocol_code=protocol,
            justification=self.justification(r, path),
            justified_by=self.optional_text(r, "justified_by", path) or "",
            setting=Setting(setting) if setting else None,
            laterality=Laterality(side) if side else None,
        )

    def justification(self, r: dict[str, Any], path: str) -> Justification | None:
        chosen = self.choice(r, "justification", path, [j.value for j in Justification], nullable=True)
        if chosen is not None:
            return Justification(chosen)
        if self.boolean(r, "authorised_under_guidelines", path, nullable=True):
            return Justification.AUTHORISED
        justified = self.boolean(r, "justified", path, nullable=True)
        return None if justified is None else Justification.JUSTIFIED if justified else Justification.PENDING

    def supervision(self, m: dict[str, Any], where: str) -> SupervisionContext:
        s, path = self.section(m, "supervision", where, ("supervisors_on_duty", "direct_supervisor_present"))
        on_duty = self.list_of(s, "supervisors_on_duty", path, lambda v, w: self.text_value(v, w))
        return SupervisionContext(
            supervisors_on_duty=tuple(on_duty),
            direct_supervisor_present=self.boolean(s, "direct_supervisor_present", path, nullable=True),
        )

    def expect(self, m: dict[str, Any], where: str) -> Expectation | None:
        if m.get("expect") is None:
            return None
        e, path = self.section(m, "expect", where, ("outcome", "reason_codes"))
        outcome = self.choice(e, "outcome", path, [o.value for o in Outcome])
        codes = self.list_of(e, "reason_codes", path, self.reason_code)
        return Expectation(Outcome(outcome) if outcome else None, tuple(codes))

    def reason_code(self, value: Any, where: str) -> str | None:
        code = self.text_value(value, where)
        if code is not None and code not in REASONS:
            self.add(where, f"unknown reason code {code!r}{suggest(code, REASONS)}; docs/decisions.md lists them")
            return None
        return code
