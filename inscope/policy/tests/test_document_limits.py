"""The schema keys that say which patients and who receives what: entitlement conditions, role-scoped protocol
limits, mobility levels, revocation, designations, escalation routes and the pregnancy option. Each is read into
the facts the engine decides on, round-trips through dump_policy, and is refused with its location when wrong.
"""

from __future__ import annotations

import datetime as dt

import pytest

from inscope.policy.document import PolicyDocument, dump_policy, parse_policy
from inscope.policy.tests.test_document_problems import MINIMAL, assert_reported
from inscope.rules.facts import Conditions, Laterality, Mobility, PatientGroup, PatientLimits, Role, Setting

ENTITLEMENT = """        entitled_by: m.boss
        entitled_on: 2026-01-12
        review_date: 2027-01-12
"""


def with_conditions(conditions: str) -> str:
    return MINIMAL.replace(ENTITLEMENT, f"        conditions: {conditions}\n{ENTITLEMENT}")


def entitlement_of(text: str):
    return parse_policy(text).people["ap.one"].entitlements[0]


def test_conditions_are_read_into_the_engines_facts() -> None:
    text = with_conditions("{min_age: 18, exclude: [trauma, pregnant], mobility: [independent, wheelchair], "
                           "body_regions: [Chest], laterality: [left, right], settings: [gp], supervision: direct}")
    assert entitlement_of(text).conditions == Conditions(
        patients=PatientLimits(
            min_age=18,
            excluded_groups=frozenset({PatientGroup.TRAUMA, PatientGroup.PREGNANT}),
            mobility=frozenset({Mobility.INDEPENDENT, Mobility.WHEELCHAIR}),
        ),
        body_regions=frozenset({"chest"}),
        laterality=frozenset({Laterality.LEFT, Laterality.RIGHT}),
        settings=frozenset({Setting.GP}),
        direct_supervision=True,
    )


def test_every_new_key_survives_a_round_trip() -> None:
    text = with_conditions("{max_age: 70, exclude: [trauma], settings: [gp, outpatient]}")
    text = text.replace("patients: {min_age: 16, max_age: null, exclude: [trauma]}",
                        "patients:\n      min_age: 16\n      mobility: [independent, wheelchair]\n      limits:\n"
                        "        - {roles: [assistant_practitioner], min_age: 18, exclude: [pregnant]}")
    text = text.replace("    excluded_protocols: []\n",
                        "    excluded_protocols: []\n    designations: [practitioner]\n")
    text = text.replace("        review_date: 2027-01-12\n",
                        "        review_date: 2027-01-12\n        revoked_on: 2026-06-01\n"
                        "        revoked_reason: competency under review\n")
    text += ("escalation:\n  acknowledge_within_minutes: 5\n  routes: {mri-screening-stop: mr_responsible_person}\n"
             "pregnancy: {escalate_no_with_overdue_period: false}\n")
    doc = parse_policy(text)
    assert parse_policy(dump_policy(doc)) == doc
    assert PolicyDocument.from_json(doc.as_json()) == doc
    chest = doc.protocols["XCHES"].rule
    assert chest.mobility == frozenset({Mobility.INDEPENDENT, Mobility.WHEELCHAIR})
    assert chest.role_limits[0].roles == frozenset({Role.AP})
    assert chest.role_limits[0].limits.excluded_groups == frozenset({PatientGroup.PREGNANT})
    entitlement = doc.people["ap.one"].entitlements[0]
    assert (entitlement.revoked_on, entitlement.revoked_reason) == (dt.date(2026, 6, 1), "competency under review")
    assert doc.designated("practitioner") == frozenset({"ap.one"})
    policy = doc.to_policy("v1")
    assert policy.routes == {"mri-screening-stop": "mr_responsible_person"}
    assert policy.pregnancy.escalate_no_with_overdue_period is False


PROBLEMS = {
    "free-text conditions": (
        "        entitled_by: m.boss", "        conditions: Co-operative adults only\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions", "must be a mapping", "Co-operative adults only",
    ),
    "unknown condition": (
        "        entitled_by: m.boss", "        conditions: {adults_only: true}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions.adults_only", "unknown key", "adults_only",
    ),
    "empty conditions": (
        "        entitled_by: m.boss", "        conditions: {}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions", "is empty", "conditions: {}",
    ),
    "a body region no protocol has": (
        "        entitled_by: m.boss", "        conditions: {body_regions: [chst]}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions.body_regions[0]", "did you mean 'chest'", "chst",
    ),
    "a side that is not one": (
        "        entitled_by: m.boss", "        conditions: {laterality: [middle]}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions.laterality[0]", "must be one of", "middle",
    ),
    "a setting that is not one": (
        "        entitled_by: m.boss", "        conditions: {settings: [ward]}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions.settings[0]", "must be one of", "ward",
    ),
    "indirect supervision as a condition": (
        "        entitled_by: m.boss", "        conditions: {supervision: indirect}\n        entitled_by: m.boss",
        "people[0].entitlements[0].conditions.supervision", "must be one of direct", "{supervision: indirect}",
    ),
    "reduced_mobility beside mobility levels": (
        "exclude: [trauma]}", "exclude: [trauma, reduced_mobility], mobility: [wheelchair]}",
        "protocols[0].patients.exclude", "contradicts mobility", "reduced_mobility",
    ),
    "an empty mobility list": (
        "exclude: [trauma]}", "exclude: [trauma], mobility: []}",
        "protocols[0].patients.mobility", "at least one level", "mobility: []",
    ),
    "a role limit for a role that examines nobody": (
        "exclude: [trauma]}", "exclude: [trauma], limits: [{roles: [manager], min_age: 18}]}",
        "protocols[0].patients.limits[0].roles[0]", "must be one of", "manager",
    ),
    "a role limit that limits nothing": (
        "exclude: [trauma]}", "exclude: [trauma], limits: [{roles: [assistant_practitioner]}]}",
        "protocols[0].patients.limits[0]", "but no limit", "limits:",
    ),
    "a revocation without its reason": (
        "        review_date: 2027-01-12", "        review_date: 2027-01-12\n        revoked_on: 2026-03-01",
        "people[0].entitlements[0].revoked_reason", "give the reason", None,
    ),
    "a revocation reason without its date": (
        "        review_date: 2027-01-12", "        review_date: 2027-01-12\n        revoked_reason: incident",
        "people[0].entitlements[0].revoked_on", "give the date", None,
    ),
    "a revocation before the entitlement began": (
        "        review_date: 2027-01-12",
        "        review_date: 2027-01-12\n        revoked_on: 2025-01-01\n        revoked_reason: incident",
        "people[0].entitlements[0].revoked_on", "is before entitled_on", "revoked_on",
    ),
    "an unknown designation": (
        "    excluded_protocols: []", "    excluded_protocols: []\n    designations: [mr_safety_expert]",
        "people[0].designations[0]", "must be one of practitioner, mr_authorised, mr_responsible_person",
        "mr_safety_expert",
    ),
    "a route for a code that does not exist": (
        "role_scopes:", "escalation: {routes: {mri-screening-stp: mr_authorised}}\nrole_scopes:",
        "escalation.routes.mri-screening-stp", "did you mean 'mri-screening-stop'", "mri-screening-stp",
    ),
    "a route to nobody the policy knows": (
        "role_scopes:", "escalation: {routes: {mri-screening-stop: physicist}}\nrole_scopes:",
        "escalation.routes.mri-screening-stop", "must be one of radiographer", "physicist",
    ),
    "a route for a reason the operator puts right": (
        "role_scopes:", "escalation: {routes: {identity-not-checked: manager}}\nrole_scopes:",
        "escalation.routes.identity-not-checked", "sent to nobody", "identity-not-checked",
    ),
    "the pregnancy option not true or false": (
        "role_scopes:", "pregnancy: {escalate_no_with_overdue_period: sometimes}\nrole_scopes:",
        "pregnancy.escalate_no_with_overdue_period", "must be true or false", "sometimes",
    ),
}


@pytest.mark.parametrize(("old", "new", "location", "message", "on_line"), PROBLEMS.values(), ids=PROBLEMS)
def test_each_mistake_is_refused_where_it_is(old: str, new: str, location: str, message: str,
                                             on_line: str | None) -> None:
    assert_reported(old, new, location, message, on_line)


def test_a_stored_document_from_before_structured_conditions_still_loads_and_is_not_relied_on() -> None:
    data = parse_policy(MINIMAL).as_json()
    data["people"][0]["entitlements"][0]["conditions"] = "Co-operative adults only"
    stored = PolicyDocument.from_json(data)
    assert stored.people["ap.one"].entitlements[0].conditions == Conditions(unstructured="Co-operative adults only")
    # Written out again it is still text, so a manager who re-imports it is told to structure it.
    with pytest.raises(Exception, match="problem"):
        parse_policy(dump_policy(stored))
