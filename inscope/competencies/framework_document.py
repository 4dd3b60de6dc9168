"""Competency frameworks as YAML: read with every problem located, and written back (pure Python).

    name: AP general radiography
    version: 1
    roles: [trainee_assistant_practitioner, assistant_practitioner]
    competencies:
      - code: AP-XR-CHEST
        title: Chest PA on a co-operative adult
        kind: practical
        protocols: [XCHES]
        observations_required: 10
        reassess_months: 24
        assessor_roles: [radiographer]
      - code: AP-K-RADPROT
        title: Radiation protection and dose management
        kind: knowledge
        area: radiation protection and dose management
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import yaml

from inscope.policy.schema import Checker, DocumentError, load_located
from inscope.rules.facts import Role

CODE = re.compile(r"[A-Z][A-Z0-9-]{1,29}")
KINDS = ("knowledge", "practical")
ROLES = [r.value for r in Role]


class FrameworkError(DocumentError):
    pass


@dataclass(frozen=True)
class CompetencyEntry:
    code: str
    title: str
    kind: str
    area: str = ""
    protocols: tuple[str, ...] = ()
    observations_required: int = 0
    reassess_months: int | None = None
    assessor_roles: tuple[str, ...] = ("radiographer",)


@dataclass(frozen=True)
class FrameworkDocument:
    name: str
    version: int
    roles: tuple[str, ...]
    competencies: tuple[CompetencyEntry, ...]


def parse_framework(text: str) -> FrameworkDocument:
    """Read a framework, raising FrameworkError with every problem and its line."""
    data, lines = load_located(text, FrameworkError)
    check = Checker(lines)
    root = check.mapping(data, "", required=["name", "version", "roles", "competencies"])
    if root is None:
        raise FrameworkError(check.sorted_problems())
    name = check.text(root, "name", "")
    version = check.integer(root, "version", "", minimum=1, what="a version number of 1 or more")
    roles = [check.choice_value(v, w, ROLES) for w, v in check.items(root, "roles", "")]
    competencies = check.list_of(root, "competencies", "", lambda v, w: _competency(check, v, w))
    codes = [c.code for c in competencies]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            check.add(f"competencies[{i}].code", f"{code} appears twice")
    if not competencies and not check.problems:
        check.add("competencies", "must list at least one competency")
    if check.problems:
        raise FrameworkError(check.sorted_problems())
    if name is None or version is None:  # already reported as problems; this narrows the types
        raise FrameworkError(check.sorted_problems())
    return FrameworkDocument(name, version, tuple(r for r in roles if r), tuple(competencies))


def _competency(check: Checker, value: Any, where: str) -> CompetencyEntry | None:
    m = check.mapping(value, where, required=["code", "title", "kind"],
                      optional=["area", "protocols", "observations_required", "reassess_months", "assessor_roles"])
    if m is None:
        return None
    code = check.text(m, "code", where, pattern=CODE, hint="use capitals, digits and hyphens, like AP-XR-CHEST")
    title = check.text(m, "title", where)
    kind = check.choice(m, "kind", where, KINDS)
    protocols = [check.text_value(v, w) for w, v in check.items(m, "protocols", where)]
    observations = check.integer(m, "observations_required", where, default=0, minimum=0)
    months = check.integer(m, "reassess_months", where, minimum=1, nullable=True,
                           what="a number of months of 1 or more")
    assessors = [check.choice_value(v, w, ROLES) for w, v in check.items(m, "assessor_roles", where)]
    if kind == "practical" and not protocols:
        check.add(f"{where}.protocols", "a practical competency must name the protocols it covers")
    if kind == "knowledge" and observations:
        check.add(f"{where}.observations_required", "only practical competencies have observed practice")
    if code is None or title is None or kind is None:
        return None
    return CompetencyEntry(
        code=code, title=title, kind=kind, area=check.optional_text(m, "area", where) or "",
        protocols=tuple(p for p in protocols if p), observations_required=observations or 0,
        reassess_months=months, assessor_roles=tuple(a for a in assessors if a) or ("radiographer",),
    )


def dump_framework(document: FrameworkDocument) -> str:
    """Write a framework as YAML that parse_framework reads back to the same document."""
    data = asdict(document)
    data["roles"] = list(document.roles)
    data["competencies"] = [
        {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c).items() if v not in ("", (), None)}
        for c in document.competencies
    ]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
