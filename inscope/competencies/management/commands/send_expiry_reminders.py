"""``inscope send_expiry_reminders [--days 30]``

E-mails each person about their sign-offs, entitlement grants and mandatory training lapsing within the window (or
already lapsed), and managers a summary. Running it again the same day sends only what is new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inscope.competencies.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail reminders about sign-offs, entitlements and mandatory training lapsing soon or lapsed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="how far ahead to look (default 30 days)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if not 0 <= days <= 366:
            raise CommandError("--days must be between 0 and 366", returncode=1)
        result = send_reminders(timezone.localdate(), days, channel="cli")
        self.stdout.write(
            f"Sent {result.people} reminder{'s' if result.people != 1 else ''} ({result.items} "
            f"item{'s' if result.items != 1 else ''}) and {result.managers} manager "
            f"summar{'ies' if result.managers != 1 else 'y'}."
        )
