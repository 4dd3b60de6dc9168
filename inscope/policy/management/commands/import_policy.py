"""``inscope import_policy FILE --department NAME --by USERNAME [--approve --note TEXT]``

Saves the file as a new draft of the department's local policy (as the named manager would through the web),
and optionally approves it. Every problem in an invalid file is printed as FILE:line: location: message and
the command exits 1 with nothing saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from inscope.department.models import Department
from inscope.lib.errors import DomainError
from inscope.policy.services import InvalidPolicy, approve_policy, create_draft
from inscope.staff.models import User


class Command(BaseCommand):
    help = "Import a local policy document (YAML) as a new draft, and optionally approve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="policy document (YAML); - reads standard input")
        parser.add_argument("--department", required=True, help='department name, e.g. "Northgate Imaging"')
        parser.add_argument("--by", required=True, help="username of the manager writing (and approving) it")
        parser.add_argument("--approve", action="store_true", help="approve the draft, putting it in force")
        parser.add_argument("--note", default="", help="approval note (required with --approve)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        if options["approve"] and not options["note"].strip():
            raise CommandError("--approve needs an approval note: add --note TEXT", returncode=1)
        try:
            department = Department.objects.get(name=options["department"])
        except Department.DoesNotExist:
            raise CommandError(f"no department named {options['department']!r}", returncode=1) from None
        try:
            user = User.objects.get(username=options["by"])
        except User.DoesNotExist:
            raise CommandError(f"no user named {options['by']!r}", returncode=1) from None
        text = _read(path)
        try:
            with transaction.atomic():  # an approval that fails leaves no draft behind
                version = create_draft(department, source_yaml=text, by=user, channel="cli")
                if options["approve"]:
                    approve_policy(version, by=user, note=options["note"].strip(), channel="cli")
        except InvalidPolicy as exc:
            for p in exc.problems:
                where = f"{path}:{p.line}" if p.line is not None else path
                self.stdout.write(f"{where}: {p.location or '(document)'}: {p.message}")
            raise CommandError(f"{exc.message} Nothing was saved.", returncode=1) from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} Nothing was saved.", returncode=1) from None
        state = "approved and in force" if options["approve"] else "saved as a draft"
        self.stdout.write(f"{department.name} policy {version.label} {state}.")


def _read(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        return data.decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=1) from exc
    except UnicodeDecodeError:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text", returncode=1) from None
