"""The local policy document: the employer's scope of practice for assistant practitioners, as versioned YAML.

``parse_policy`` reads and checks a document and reports every problem with its location and line;
``dump_policy`` writes one back. ``PolicyDocument.to_policy`` and ``.operator`` give the facts that
``inscope.rules.evaluate.decide`` reads. Pure Python (PyYAML and inscope.rules only, never Django).
docs/policy.md is the schema reference.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import yaml

from inscope.policy.limits import LimitsReader, conditions_data, limits_data, role_limits_data
from inscope.policy.schema import DocumentError, Problem, join, load_located, suggest
from inscope.rules.facts import (
    Check,
    DoseClass,
    Entitlement,
    Operator,
    PatientLimits,
    Policy,
    PregnancyPolicy,
    Protocol,
    Role,
    Supervision,
)
from inscope.rules.reasons import REASONS, RECIPIENTS

__all__ = [
    "Drl",
    "PersonEntry",
    "PolicyDocument",
    "PolicyDocumentError",
    "Problem",
    "ProtocolEntry",
    "dump_policy",
    "parse_policy",
    "validate_policy",
]

SCHEMA_VERSION = 1
MODALITIES = ("XR", "CT", "MR", "US", "NM", "MG", "RF", "DX", "PX")
NON_IONISING_MODALITIES = frozenset({"MR", "US"})
SUPERVISED_ROLES = (Role.TRAINEE_AP, Role.AP)  # the roles supervision.requirements may name
ALL_PROTOCOLS = "*"
# Tasks an entitlement may name. "operator" is the one the decision engine reads.
ENTITLEMENT_TASKS = (
    "operator",
    "patient_identification",
    "pregnancy_enquiry",
    "authorisation_under_guidelines",
    "clinical_evaluation",
    "mri_safety_screening",
)
DRL_UNITS = {"dap": "Gy·cm²", "dlp": "mGy·cm"}  # the unit each DRL quantity is stored in
_UNIT_SPELLINGS = {
    "dap": {"Gy·cm²", "Gy cm²", "Gy.cm2", "Gy cm2", "Gy*cm2", "Gy·cm2"},
    "dlp": {"mGy·cm", "mGy cm", "mGy.cm", "mGy*cm"},
}
CODE_PATTERN = re.compile(r"[A-Z0-9]{3,8}")
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._@+-]+")

_ROOT_REQUIRED = ("schema_version", "title", "department", "version_label", "supervision", "protocols", "role_scopes")
_ROOT_OPTIONAL = ("pregnancy", "escalation", "people")
_PROTOCOL_REQUIRED = ("code", "name", "modality", "body_region", "ap_may_perform", "dose_class", "pregnancy_region")
_PROTOCOL_OPTIONAL = ("patients", "checks", "local_drl", "description")
_PERSON_REQUIRED = ("username", "name", "roles")
_PERSON_OPTIONAL = ("excluded_protocols", "entitlements", "designations")
_ENTITLEMENT_REQUIRED = ("tasks", "modalities", "entitled_by", "entitled_on")
_ENTITLEMENT_OPTIONAL = ("protocols", "conditions", "review_date", "evidence", "revoked_on", "revoked_reason")
# Who receives escalations besides the supervising radiographer: people the policy designates for each kind.
DESIGNATIONS = tuple(r for r in RECIPIENTS if r not in ("radiographer", "manager"))
_PREGNANCY_KEYS = ("min_age", "max_age", "low_dose_days", "high_dose_days", "escalate_no_with_overdue_period")


class PolicyDocumentError(DocumentError):
    """The policy document cannot be used; ``problems`` lists every problem with its location."""


@dataclass(frozen=True)
class Drl:
    """A local diagnostic reference level: ``dap`` in Gy·cm² or ``dlp`` (CT) in mGy·cm."""

    quantity: str
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class ProtocolEntry:
    """One protocol as the document states it: the decision facts plus what only people read."""

    rule: Protocol
    local_drl: Drl | None = None
    description: str = ""

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def nicip_code(self) -> str:
        """The protocol's code, which the document writes NICIP-style (e.g. XCHES)."""
        return self.rule.code


@dataclass(frozen=True)
class PersonEntry:
    """A named member of staff: roles, personal restrictions and IR(ME)R entitlements."""

    username: str
    name: str
    roles: frozenset[Role]
    excluded_protocols: frozenset[str] = frozenset()
    entitlements: tuple[Entitlement, ...] = ()
    designations: frozenset[str] = frozenset()  # practitioner, mr_authorised, mr_responsible_person


@dataclass(frozen=True)
class PolicyDocument:
    """A checked local policy document."""

    schema_version: int
    title: str
    department: str
    version_label: str
    protocols: dict[str, ProtocolEntry]
    role_scopes: dict[Role, frozenset[str]]
    supervision: dict[Role, Supervision]
    supervisor_roles: frozenset[Role]
    pregnancy: PregnancyPolicy
    escalation_ack_minutes: int
    people: dict[str, PersonEntry]
    routes: dict[str, str] = field(default_factory=dict)  # reason code -> recipient kind

    def designated(self, kind: str) -> frozenset[str]:
        """Return the usernames the policy designates to receive escalations of this kind."""
        return frozenset(p.username for p in self.people.values() if kind in p.designations)

    def to_policy(self, version: str) -> Policy:
        """Return the facts ``decide`` reads, labelled with the version the caller records."""
        return Policy(
            version=version,
            protocols={code: entry.rule for code, entry in self.protocols.items()},
            role_protocols=dict(self.role_scopes),
            supervision=dict(self.supervision),
            pregnancy=self.pregnancy,
            routes=dict(self.routes),
        )

    def operator(self, username: str, roles: frozenset[Role] | None = None) -> Operator:
        """Return the operator facts for a person; someone not in the document has no entitlements."""
        person = self.people.get(username)
        if person is None:
            return Operator(username, frozenset(roles or ()))
        return Operator(
            username,
            person.roles if roles is None else frozenset(roles),
            person.entitlements,
            person.excluded_protocols,
        )

    def as_json(self) -> dict[str, Any]:
        """Return the document as JSON-serialisable data (dates as ISO text), in the YAML's shape."""
        return _to_data(self, iso_dates=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicyDocument:
        """Rebuild a stored document from ``as_json`` data (checked again; raises PolicyDocumentError).

        A stored document may predate structured entitlement conditions: its free-text conditions are kept, and
        the engine does not rely on an entitlement that carries them (``entitlement-conditions-unstructured``).
        """
        return _read(data, {}, legacy=True)


def parse_policy(text: str) -> PolicyDocument:
    """Parse and check a policy document; raise PolicyDocumentError listing every problem."""
    data, lines = load_located(text, PolicyDocumentError)
    return _read(data, lines, legacy=False)


def validate_policy(text: str) -> list[Problem]:
    """Return every problem in a policy document (empty when it is valid)."""
    try:
        parse_policy(text)
    except PolicyDocumentError as exc:
        return exc.problems
    return []


def dump_policy(doc: PolicyDocument) -> str:
    """Write a document as YAML that ``parse_policy`` reads back to an equal document."""
    return yaml.safe_dump(
        _to_data(doc, iso_dates=False), sort_keys=False, allow_unicode=True, default_flow_style=None, width=110
    )


# --- Reading ----------------------------------------------------------------------------------------


def _read(data: Any, lines: dict[str, int], *, legacy: bool) -> PolicyDocument:
    reader = _Reader(lines, legacy=legacy)
    doc = reader.document(data)
    if reader.problems or doc is None:
        raise PolicyDocumentError(reader.sorted_problems() or [Problem("(document)", None, "is empty")])
    return doc


class _Reader(LimitsReader):
    def __init__(self, lines: dict[str, int], *, legacy: bool) -> None:
        super().__init__(lines)
        self.legacy = legacy
        self.body_regions = {}  # modality -> the protocols' body regions, lower case
        self.modality_of: dict[str, str | None] = {}  # every protocol code seen, even in a faulty protocol
        self.ap_excluded: set[str] = set()  # codes with ap_may_perform: false
        self.requirements_read = False  # whether supervision.requirements was a readable mapping
        self.requirement_roles: set[str] = set()  # the roles it names, even with a faulty mode

    def document(self, data: Any) -> PolicyDocument | None:
        if data is None:
            self.add("", "the document is empty")
            return None
        root = self.mapping(data, "", required=_ROOT_REQUIRED, optional=_ROOT_OPTIONAL)
        if root is None:
            return None
        version = self.integer(root, "schema_version", "")
        if version is not None and version != SCHEMA_VERSION:
            self.add(
                "schema_version", f"must be {SCHEMA_VERSION}, the only schema version InScope reads; not {version}"
            )
        protocols = self.protocols(root)
        supervision, supervisor_roles = self.supervision(root)
        known = supervision if self.requirements_read else None  # don't blame people for a broken section
        return PolicyDocument(
            schema_version=version or SCHEMA_VERSION,
            title=self.text(root, "title", "") or "",
            department=self.text(root, "department", "") or "",
            version_label=self.text(root, "version_label", "") or "",
            protocols=protocols,
            role_scopes=self.role_scopes(root),
            supervision=supervision,
            supervisor_roles=supervisor_roles,
            pregnancy=self.pregnancy(root),
            escalation_ack_minutes=self.escalation(root),
            people=self.people(root, known),
            routes=self.routes(root),
        )

    # --- protocols ---

    def protocols(self, root: dict[str, Any]) -> dict[str, ProtocolEntry]:
        entries = self.items(root, "protocols", "")
        if "protocols" in root and not entries and not self.problems_at("protocols"):
            self.add("protocols", "must list at least one protocol")
        first_seen: dict[str, str] = {}
        result: dict[str, ProtocolEntry] = {}
        for where, item in entries:
            entry = self.protocol(item, where)
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
                continue
            if code in first_seen:
                self.add(join(where, "code"), f"duplicate protocol code {code!r} (also {first_seen[code]})")
                continue
            first_seen[code] = where
            if entry is not None:
                result[code] = entry
        return result

    def problems_at(self, path: str) -> bool:
        return any(p.location == path for p in self.problems)

    def protocol(self, item: Any, where: str) -> ProtocolEntry | None:
        m = self.mapping(item, where, required=_PROTOCOL_REQUIRED, optional=_PROTOCOL_OPTIONAL)
        if m is None:
            return None
        code = self.text(m, "code", where, pattern=CODE_PATTERN, hint="3 to 8 capital letters or digits, e.g. XCHES")
        modality = self.choice(m, "modality", where, MODALITIES)
        ap_may_perform = self.boolean(m, "ap_may_perform", where)
        if code is not None:
            self.modality_of.setdefault(code, modality)
            if ap_may_perform is False:
                self.ap_excluded.add(code)
        dose = self.choice(m, "dose_class", where, [d.value for d in DoseClass])
        if modality in NON_IONISING_MODALITIES and dose not in (None, DoseClass.NONE):
            self.add(join(where, "dose_class"), f"must be none: {modality} uses no ionising radiation")
        elif modality is not None and modality not in NON_IONISING_MODALITIES and dose == DoseClass.NONE:
            self.add(join(where, "dose_class"), f"must be standard or high: {modality} uses ionising radiation")
        limits, role_limits = self.patients(m, where)
        body_region = self.text(m, "body_region", where) or ""
        if modality is not None and body_region:
            self.body_regions.setdefault(modality, set()).add(body_region.lower())
        checks = self.list_of(m, "checks", where, lambda v, w: self.choice_value(v, w, [c.value for c in Check]))
        rule = Protocol(
            code=code or "",
            name=self.text(m, "name", where) or "",
            modality=modality or "",
            body_region=body_region,
            ap_may_perform=bool(ap_may_perform),
            dose_class=DoseClass(dose or DoseClass.NONE),
            pregnancy_region=bool(self.boolean(m, "pregnancy_region", where)),
            min_age=limits.min_age,
            max_age=limits.max_age,
            excluded_groups=limits.excluded_groups,
            checks=frozenset(Check(c) for c in checks),
            mobility=limits.mobility,
            role_limits=role_limits,
        )
        drl = self.drl(m, where, modality)
        return ProtocolEntry(rule, drl, self.optional_text(m, "description", where) or "")

    def patients(self, m: dict[str, Any], where: str) -> tuple[PatientLimits, tuple]:
        if m.get("patients") is None:
            return PatientLimits(), ()
        path = join(where, "patients")
        p = self.mapping(m["patients"], path, optional=("min_age", "max_age", "exclude", "mobility", "limits"))
        if p is None:
            return PatientLimits(), ()
        return self.patient_limits(p, path), self.role_limits(p, path)

    def drl(self, m: dict[str, Any], where: str, modality: str | None) -> Drl | None:
        if m.get("local_drl") is None:
            return None
        path = join(where, "local_drl")
        d = self.mapping(m["local_drl"], path, required=("quantity", "value", "source"), optional=("unit",))
        if d is None:
            return None
        if modality in NON_IONISING_MODALITIES:
            self.add(path, f"{modality} gives no radiation dose, so it has no DRL; remove local_drl")
        quantity = self.choice(d, "quantity", path, DRL_UNITS)
        if quantity == "dlp" and modality not in (None, "CT"):
            self.add(join(path, "quantity"), f"dlp is a CT quantity; use dap for {modality}")
        elif quantity == "dap" and modality == "CT":
            self.add(join(path, "quantity"), "CT DRLs are given as dlp (mGy·cm)")
        value = self.number(d, "value", path)
        if value is not None and value <= 0:
            self.add(join(path, "value"), f"must be more than 0, not {value:g}")
        unit = DRL_UNITS.get(quantity or "", "")
        if quantity and d.get("unit") is not None:
            given = self.text(d, "unit", path)
            if given is not None and given not in _UNIT_SPELLINGS[quantity]:
                self.add(join(path, "unit"), f"{quantity} is recorded in {unit}; convert the value, not {given!r}")
        return Drl(quantity or "", value or 0.0, unit, self.text(d, "source", path) or "")

    # --- scopes, supervision, pregnancy, escalation ---

    def protocol_ref(self, value: Any, where: str) -> str | None:
        code = self.text_value(value, where)
        if code is not None and code not in self.modality_of:
            self.add(where, f"unknown protocol code {code!r}{suggest(code, self.modality_of)}")
            return None
        return code

    def role_scopes(self, root: dict[str, Any]) -> dict[Role, frozenset[str]]:
        if "role_scopes" not in root:
            return {}
        roles = [r.value for r in Role]
        m = self.mapping(root["role_scopes"], "role_scopes", optional=roles) or {}
        scopes: dict[Role, frozenset[str]] = {}
        for key in m:
            if key not in roles:
                continue  # reported as an unknown key
            codes = []
            for where, value in self.items(m, key, "role_scopes"):
                code = ALL_PROTOCOLS if value == ALL_PROTOCOLS else self.protocol_ref(value, where)
                if code in self.ap_excluded and key in SUPERVISED_ROLES:
                    self.add(where, f"{code} is in the {key} scope but its ap_may_perform is false")
                if code is not None:
                    codes.append(code)
            scopes[Role(key)] = frozenset(codes)
        return scopes

    def supervision(self, root: dict[str, Any]) -> tuple[dict[Role, Supervision], frozenset[Role]]:
        if "supervision" not in root:
            return {}, frozenset()
        path = "supervision"
        m = self.mapping(root[path], path, required=("supervisor_roles", "requirements"))
        if m is None:
            return {}, frozenset()
        roles = [r.value for r in Role]
        supervisors = self.list_of(m, "supervisor_roles", path, lambda v, w: self.choice_value(v, w, roles))
        if "supervisor_roles" in m and not m["supervisor_roles"]:
            self.add(join(path, "supervisor_roles"), "must name at least one role")
        for where, value in self.items(m, "supervisor_roles", path):
            if value in SUPERVISED_ROLES:
                self.add(where, f"{value} is a supervised role and cannot supervise")
        requirements: dict[Role, Supervision] = {}
        if "requirements" in m:
            req_path = join(path, "requirements")
            read = self.mapping(m["requirements"], req_path, optional=roles)
            self.requirements_read = read is not None
            req = read or {}
            self.requirement_roles = set(req)
            for key in req:
                if key not in roles:
                    continue
                if key not in SUPERVISED_ROLES:
                    self.add(
                        join(req_path, key),
                        f"{key} is not a supervised role; only {', '.join(SUPERVISED_ROLES)} are supervised",
                    )
                    continue
                mode = self.choice(req, key, req_path, [s.value for s in Supervision])
                if mode is not None:
                    requirements[Role(key)] = Supervision(mode)
        return requirements, frozenset(Role(r) for r in supervisors)

    def pregnancy(self, root: dict[str, Any]) -> PregnancyPolicy:
        default = PregnancyPolicy()
        if root.get("pregnancy") is None:
            return default
        path = "pregnancy"
        m = self.mapping(root[path], path, optional=_PREGNANCY_KEYS)
        if m is None:
            return default
        ages = {k: self.integer(m, k, path, default=getattr(default, k), minimum=0) for k in ("min_age", "max_age")}
        days = {
            k: self.integer(m, k, path, default=getattr(default, k), minimum=1, what="a positive whole number of days")
            for k in ("low_dose_days", "high_dose_days")
        }
        if ages["min_age"] is not None and ages["max_age"] is not None and ages["min_age"] > ages["max_age"]:
            self.add(join(path, "min_age"), f"min_age {ages['min_age']} is greater than max_age {ages['max_age']}")
        low, high = days["low_dose_days"], days["high_dose_days"]
        if low is not None and high is not None and high > low:
            self.add(
                join(path, "high_dose_days"), f"high_dose_days ({high}) must not be more than low_dose_days ({low})"
            )
        values: dict[str, Any] = {k: v for k, v in {**ages, **days}.items() if v is not None}
        overdue = self.boolean(m, "escalate_no_with_overdue_period", path)
        if overdue is not None:
            values["escalate_no_with_overdue_period"] = overdue
        return PregnancyPolicy(**values)

    def routes(self, root: dict[str, Any]) -> dict[str, str]:
        escalation = root.get("escalation")
        if not isinstance(escalation, dict) or escalation.get("routes") is None:
            return {}
        path = "escalation.routes"
        m = self.mapping(escalation["routes"], path, optional=list(REASONS))
        found: dict[str, str] = {}
        for code in m or {}:
            if code not in REASONS:
                continue  # reported as an unknown key, with a suggestion
            if REASONS[code].escalate_to is None:
                self.add(join(path, code), f"{code} is for the operator to put right; it is sent to nobody")
                continue
            to = self.choice(m or {}, code, path, RECIPIENTS)
            if to is not None:
                found[code] = to
        return found

    def escalation(self, root: dict[str, Any]) -> int:
        if root.get("escalation") is None:
            return 10
        m = self.mapping(root["escalation"], "escalation", optional=("acknowledge_within_minutes", "routes"))
        if m is None:
            return 10
        minutes = self.integer(
            m,
            "acknowledge_within_minutes",
            "escalation",
            default=10,
            minimum=1,
            what="a positive whole number of minutes",
        )
        return minutes or 10

    # --- people ---

    def people(self, root: dict[str, Any], requirements: dict[Role, Supervision] | None) -> dict[str, PersonEntry]:
        first_seen: dict[str, str] = {}
        result: dict[str, PersonEntry] = {}
        for where, item in self.items(root, "people", ""):
            person = self.person(item, where, requirements)
            username = item.get("username") if isinstance(item, dict) else None
            if not isinstance(username, str):
                continue
            if username in first_seen:
                self.add(join(where, "username"), f"duplicate username {username!r} (also {first_seen[username]})")
                continue
            first_seen[username] = where
            if person is not None:
                result[username] = person
        return result

    def person(self, item: Any, where: str, requirements: dict[Role, Supervision] | None) -> PersonEntry | None:
        m = self.mapping(item, where, required=_PERSON_REQUIRED, optional=_PERSON_OPTIONAL)
        if m is None:
            return None
        username = self.text(m, "username", where, pattern=USERNAME_PATTERN, hint="letters, digits and . _ @ + -")
        roles = self.list_of(m, "roles", where, lambda v, w: self.choice_value(v, w, [r.value for r in Role]))
        if "roles" in m and not m["roles"]:
            self.add(join(where, "roles"), "must name at least one role")
        for role in roles:
            if requirements is not None and role in SUPERVISED_ROLES and role not in self.requirement_roles:
                self.add(join(where, "roles"), f"supervision.requirements gives no supervision for {role}")
        excluded = self.list_of(m, "excluded_protocols", where, self.protocol_ref)
        entitlements = [self.entitlement(value, path, username) for path, value in self.items(m, "entitlements", where)]
        designations = self.list_of(m, "designations", where, lambda v, w: self.choice_value(v, w, DESIGNATIONS))
        return PersonEntry(
            username=username or "",
            name=self.text(m, "name", where) or "",
            roles=frozenset(Role(r) for r in roles),
            excluded_protocols=frozenset(excluded),
            entitlements=tuple(e for e in entitlements if e is not None),
            designations=frozenset(designations),
        )

    def entitlement(self, item: Any, where: str, username: str | None) -> Entitlement | None:
        m = self.mapping(item, where, required=_ENTITLEMENT_REQUIRED, optional=_ENTITLEMENT_OPTIONAL)
        if m is None:
            return None
        tasks = self.list_of(m, "tasks", where, lambda v, w: self.choice_value(v, w, ENTITLEMENT_TASKS))
        modalities = self.list_of(m, "modalities", where, lambda v, w: self.choice_value(v, w, MODALITIES))
        for key in ("tasks", "modalities"):
            if key in m and not m[key]:
                self.add(join(where, key), "must name at least one")
        protocols = []
        for path, value in self.items(m, "protocols", where):
            code = self.protocol_ref(value, path)
            modality = self.modality_of.get(code or "")
            if code is not None and modality is not None and modalities and modality not in modalities:
                self.add(path, f"{code} is for {modality}, but the entitlement covers only {', '.join(modalities)}")
            if code is not None:
                protocols.append(code)
        entitled_by = self.text(m, "entitled_by", where)
        if entitled_by is not None and entitled_by == username:
            self.add(join(where, "entitled_by"), "a person cannot entitle themselves")
        entitled_on = self.date(m, "entitled_on", where)
        review_date = self.date(m, "review_date", where, nullable=True)
        if entitled_on and review_date and review_date < entitled_on:
            self.add(join(where, "review_date"), f"review date {review_date} is before entitled_on {entitled_on}")
        revoked_on, revoked_reason = self.revocation(m, where, entitled_on)
        conditions = self.conditions(m, where, modalities, legacy=self.legacy)
        return Entitlement(
            tasks=frozenset(tasks),
            modalities=frozenset(modalities),
            protocols=frozenset(protocols),
            entitled_by=entitled_by or "",
            entitled_on=entitled_on or dt.date.min,
            review_date=review_date,
            conditions=conditions,
            evidence=self.optional_text(m, "evidence", where) or "",
            revoked_on=revoked_on,
            revoked_reason=revoked_reason,
        )

    def revocation(self, m: dict[str, Any], where: str, entitled_on: dt.date | None) -> tuple[dt.date | None, str]:
        """An entitlement the employer withdrew: both the date and the reason, or neither."""
        revoked_on = self.date(m, "revoked_on", where, nullable=True)
        reason = self.optional_text(m, "revoked_reason", where) or ""
        if revoked_on is not None and not reason:
            self.add(join(where, "revoked_reason"), "give the reason for the revocation; it is shown to the operator")
        if reason and "revoked_on" not in m:
            self.add(join(where, "revoked_on"), "give the date the revocation takes effect")
        if revoked_on and entitled_on and revoked_on < entitled_on:
            self.add(join(where, "revoked_on"), f"revoked_on {revoked_on} is before entitled_on {entitled_on}")
        return revoked_on, reason


# --- Writing ----------------------------------------------------------------------------------------


def _to_data(doc: PolicyDocument, *, iso_dates: bool) -> dict[str, Any]:
    def day(value: dt.date | None) -> dt.date | str | None:
        return value.isoformat() if iso_dates and value is not None else value

    order = list(doc.protocols)

    def codes(values: frozenset[str]) -> list[str]:
        return sorted(values, key=lambda c: (c != ALL_PROTOCOLS, order.index(c) if c in order else len(order), c))

    def in_order(values: frozenset[Any], enum: type[Enum]) -> list[str]:
        return [member.value for member in enum if member in values]

    return {
        "schema_version": doc.schema_version,
        "title": doc.title,
        "department": doc.department,
        "version_label": doc.version_label,
        "pregnancy": {
            "min_age": doc.pregnancy.min_age,
            "max_age": doc.pregnancy.max_age,
            "low_dose_days": doc.pregnancy.low_dose_days,
            "high_dose_days": doc.pregnancy.high_dose_days,
            "escalate_no_with_overdue_period": doc.pregnancy.escalate_no_with_overdue_period,
        },
        "supervision": {
            "supervisor_roles": in_order(doc.supervisor_roles, Role),
            "requirements": {role.value: mode.value for role, mode in doc.supervision.items()},
        },
        "escalation": {
            "acknowledge_within_minutes": doc.escalation_ack_minutes,
            **({"routes": dict(doc.routes)} if doc.routes else {}),
        },
        "protocols": [_protocol_data(entry) for entry in doc.protocols.values()],
        "role_scopes": {role.value: codes(doc.role_scopes[role]) for role in Role if role in doc.role_scopes},
        "people": [
            {
                "username": person.username,
                "name": person.name,
                "roles": in_order(person.roles, Role),
                "excluded_protocols": codes(person.excluded_protocols),
                **({"designations": [d for d in DESIGNATIONS if d in person.designations]}
                   if person.designations else {}),
                "entitlements": [
                    {
                        "tasks": [t for t in ENTITLEMENT_TASKS if t in e.tasks],
                        "modalities": [m for m in MODALITIES if m in e.modalities],
                        "protocols": codes(e.protocols),
                        **({"conditions": conditions_data(e.conditions)} if not e.conditions.is_empty else {}),
                        "entitled_by": e.entitled_by,
                        "entitled_on": day(e.entitled_on),
                        "review_date": day(e.review_date),
                        **({"evidence": e.evidence} if e.evidence else {}),
                        **({"revoked_on": day(e.revoked_on), "revoked_reason": e.revoked_reason}
                           if e.revoked_on else {}),
                    }
                    for e in person.entitlements
                ],
            }
            for person in doc.people.values()
        ],
    }


def _protocol_data(entry: ProtocolEntry) -> dict[str, Any]:
    rule = entry.rule
    data: dict[str, Any] = {
        "code": rule.code,
        "name": rule.name,
        "modality": rule.modality,
        "body_region": rule.body_region,
        "ap_may_perform": rule.ap_may_perform,
        "dose_class": rule.dose_class.value,
        "pregnancy_region": rule.pregnancy_region,
        "patients": {
            **limits_data(PatientLimits(rule.min_age, rule.max_age, rule.excluded_groups, rule.mobility)),
            **({"limits": role_limits_data(rule.role_limits)} if rule.role_limits else {}),
        },
        "checks": [c.value for c in Check if c in rule.checks],
    }
    if entry.local_drl is not None:
        drl = entry.local_drl
        data["local_drl"] = {"quantity": drl.quantity, "value": drl.value, "unit": drl.unit, "source": drl.source}
    if entry.description:
        data["description"] = entry.description
    return data
