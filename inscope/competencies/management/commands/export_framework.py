"""``inscope export_framework NAME [--version N] [-o FILE]``

Writes the YAML of a competency framework's newest version (or of version N) to standard output or a file,
exactly as it was imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.competencies.models import Framework


class Command(BaseCommand):
    help = "Write the YAML of a competency framework (newest version, or --version N) to standard output or a file."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version here is the framework version; it replaces Django's --version (the Django version).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help='framework name, e.g. "AP general radiography"')
        parser.add_argument("--version", dest="number", type=int, help="version number (default: the newest)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = Framework.objects.filter(name=options["name"]).order_by("-version")
        if options.get("number") is not None:
            versions = versions.filter(version=options["number"])
        framework = versions.first()
        if framework is None:
            which = f" v{options['number']}" if options.get("number") is not None else ""
            raise CommandError(f"no framework named {options['name']!r}{which}", returncode=1)
        text = framework.source_yaml
        if options.get("output"):
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {options['output']}: {exc.strerror or exc}", returncode=1) from exc
            self.stderr.write(f"Wrote {framework} to {options['output']}.")
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
