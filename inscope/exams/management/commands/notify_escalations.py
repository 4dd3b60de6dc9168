"""inscope notify_escalations: send again every escalation left unacknowledged past its window."""

import signal
import time

from django.core.management.base import BaseCommand

from inscope.exams.services import notify_overdue_escalations


class Command(BaseCommand):
    help = "Send again unacknowledged escalations that are overdue. With --loop, keep doing it every minute."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run until stopped (SIGTERM or Ctrl-C)")
        parser.add_argument("--every", type=int, default=60, help="seconds between checks with --loop")

    def handle(self, *args, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        while True:
            sent = notify_overdue_escalations()
            self.stdout.write(f"Sent again: {sent} overdue escalation{'s' if sent != 1 else ''}.")
            if not options["loop"] or stopping:
                return
            for _ in range(options["every"]):
                if stopping:
                    return
                time.sleep(1)
