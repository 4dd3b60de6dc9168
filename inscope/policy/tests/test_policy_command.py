"""``inscope policy validate`` and ``inscope policy test``: offline checks of a draft, with no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

HERE = Path(__file__).resolve().parent.parent
DEMO_POLICY = HERE / "demo_policy.yaml"
DEMO_CASES = HERE / "demo_cases.yaml"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("policy", *args, stdout=out, stderr=StringIO())
    assert error.value.returncode == 1
    return out.getvalue(), error.value


@pytest.fixture
def broken_policy(tmp_path: Path) -> Path:
    text = DEMO_POLICY.read_text(encoding="utf-8")
    text = text.replace("    modality: XR\n", "    modality: XX\n", 1).replace(
        "entitled_by: m.okafor", "entitled_by: r.hughes", 1
    )
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_reports_a_valid_document_with_its_counts():
    out, _ = run("validate", str(DEMO_POLICY))
    assert out == f"{DEMO_POLICY}: valid (15 protocols, 10 people)\n"


def test_validate_lists_every_problem_as_file_line_location_message(broken_policy):
    out, error = run_failing("validate", str(broken_policy))
    lines = out.splitlines()
    text = broken_policy.read_text(encoding="utf-8")
    modality_line = text[: text.index("modality: XX")].count("\n") + 1
    assert lines[0].startswith(f"{broken_policy}:{modality_line}: protocols[0].modality: must be one of XR, CT")
    assert lines[1].endswith("people[1].entitlements[0].entitled_by: a person cannot entitle themselves")
    assert len(lines) == 2
    assert str(error) == f"2 problems in {broken_policy}"


def test_validate_reports_malformed_yaml_and_unreadable_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n", encoding="utf-8")
    out, _ = run_failing("validate", str(bad))
    assert out.startswith(f"{bad}:2: (document): not valid YAML")
    _, error = run_failing("validate", str(tmp_path / "missing.yaml"))
    assert "cannot read" in str(error)


def test_test_prints_one_json_decision_per_case():
    out, err = run("test", str(DEMO_POLICY), str(DEMO_CASES))
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == DEMO_CASES.read_text(encoding="utf-8").count("- name:")
    assert all(list(r)[:2] == ["case", "outcome"] for r in results)
    assert all(r["as_expected"] for r in results)
    by_name = {r["case"]: r for r in results}
    assert by_name["AP chest PA, in scope"]["outcome"] == "proceed"
    assert by_name["Trainee chest PA, supervisor not in the room"]["reason_codes"] == [
        "trainee-without-direct-supervisor"
    ]
    assert by_name["AP MRI knee, screening flags a pacemaker"]["urgency"] == "urgent"
    assert by_name["AP hand, entitlement past its review date"]["reason_codes"] == ["entitlement-expired"]
    assert by_name["AP knee, no supervisor on duty"]["outcome"] == "stop"
    assert by_name["Radiographer CT abdomen-pelvis with contrast"]["outcome"] == "proceed"
    assert {r["policy_version"] for r in results} == {"2026-11"}
    assert err == ""


def test_test_records_the_version_given(tmp_path):
    out, _ = run("test", str(DEMO_POLICY), str(DEMO_CASES), "--policy-version", "draft-3")
    assert {json.loads(line)["policy_version"] for line in out.splitlines()} == {"draft-3"}


def test_test_lists_the_problems_of_both_files(broken_policy, tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text("- {name: A, operator: ap.patel, protocol: XCHES, on: 2026-02-30}\n", encoding="utf-8")
    out, error = run_failing("test", str(broken_policy), str(cases))
    assert out.splitlines()[-1] == f"{cases}:1: [0].on: 2026-02-30 is not a real date"
    assert out.count(f"{broken_policy}:") == 2
    assert str(error) == f"3 problems in {broken_policy} and {cases}"


def test_test_fails_when_a_case_does_not_decide_as_expected(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- {name: Hope, operator: ap.trainee, protocol: CHEAD, on: 2026-11-28, expect: {outcome: proceed}}\n",
        encoding="utf-8",
    )
    out, error = run_failing("test", str(DEMO_POLICY), str(cases))
    assert json.loads(out)["as_expected"] is False
    assert "1 case did not give the expected decision: Hope" in str(error)


def test_the_command_runs_from_the_shell_without_a_database(tmp_path, broken_policy):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "inscope.settings"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"  # any query would fail
    if not env.get("SECRET_KEY"):
        env["DEBUG"] = "true"
    command = [sys.executable, "-m", "inscope", "policy"]
    ok = subprocess.run([*command, "validate", str(DEMO_POLICY)], env=env, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, f"{DEMO_POLICY}: valid (15 protocols, 10 people)\n"), ok.stderr
    bad = subprocess.run([*command, "validate", str(broken_policy)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and len(bad.stdout.splitlines()) == 2
    assert "2 problems" in bad.stderr
    tested = subprocess.run(
        [*command, "test", str(DEMO_POLICY), str(DEMO_CASES)], env=env, capture_output=True, text=True
    )
    assert tested.returncode == 0, tested.stderr
    assert all(json.loads(line)["as_expected"] for line in tested.stdout.splitlines())
