"""``inscope policy``: check a draft local policy document, and test it against cases, without the database.

inscope policy validate FILE          every problem as FILE:line: location: message; exit 1 if any
inscope policy test POLICY CASES      one JSON decision per case per line; exit 1 if a file is invalid
                                      or a case's ``expect`` is not met
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.policy.cases import CaseFileError, case_warnings, evaluate_cases, parse_cases
from inscope.policy.document import PolicyDocumentError, Problem, parse_policy


class Command(BaseCommand):
    help = "Validate a local policy document, or test it against a case file. Works offline; no database."
    requires_system_checks: list[str] = []  # runs on a laptop against a draft file
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{validate,test}")
        validate = actions.add_parser("validate", help="Check a policy document and list every problem.")
        validate.add_argument("file", help="policy document (YAML)")
        test = actions.add_parser("test", help="Decide each case in a case file under a policy document.")
        test.add_argument("policy", help="policy document (YAML)")
        test.add_argument("cases", help="case file (YAML or JSON)")
        test.add_argument(
            "--policy-version", help="policy version recorded on each decision (default: the version_label)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "validate":
            self.validate(options["file"])
        else:
            self.test(options["policy"], options["cases"], options.get("policy_version"))

    def validate(self, path: str) -> None:
        try:
            doc = parse_policy(_read(path))
        except PolicyDocumentError as exc:
            self._fail(path, exc.problems)
        self.stdout.write(f"{path}: valid ({_count(len(doc.protocols), 'protocol')}, {len(doc.people)} people)")

    def test(self, policy_path: str, cases_path: str, version: str | None) -> None:
        problems: dict[str, list[Problem]] = {}
        try:
            doc = parse_policy(_read(policy_path))
        except PolicyDocumentError as exc:
            problems[policy_path] = exc.problems
        try:
            cases = parse_cases(_read(cases_path))
        except CaseFileError as exc:
            problems[cases_path] = exc.problems
        if problems:
            for path, found in problems.items():
                self._print_problems(path, found)
            total = sum(len(found) for found in problems.values())
            raise CommandError(f"{_count(total, 'problem')} in {' and '.join(problems)}", returncode=1)
        for warning in case_warnings(doc, cases):
            self.stderr.write(f"{cases_path}: warning: {warning}")
        results = evaluate_cases(doc, cases, version)
        for result in results:
            self.stdout.write(json.dumps(result, sort_keys=False))
        unmet = [r["case"] for r in results if r.get("as_expected") is False]
        if unmet:
            raise CommandError(
                f"{_count(len(unmet), 'case')} did not give the expected decision: {'; '.join(unmet)}", returncode=1
            )

    def _print_problems(self, path: str, problems: list[Problem]) -> None:
        for p in problems:
            where = f"{path}:{p.line}" if p.line is not None else path
            self.stdout.write(f"{where}: {p.location}: {p.message}")

    def _fail(self, path: str, problems: list[Problem]) -> NoReturn:
        self._print_problems(path, problems)
        raise CommandError(f"{_count(len(problems), 'problem')} in {path}", returncode=1)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}", returncode=1) from exc


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
