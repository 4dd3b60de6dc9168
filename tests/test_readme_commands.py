"""The README's and docs/policy.md's commands, run exactly as written in a plain shell (see plain_shell.py).

Every command shown is run unless it is listed in NOT_RUN with its reason, so a command that stops working, or
a new one, fails here. docs/policy.md's ``console`` blocks are also compared with the output they show, where
``...`` stands for anything (a line of its own: any number of lines).
"""

from __future__ import annotations

import json
import re

import pytest
from plain_shell import ROOT, run

# Commands that would not finish, or that need a peer; the reason is the test's answer to "why not run it?".
NOT_RUN = {
    "./scripts/demo.sh": "starts the development server and stays up; tests/browser runs its migrate, load_demo "
    "and runserver steps",
    "./scripts/test.sh": "is the whole test suite, this test included",
    ".venv/bin/inscope dicom listen": "a DICOM listener serves until stopped; inscope/dicom's tests drive it with "
    "DCMTK",
    "findscu ": "needs the DICOM listener running with the demo department loaded",
    ".venv/bin/inscope policy validate draft_policy.yaml": "illustrates the problem list for a draft of the "
    "reader's own; the same messages are tested in inscope/policy/tests",
}
COMMAND = re.compile(r"^(\./scripts/|\.venv/bin/|inscope |findscu |python3? )")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    fenced = [line for lang, body in FENCE.findall(text) if lang in ("bash", "sh") for line in body.splitlines()]
    inline = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", FENCE.sub("", text))]
    return [command for command in fenced + inline if COMMAND.match(command)]


def console_examples(path: str) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` in PATH's console blocks, with the output lines shown under it."""
    examples: list[tuple[str, list[str]]] = []
    for lang, body in FENCE.findall((ROOT / path).read_text(encoding="utf-8")):
        if lang != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif line and examples:
                examples[-1][1].append(line)
    return examples


def is_run(command: str) -> bool:
    return not any(command.startswith(prefix) for prefix in NOT_RUN)


def test_the_readme_shows_the_commands_this_test_knows():
    commands = readme_commands()
    assert commands.count("./scripts/demo.sh") == commands.count("./scripts/test.sh") == 1
    assert [c for c in commands if is_run(c)] == [
        ".venv/bin/inscope dose import --help",
        ".venv/bin/inscope policy test inscope/policy/demo_policy.yaml inscope/policy/demo_cases.yaml",
    ]


@pytest.mark.parametrize("command", [c for c in readme_commands() if is_run(c)])
def test_each_readme_command_runs_as_written(command):
    done = run(command)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if " policy test " in command:  # "prints one JSON decision per case"
        decisions = [json.loads(line) for line in done.stdout.splitlines()]
        assert decisions and all(d["as_expected"] for d in decisions)
    else:
        assert done.stdout.startswith("usage: inscope ")


@pytest.mark.parametrize(
    ("command", "shown"), [(c, shown) for c, shown in console_examples("docs/policy.md") if is_run(c)]
)
def test_each_policy_guide_example_prints_what_it_shows(command, shown):
    done = run(command)

    assert shown_matches(shown, done.stdout.splitlines(), done.stderr.splitlines()), (
        f"{command} printed:\n{done.stdout}{done.stderr}"
    )
    failing = any(line.startswith("CommandError: ") for line in shown)
    assert done.returncode == (1 if failing else 0)


def shown_matches(shown: list[str], out: list[str], err: list[str]) -> bool:
    """Whether every shown line matches the next line of standard output or error, in order, and nothing else
    was printed unless a ``...`` line stands for it."""
    streams, skipping = [list(out), list(err)], False
    for line in shown:
        if line == "...":
            skipping = True
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in line.split("...")) + "$")
        for stream in streams:
            while stream and skipping and not pattern.match(stream[0]):
                stream.pop(0)
            if stream and pattern.match(stream[0]):
                stream.pop(0)
                break
        else:
            return False
    return skipping or not any(streams)
