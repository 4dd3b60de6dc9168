"""Case files: read with located problems, unknown facts stay unknown, and the demo cases decide as expected."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from inscope.policy.cases import CaseFileError, case_warnings, evaluate_cases, parse_cases
from inscope.policy.document import parse_policy
from inscope.rules.decisions import RULESET_VERSION
from inscope.rules.facts import Justification, Mobility, PregnancyAnswer, Role

HERE = Path(__file__).resolve().parent.parent
ONE_CASE = """\
- name: Chest
  operator: ap.patel
  protocol: XCHES
  on: 2026-11-28
  patient: {age: 45, identity_confirmed: true, mobility: independent}
  request: {justified: true}
  supervision: {supervisors_on_duty: [r.hughes]}
"""


@pytest.fixture(scope="module")
def demo():
    return parse_policy((HERE / "demo_policy.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_cases():
    return parse_cases((HERE / "demo_cases.yaml").read_text(encoding="utf-8"))


def test_a_case_reads_into_decision_facts():
    (case,) = parse_cases(ONE_CASE)
    assert case.name == "Chest" and case.operator == "ap.patel" and case.roles is None
    assert case.on == dt.date(2026, 11, 28)
    assert case.patient.mobility is Mobility.INDEPENDENT
    assert case.request.protocol_code == "XCHES" and case.request.justification is Justification.JUSTIFIED
    assert case.supervision.supervisors_on_duty == ("r.hughes",)
    assert case.line == 1


def test_omitted_facts_are_unknown_not_false():
    (case,) = parse_cases("- {name: Bare, operator: ap.patel, protocol: XCHES, on: 2026-11-28}\n")
    patient = case.patient
    assert patient.age is None and patient.identity is None and patient.cooperative is None
    assert patient.pregnancy_answer is None and patient.mri_stop_answers is None and patient.weight_kg is None
    assert case.request.justification is None and case.request.setting is None and case.request.laterality is None
    assert case.supervision.supervisors_on_duty == () and case.supervision.direct_supervisor_present is None
    assert case.expect is None


def test_a_case_file_may_be_json(demo):
    data = [
        {
            "name": "J",
            "operator": "ap.patel",
            "roles": ["radiographer"],
            "protocol": "XCHES",
            "on": "2026-11-28",
            "patient": {"pregnancy_answer": "definitely_not", "mri_stop_answers": []},
        }
    ]
    (case,) = parse_cases(json.dumps(data))
    assert case.roles == frozenset({Role.RADIOGRAPHER})
    assert case.patient.pregnancy_answer is PregnancyAnswer.DEFINITELY_NOT
    assert case.patient.mri_stop_answers == ()
    assert case.to_case(demo).operator.roles == frozenset({Role.RADIOGRAPHER})


@pytest.mark.parametrize(
    ("old", "new", "location", "message", "line"),
    [
        ("mobility: independent", "mobilty: independent", "[0].patient.mobilty", "did you mean 'mobility'", 5),
        ("mobility: independent", "mobility: crawling", "[0].patient.mobility", "must be one of independent", 5),
        ("on: 2026-11-28", "on: 2026-02-30", "[0].on", "2026-02-30 is not a real date", 4),
        ("  operator: ap.patel\n", "", "[0].operator", "is required but missing", 1),
        ("age: 45", "age: -3", "[0].patient.age", "must not be negative", 5),
        ("justified: true", "justified: sure", "[0].request.justified", "must be true or false", 6),
        ("[r.hughes]", "r.hughes", "[0].supervision.supervisors_on_duty", "must be a list", 7),
        ("  protocol: XCHES\n", "  protocol: XCHES\n  roles: [radiographr]\n", "[0].roles[0]", "did you mean", 4),
        (
            "  on:",
            "  expect: {outcome: fine}\n  on:",
            "[0].expect.outcome",
            "must be one of proceed, escalate, stop",
            4,
        ),
        (
            "  on:",
            "  expect: {reason_codes: [no-entitlment]}\n  on:",
            "[0].expect.reason_codes[0]",
            "unknown reason code 'no-entitlment' (did you mean 'no-entitlement'?)",
            4,
        ),
        ("- name: Chest\n", "- name: Chest\n  name: Again\n", "[0].name", "duplicate key 'name'", 2),
    ],
)
def test_each_problem_in_a_case_file_is_located(old, new, location, message, line):
    with pytest.raises(CaseFileError) as error:
        parse_cases(ONE_CASE.replace(old, new, 1))
    matching = [p for p in error.value.problems if p.location == location and message in p.message]
    assert matching, [str(p) for p in error.value.problems]
    assert matching[0].line == line


def test_duplicate_case_names_and_a_file_that_is_not_a_list_are_problems():
    with pytest.raises(CaseFileError) as error:
        parse_cases(ONE_CASE + ONE_CASE.replace("on: 2026-11-28", "on: 2026-11-31"))
    assert [(p.location, p.line) for p in error.value.problems] == [("[1].name", 8), ("[1].on", 11)]
    assert "duplicate case name 'Chest' (also [0])" in error.value.problems[0].message
    with pytest.raises(CaseFileError) as error:
        parse_cases("name: not a list\n")
    assert error.value.problems[0].location == "(document)"


def test_the_demo_cases_decide_as_the_manager_expects(demo, demo_cases):
    results = evaluate_cases(demo, demo_cases)
    assert len(results) == len(demo_cases) >= 10
    assert [r["case"] for r in results if not r["as_expected"]] == []
    outcomes = {r["case"]: r["outcome"] for r in results}
    assert outcomes["AP chest PA, in scope"] == "proceed"
    assert outcomes["AP asked to do a CT head"] == "escalate"
    assert outcomes["AP knee, no supervisor on duty"] == "stop"
    assert outcomes["Radiographer CT abdomen-pelvis with contrast"] == "proceed"


def test_a_result_is_the_decision_with_the_case_name_first(demo, demo_cases):
    result = evaluate_cases(demo, demo_cases[:1], version="draft 7")[0]
    assert list(result)[:3] == ["case", "outcome", "reason_codes"]
    assert result["policy_version"] == "draft 7" and result["ruleset"] == RULESET_VERSION
    assert result["expected"] == {"outcome": "proceed"} and result["as_expected"] is True
    assert evaluate_cases(demo, demo_cases[:1])[0]["policy_version"] == "2026-11"


def test_an_unmet_expectation_is_reported(demo):
    (case,) = parse_cases(ONE_CASE.replace("  on:", "  expect: {outcome: stop, reason_codes: [no-entitlement]}\n  on:"))
    (result,) = evaluate_cases(demo, [case])
    assert result["as_expected"] is False


def test_an_operator_missing_from_the_policy_is_warned_about(demo):
    cases = parse_cases(ONE_CASE.replace("operator: ap.patel", "operator: ap.patle"))
    (warning,) = case_warnings(demo, cases)
    assert "'ap.patle' is not in the policy's people" in warning
    assert "no-operator-role" in evaluate_cases(demo, cases)[0]["reason_codes"]
