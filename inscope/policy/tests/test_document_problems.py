"""Broken structure (keys, types, values, dates, duplicates): each problem is reported where it is, in plain words.

MINIMAL and assert_reported are shared with test_document_consistency.py.
"""

from __future__ import annotations

import pytest

from inscope.policy.document import parse_policy, validate_policy

MINIMAL = """\
schema_version: 1
title: Test policy
department: Test Imaging
version_label: "t1"
supervision:
  supervisor_roles: [radiographer]
  requirements: {trainee_assistant_practitioner: direct, assistant_practitioner: indirect}
protocols:
  - code: XCHES
    name: XR Chest PA
    modality: XR
    body_region: chest
    ap_may_perform: true
    dose_class: standard
    pregnancy_region: false
    patients: {min_age: 16, max_age: null, exclude: [trauma]}
    checks: [identity, justification]
    local_drl: {quantity: dap, value: 0.1, unit: "Gy·cm²", source: local}
  - code: MKNEE
    name: MRI Knee
    modality: MR
    body_region: knee
    ap_may_perform: true
    dose_class: none
    pregnancy_region: false
role_scopes:
  assistant_practitioner: [XCHES, MKNEE]
  radiographer: ["*"]
people:
  - username: ap.one
    name: Alex One
    roles: [assistant_practitioner]
    excluded_protocols: []
    entitlements:
      - tasks: [operator]
        modalities: [XR]
        protocols: [XCHES]
        entitled_by: m.boss
        entitled_on: 2026-01-12
        review_date: 2027-01-12
"""


def assert_reported(old: str, new: str, location: str, message: str, on_line: str | None) -> None:
    """Break MINIMAL by replacing old with new; the problem must be at location, on the line holding on_line."""
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    problems = validate_policy(text)
    matching = [p for p in problems if p.location == location and message in p.message]
    assert matching, f"expected {location}: ...{message}... in {[str(p) for p in problems]}"
    if on_line is not None:
        assert matching[0].line == text[: text.index(on_line)].count("\n") + 1


# Broken structure: (old text, new text, location, message substring, the text on the expected line or None)
BROKEN = {
    "missing key": (
        "    body_region: chest\n",
        "",
        "protocols[0].body_region",
        "is required but missing",
        "- code: XCHES",
    ),
    "missing top-level key": ("title: Test policy\n", "", "title", "is required but missing", None),
    "unknown key": ("modality: XR", "modalty: XR", "protocols[0].modalty", "did you mean 'modality'", "modalty"),
    "wrong type": ("min_age: 16", "min_age: sixteen", "protocols[0].patients.min_age", "must be an age", "sixteen"),
    "text expected": ("title: Test policy", "title: 2026", "title", "must be text", "title:"),
    "boolean expected": (
        "ap_may_perform: true\n    dose_class: standard",
        "ap_may_perform: maybe\n    dose_class: standard",
        "protocols[0].ap_may_perform",
        "must be true or false",
        "maybe",
    ),
    "bad code": ("- code: XCHES", "- code: xc", "protocols[0].code", "3 to 8 capital letters", "- code: xc"),
    "unknown modality": ("modality: XR", "modality: XX", "protocols[0].modality", "must be one of XR, CT, MR", "XX"),
    "unknown dose class": (
        "dose_class: standard",
        "dose_class: medium",
        "protocols[0].dose_class",
        "none, standard, high",
        "medium",
    ),
    "unknown check": (
        "[identity, justification]",
        "[identity, justfication]",
        "protocols[0].checks[1]",
        "did you mean 'justification'",
        "justfication",
    ),
    "unknown patient group": (
        "exclude: [trauma]",
        "exclude: [traumas]",
        "protocols[0].patients.exclude[0]",
        "must be one of pregnant, trauma",
        "traumas",
    ),
    "unknown role": (
        "roles: [assistant_practitioner]",
        "roles: [assistant_practioner]",
        "people[0].roles[0]",
        "did you mean 'assistant_practitioner'",
        "practioner",
    ),
    "unknown role in scopes": (
        '  radiographer: ["*"]',
        '  radiografer: ["*"]',
        "role_scopes.radiografer",
        "did you mean 'radiographer'",
        "radiografer",
    ),
    "unknown supervision mode": (
        "assistant_practitioner: indirect}",
        "assistant_practitioner: remote}",
        "supervision.requirements.assistant_practitioner",
        "must be one of direct, indirect",
        "remote",
    ),
    "duplicate protocol code": (
        "- code: MKNEE",
        "- code: XCHES",
        "protocols[1].code",
        "duplicate protocol code 'XCHES'",
        "- code: XCHES\n    name: MRI Knee",
    ),
    "duplicate username": (
        "people:\n",
        "people:\n  - {username: ap.one, name: Other, roles: [radiographer]}\n",
        "people[1].username",
        "duplicate username 'ap.one' (also people[0])",
        "  - username: ap.one",
    ),
    "duplicate key": (
        "    name: XR Chest PA\n",
        "    name: XR Chest PA\n    name: Chest\n",
        "protocols[0].name",
        "duplicate key 'name'",
        "name: Chest",
    ),
    "impossible YAML date": (
        "entitled_on: 2026-01-12",
        "entitled_on: 2026-02-30",
        "people[0].entitlements[0].entitled_on",
        "2026-02-30 is not a real date",
        "entitled_on",
    ),
    "impossible quoted date": (
        "entitled_on: 2026-01-12",
        'entitled_on: "2026-13-01"',
        "people[0].entitlements[0].entitled_on",
        "2026-13-01 is not a real date",
        "entitled_on",
    ),
    "not a date": (
        "entitled_on: 2026-01-12",
        "entitled_on: last January",
        "people[0].entitlements[0].entitled_on",
        "must be a date written YYYY-MM-DD",
        "entitled_on",
    ),
    "schema version": ("schema_version: 1", "schema_version: 2", "schema_version", "must be 1", "schema_version"),
    "acknowledgement not a number": (
        "supervision:\n",
        "escalation: {acknowledge_within_minutes: ten}\nsupervision:\n",
        "escalation.acknowledge_within_minutes",
        "positive whole number",
        "escalation:",
    ),
    "no protocols": ("protocols:\n", "protocols: []\nunused:\n", "protocols", "at least one protocol", "protocols: []"),
}


def test_the_minimal_document_is_valid():
    assert validate_policy(MINIMAL) == []


@pytest.mark.parametrize(("old", "new", "location", "message", "on_line"), BROKEN.values(), ids=BROKEN.keys())
def test_each_kind_of_structural_problem_is_reported_where_it_is(old, new, location, message, on_line):
    assert_reported(old, new, location, message, on_line)


def test_review_date_may_be_null_and_dates_may_be_iso_text():
    text = MINIMAL.replace("review_date: 2027-01-12", "review_date: null").replace(
        "entitled_on: 2026-01-12", 'entitled_on: "2026-01-12"'
    )
    entitlement = parse_policy(text).people["ap.one"].entitlements[0]
    assert entitlement.review_date is None
    assert entitlement.entitled_on.isoformat() == "2026-01-12"
