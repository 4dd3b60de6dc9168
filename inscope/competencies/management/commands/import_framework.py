"""``inscope import_framework FILE --by USERNAME``

Imports a competency framework (YAML) as a new version, as the named manager would through the web. Every problem
in an invalid file is printed as FILE:line: location: message and the command exits 1 with nothing saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.competencies.services import import_framework
from inscope.competencies.services.frameworks import InvalidFramework
from inscope.lib.errors import DomainError
from inscope.staff.models import User


class Command(BaseCommand):
    help = "Import a competency framework (YAML) as a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="framework document (YAML); - reads standard input")
        parser.add_argument("--by", required=True, help="username of the manager importing it")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            user = User.objects.get(username=options["by"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['by']!r}", returncode=1) from None
        text = _read(path)
        try:
            framework = import_framework(text, by=user, channel="cli")
        except InvalidFramework as exc:
            for p in exc.problems:
                where = f"{path}:{p.line}" if p.line is not None else path
                self.stdout.write(f"{where}: {p.location or '(document)'}: {p.message}")
            raise CommandError(f"{exc.message} Nothing was saved.", returncode=1) from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} Nothing was saved.", returncode=1) from None
        self.stdout.write(f"{framework} imported with {framework.competencies.count()} competencies.")


def _read(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        return data.decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=1) from exc
    except UnicodeDecodeError:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text", returncode=1) from None
