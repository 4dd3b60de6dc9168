"""``inscope load_national_drls [PATH]``

Loads a national DRL file (CSV: modality, examination, projection_or_protocol, quantity, value, unit, population,
source, year) as the current set, or reports that the same file is already loaded. Without PATH it loads the copy
packaged with InScope (UKHSA national DRLs). A file with a problem is reported by line and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.dose.models import DrlSet
from inscope.dose.services.drls import NATIONAL_DRLS, file_sha256, load_national_drls
from inscope.lib.errors import DomainError


class Command(BaseCommand):
    help = "Load national diagnostic reference levels from a CSV file (default: the packaged UKHSA NDRLs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(NATIONAL_DRLS), help="national DRL file (CSV)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            already = DrlSet.objects.filter(file_sha256=file_sha256(path)).exists()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=1) from exc
        try:
            drl_set = load_national_drls(path, by=None, channel="cli")
        except DomainError as exc:
            raise CommandError(f"{exc.message} Nothing was saved.", returncode=1) from None
        count = drl_set.levels.count()
        if already:
            current = "the current set" if drl_set.is_current else "not the current set"
            self.stdout.write(f"Already loaded: {drl_set.name}, {count} DRLs ({current}).")
            return
        self.stdout.write(f"Loaded {count} national DRLs: {drl_set.name} (sha256 {drl_set.file_sha256}).")
        for level in drl_set.levels.order_by("modality", "examination", "quantity"):
            detail = f", {level.detail}" if level.detail else ""
            self.stdout.write(f"  {level.modality} {level.examination}{detail}: {level.value_as_published} "
                              f"({level.get_quantity_display()}), from {level.effective_from:%d %b %Y}")
