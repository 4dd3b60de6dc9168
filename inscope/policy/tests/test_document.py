"""The policy document: the demo is valid, documents round-trip, and unreadable documents say where and why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from inscope.policy.document import (
    Drl,
    PolicyDocument,
    PolicyDocumentError,
    Problem,
    dump_policy,
    parse_policy,
    validate_policy,
)
from inscope.rules.facts import DoseClass, PregnancyPolicy, Role, Supervision

DEMO = Path(__file__).resolve().parent.parent / "demo_policy.yaml"


@pytest.fixture(scope="module")
def demo() -> PolicyDocument:
    return parse_policy(DEMO.read_text(encoding="utf-8"))


def test_the_demo_policy_is_valid(demo):
    assert validate_policy(DEMO.read_text(encoding="utf-8")) == []
    assert demo.department == "Northgate Imaging"
    assert demo.version_label == "2026-11"
    assert 10 <= len(demo.protocols) <= 15
    assert {"m.okafor", "r.hughes", "ap.patel", "ap.brown", "ap.trainee", "dr.shah", "rps.lee"} <= set(demo.people)


def test_the_demo_policy_reads_into_decision_facts(demo):
    chest = demo.protocols["XCHES"]
    assert chest.nicip_code == chest.code == "XCHES"
    assert chest.rule.dose_class is DoseClass.STANDARD and chest.rule.min_age == 16
    assert chest.local_drl == Drl("dap", 0.10, "Gy·cm²", "Northgate local DRL (example)")
    assert demo.protocols["CHEAD"].local_drl.quantity == "dlp"
    assert demo.protocols["MKNEE"].rule.dose_class is DoseClass.NONE
    assert demo.supervision == {Role.TRAINEE_AP: Supervision.DIRECT, Role.AP: Supervision.INDIRECT}
    assert demo.pregnancy == PregnancyPolicy(12, 55, 28, 10)
    assert demo.escalation_ack_minutes == 10
    assert demo.role_scopes[Role.RADIOGRAPHER] == frozenset({"*"})


def test_to_policy_carries_the_version_and_every_protocol(demo):
    policy = demo.to_policy("Northgate v3")
    assert policy.version == "Northgate v3"
    assert set(policy.protocols) == set(demo.protocols)
    assert policy.role_protocols[Role.AP] == demo.role_scopes[Role.AP]
    assert policy.supervision[Role.TRAINEE_AP] is Supervision.DIRECT


def test_operator_takes_roles_entitlements_and_restrictions_from_the_person(demo):
    brown = demo.operator("ap.brown")
    assert brown.roles == frozenset({Role.AP})
    assert brown.excluded_protocols == frozenset({"XSHOU"})
    assert len(brown.entitlements) == 3
    assert brown.entitlements[1].review_date == dt.date(2026, 10, 31)


def test_operator_roles_can_be_given_by_the_caller(demo):
    assert demo.operator("ap.patel", frozenset({Role.RADIOGRAPHER})).roles == frozenset({Role.RADIOGRAPHER})
    assert demo.operator("ap.patel").entitlements == demo.people["ap.patel"].entitlements


def test_an_unknown_person_is_an_operator_with_no_entitlements(demo):
    stranger = demo.operator("nobody", frozenset({Role.AP}))
    assert stranger.username == "nobody"
    assert stranger.roles == frozenset({Role.AP})
    assert stranger.entitlements == () and stranger.excluded_protocols == frozenset()
    assert demo.operator("nobody").roles == frozenset()


def test_dump_then_parse_gives_the_same_document(demo):
    text = dump_policy(demo)
    assert parse_policy(text) == demo
    assert dump_policy(parse_policy(text)) == text


def test_as_json_is_json_and_from_json_reverses_it(demo):
    data = json.loads(json.dumps(demo.as_json()))
    assert data["people"][1]["entitlements"][0]["entitled_on"] == "2025-04-01"
    assert PolicyDocument.from_json(data) == demo


def test_from_json_checks_the_data_again(demo):
    data = demo.as_json()
    data["protocols"][0]["modality"] = "XX"
    with pytest.raises(PolicyDocumentError) as error:
        PolicyDocument.from_json(data)
    assert [(p.location, p.line) for p in error.value.problems] == [("protocols[0].modality", None)]


def test_problem_reads_as_line_location_message():
    assert (
        str(Problem("protocols[2].modality", 12, "must be one of XR"))
        == "line 12, protocols[2].modality: must be one of XR"
    )
    assert str(Problem("title", None, "is required but missing")) == "title: is required but missing"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("schema_version: 1\ntitle: [unclosed\n", 3, "not valid YAML"),
        ("schema_version: 1\n\ttitle: tabs\n", 2, "not valid YAML"),
        ("title: a\n  department: b\n", 2, "not valid YAML"),
        ("---\ntitle: a\n---\ntitle: b\n", 3, "not valid YAML"),
    ],
)
def test_malformed_yaml_is_one_problem_with_its_line(text, line, message):
    problems = validate_policy(text)
    assert len(problems) == 1
    assert problems[0].location == "(document)"
    assert problems[0].line == line
    assert message in problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the document is empty"), ("- a\n- b\n", "must be a mapping"), ("just text\n", "must be a mapping")],
)
def test_a_document_that_is_not_a_mapping_says_so(text, message):
    problems = validate_policy(text)
    assert [p.location for p in problems] == ["(document)"]
    assert message in problems[0].message


def test_every_problem_in_a_document_is_reported_in_line_order(demo):
    text = (
        DEMO.read_text(encoding="utf-8")
        .replace("schema_version: 1", "schema_version: 2")
        .replace("    modality: XR\n    body_region: chest\n", "    modalty: XR\n    body_region: chest\n", 1)
        .replace('  radiographer: ["*"]', '  radiographer: ["*", XNOPE]')
        .replace("review_date: 2027-01-12", "review_date: 2026-01-11")
    )
    with pytest.raises(PolicyDocumentError) as error:
        parse_policy(text)
    found = [(p.location, p.message) for p in error.value.problems]
    assert [location for location, _ in found] == [
        "schema_version",
        "protocols[0].modality",
        "protocols[0].modalty",
        "role_scopes.radiographer[1]",
        "people[5].entitlements[0].review_date",
    ]
    lines = [p.line or 0 for p in error.value.problems]
    assert lines == sorted(lines) and 0 not in lines
    assert str(error.value).startswith("5 problems:\n  line 9, schema_version: must be 1")


def test_keys_are_text_even_when_yaml_would_read_them_as_booleans():
    # "on", "yes" and "no" are booleans in YAML 1.1; as keys they must stay the words people wrote.
    problems = validate_policy(DEMO.read_text(encoding="utf-8").replace("escalation:\n", "escalation:\n  on: 1\n"))
    assert [(p.location, p.message) for p in problems] == [("escalation.on", "unknown key 'on'")]
