"""Reading and writing the parts of the policy document that say which patients: a protocol's limits (for every
operator, for APs, and for the roles a limit names) and the conditions on one person's entitlement.

Pure Python, shared by ``document.py``. Every key read here changes a decision (inscope.rules.patient_groups and
inscope.rules.conditions); anything else is a problem with its location.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inscope.policy.schema import Checker, DocumentError, join, suggest
from inscope.rules.facts import (
    Conditions,
    Laterality,
    Mobility,
    PatientGroup,
    PatientLimits,
    Protocol,
    Role,
    RoleLimits,
    Setting,
)

LIMIT_KEYS = ("min_age", "max_age", "exclude", "mobility")
CONDITION_KEYS = (*LIMIT_KEYS, "body_regions", "laterality", "settings", "supervision")
# Roles a protocol limit can name: the ones that perform examinations (inscope.rules.scope.OPERATING_ROLES).
LIMITED_ROLES = (
    Role.TRAINEE_AP,
    Role.AP,
    Role.RADIOGRAPHER,
    Role.SONOGRAPHER,
    Role.NM_TECHNOLOGIST,
    Role.RADIOLOGIST,
)


class LimitsReader(Checker):
    """Checks patient limits and entitlement conditions; ``body_regions`` are the protocols' regions by modality."""

    body_regions: dict[str, set[str]]

    def patient_limits(self, m: dict[str, Any], path: str, *, keys: tuple[str, ...] = LIMIT_KEYS) -> PatientLimits:
        """Read min_age, max_age, exclude and mobility from a mapping already checked for unknown keys."""
        min_age = self.integer(m, "min_age", path, minimum=0, nullable=True, what="an age in whole years")
        max_age = self.integer(m, "max_age", path, minimum=0, nullable=True, what="an age in whole years")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.add(join(path, "min_age"), f"min_age {min_age} is greater than max_age {max_age}")
        groups = self.list_of(m, "exclude", path, lambda v, w: self.choice_value(v, w, [g.value for g in PatientGroup]))
        mobility = self.list_of(m, "mobility", path, lambda v, w: self.choice_value(v, w, [v.value for v in Mobility]))
        if "mobility" in m and m["mobility"] is not None and not m["mobility"]:
            self.add(join(path, "mobility"), "must name at least one level; leave it out to allow every level")
        if mobility and PatientGroup.REDUCED_MOBILITY.value in groups:
            self.add(
                join(path, "exclude"),
                "reduced_mobility allows only independent patients, which contradicts mobility; "
                "list the levels allowed under mobility instead",
            )
        return PatientLimits(
            min_age=min_age,
            max_age=max_age,
            excluded_groups=frozenset(PatientGroup(g) for g in groups),
            mobility=frozenset(Mobility(v) for v in mobility),
        )

    def role_limits(self, m: dict[str, Any], path: str) -> tuple[RoleLimits, ...]:
        found = []
        for where, item in self.items(m, "limits", path):
            limit = self.mapping(item, where, required=("roles",), optional=LIMIT_KEYS)
            if limit is None:
                continue
            roles = self.list_of(limit, "roles", where, lambda v, w: self.choice_value(v, w, LIMITED_ROLES))
            if "roles" in limit and not limit["roles"]:
                self.add(join(where, "roles"), "must name at least one role")
            limits = self.patient_limits(limit, where)
            if limits.is_empty:
                self.add(where, f"names roles but no limit; give at least one of {', '.join(LIMIT_KEYS)}")
            found.append(RoleLimits(frozenset(Role(r) for r in roles), limits))
        return tuple(found)

    def conditions(self, m: dict[str, Any], where: str, modalities: list[str], *, legacy: bool) -> Conditions:
        """Read an entitlement's conditions; free text is refused, except in a stored document from before they
        were structured (``legacy``), where it is kept so the engine can refuse to rely on it."""
        value = m.get("conditions")
        path = join(where, "conditions")
        if value is None:
            return Conditions()
        if isinstance(value, str):
            if legacy:
                return Conditions(unstructured=value)
            self.add(
                path,
                "conditions are read by the decision engine, so they must be a mapping of "
                f"{', '.join(CONDITION_KEYS)}, not free text (e.g. conditions: {{min_age: 18, exclude: [trauma]}})",
            )
            return Conditions()
        c = self.mapping(value, path, optional=CONDITION_KEYS)
        if c is None:
            return Conditions()
        regions = self.list_of(c, "body_regions", path, lambda v, w: self.body_region(v, w, modalities))
        sides = self.list_of(c, "laterality", path, lambda v, w: self.choice_value(v, w, [s.value for s in Laterality]))
        places = self.list_of(c, "settings", path, lambda v, w: self.choice_value(v, w, [s.value for s in Setting]))
        for key in ("body_regions", "laterality", "settings"):
            if key in c and c[key] is not None and not c[key]:
                self.add(join(path, key), "must name at least one; leave it out for no condition")
        supervision = self.choice(c, "supervision", path, ["direct"])
        conditions = Conditions(
            patients=self.patient_limits(c, path),
            body_regions=frozenset(r.lower() for r in regions),
            laterality=frozenset(Laterality(s) for s in sides),
            settings=frozenset(Setting(s) for s in places),
            direct_supervision=supervision == "direct",
        )
        if conditions.is_empty and not self.problems_under(path):
            self.add(path, "is empty; give at least one condition, or leave conditions out")
        return conditions

    def body_region(self, value: Any, where: str, modalities: list[str]) -> str | None:
        region = self.text_value(value, where)
        if region is None:
            return None
        known = set().union(*(self.body_regions.get(m, set()) for m in modalities)) if modalities else set()
        if region.lower() not in known:
            listed = ", ".join(sorted(known)) or "none"
            self.add(where, f"no {'/'.join(modalities)} protocol has body region {region!r}"
                            f"{suggest(region.lower(), known)}; the regions are: {listed}")
            return None
        return region

    def problems_under(self, path: str) -> bool:
        return any(p.location == path or p.location.startswith(f"{path}.") for p in self.problems)


def regions_by_modality(protocols: Iterable[Protocol]) -> dict[str, set[str]]:
    """The protocols' body regions (lower case) by modality: the regions a condition may name."""
    regions: dict[str, set[str]] = {}
    for protocol in protocols:
        regions.setdefault(protocol.modality, set()).add(protocol.body_region.lower())
    return regions


class ConditionsError(DocumentError):
    """Conditions that do not read; ``problems`` lists each, located as ``conditions.<key>``."""


def parse_conditions(
    data: Any, body_regions: dict[str, set[str]] | None = None, modalities: Iterable[str] = ()
) -> Conditions:
    """Read conditions written in the policy document's shape (e.g. a manager's grant, from a form), with the same
    checks; raise ConditionsError. ``None`` is no conditions.

    ``body_regions`` are the policy's protocols' regions by modality (lower case), and a region named must be one of
    ``modalities``'. Without them, the regions are taken as written: conditions stored after that check.
    """
    if body_regions is None:
        written = data.get("body_regions") if isinstance(data, dict) else None
        body_regions = {"": {str(r).lower() for r in written} if isinstance(written, list) else set()}
        modalities = [""]
    reader = LimitsReader({})
    reader.body_regions = body_regions
    conditions = reader.conditions({"conditions": data}, "", list(modalities), legacy=False)
    if reader.problems:
        raise ConditionsError(reader.problems)
    return conditions


def limits_data(limits: PatientLimits) -> dict[str, Any]:
    """The limits as the document writes them (mobility only when it limits)."""
    data: dict[str, Any] = {
        "min_age": limits.min_age,
        "max_age": limits.max_age,
        "exclude": [g.value for g in PatientGroup if g in limits.excluded_groups],
    }
    if limits.mobility:
        data["mobility"] = [m.value for m in Mobility if m in limits.mobility]
    return data


def role_limits_data(limits: tuple[RoleLimits, ...]) -> list[dict[str, Any]]:
    return [
        {"roles": [r.value for r in LIMITED_ROLES if r in limit.roles],
         **{k: v for k, v in limits_data(limit.limits).items() if v not in (None, [])}}
        for limit in limits
    ]


def conditions_data(conditions: Conditions) -> dict[str, Any] | str:
    """The conditions as the document writes them, only the keys that narrow; legacy text stays text."""
    if conditions.unstructured:
        return conditions.unstructured
    data = {k: v for k, v in limits_data(conditions.patients).items() if v not in (None, [])}
    if conditions.body_regions:
        data["body_regions"] = sorted(conditions.body_regions)
    if conditions.laterality:
        data["laterality"] = [s.value for s in Laterality if s in conditions.laterality]
    if conditions.settings:
        data["settings"] = [s.value for s in Setting if s in conditions.settings]
    if conditions.direct_supervision:
        data["supervision"] = "direct"
    return data


def describe_conditions(conditions: Conditions) -> str:
    """The conditions in a line people read, for the matrix and the entitlement record ("" when none)."""
    if conditions.unstructured:
        return f"free text, not checked: {conditions.unstructured}"
    parts = []
    p = conditions.patients
    if p.min_age is not None and p.max_age is not None:
        parts.append(f"aged {p.min_age} to {p.max_age}")
    elif p.min_age is not None:
        parts.append(f"aged {p.min_age} and over")
    elif p.max_age is not None:
        parts.append(f"aged up to {p.max_age}")
    if p.excluded_groups:
        parts.append("not " + ", ".join(g.value.replace("_", " ") for g in PatientGroup if g in p.excluded_groups))
    if p.mobility:
        parts.append(" or ".join(m.value for m in Mobility if m in p.mobility) + " patients")
    if conditions.body_regions:
        parts.append(", ".join(sorted(conditions.body_regions)) + " only")
    if conditions.laterality:
        parts.append(" or ".join(s.value.replace("_", " ") for s in Laterality if s in conditions.laterality))
    if conditions.settings:
        parts.append(" or ".join(s.value for s in Setting if s in conditions.settings) + " referrals")
    if conditions.direct_supervision:
        parts.append("under direct supervision")
    return "; ".join(parts)
