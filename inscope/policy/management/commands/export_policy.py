"""``inscope export_policy [--department NAME] [--version N] [-o FILE]``

Writes the YAML source of the department's policy in force (or of version N) to standard output or a file,
exactly as it was saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.department.models import Department
from inscope.policy.models import PolicyVersion
from inscope.policy.services import in_force


class Command(BaseCommand):
    help = "Write the YAML of the policy in force (or of one version) to standard output or a file."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version here is the policy version; it replaces Django's --version (the Django version).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", help="department name (default: the only, or first, department)")
        parser.add_argument("--version", dest="number", type=int, help="version number (default: the one in force)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        department = _department(options.get("department"))
        number = options.get("number")
        if number is not None:
            version = PolicyVersion.objects.filter(department=department, number=number).first()
            if version is None:
                raise CommandError(f"{department.name} has no policy v{number}", returncode=1)
        else:
            version = in_force(department)
            if version is None:
                raise CommandError(f"{department.name} has no approved policy in force", returncode=1)
        if options.get("output"):
            try:
                Path(options["output"]).write_text(version.source_yaml, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {options['output']}: {exc.strerror or exc}", returncode=1) from exc
            written = f"{department.name} policy {version.label} ({version.status})"
            self.stderr.write(f"Wrote {written} to {options['output']}.")
        else:
            self.stdout.write(version.source_yaml, ending="" if version.source_yaml.endswith("\n") else "\n")


def _department(name: str | None) -> Department:
    if name:
        try:
            return Department.objects.get(name=name)
        except Department.DoesNotExist:
            raise CommandError(f"no department named {name!r}", returncode=1) from None
    department = Department.objects.order_by("pk").first()
    if department is None:
        raise CommandError("there is no department yet", returncode=1)
    return department
