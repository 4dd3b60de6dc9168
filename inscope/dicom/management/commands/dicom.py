"""``inscope dicom``: the DICOM interfaces.

inscope dicom listen [--port N] [--bind ADDRESS] [--ae-title TITLE]
    Run the DICOM listener until SIGTERM or Ctrl-C: C-ECHO, the modality worklist (C-FIND), MPPS (N-CREATE,
    N-SET) and storage of dose reports and images (C-STORE). Defaults from the settings INSCOPE_DICOM_AE_TITLE
    (INSCOPE), INSCOPE_DICOM_PORT (11112) and INSCOPE_DICOM_BIND (127.0.0.1); --port 0 picks a free port and
    prints it. With INSCOPE_DICOM_RESTRICT_CALLING_AE (on by default) only AE titles registered on rooms may call.

inscope dicom prune [--days N] [--dry-run]
    Clear the stored bytes of received objects processed (or ignored) more than N days ago (default
    INSCOPE_DICOM_RETAIN_DAYS, 90), keeping each row, its SHA-256, its outcome and its audit trail; each pruning is
    audited. Objects waiting to be processed and quarantined ones are never pruned. --dry-run says what would be
    cleared and changes nothing. A progress bar is shown on a terminal.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inscope.dicom import retention
from inscope.dicom.listener import STORAGE_CLASSES, Listener, ListenerSettings, registered_ae_titles
from inscope.lib.errors import DomainError

log = logging.getLogger("inscope.dicom.listener")


class Command(BaseCommand):
    help = ("DICOM interfaces: `inscope dicom listen` runs the worklist, MPPS, storage and echo services; "
            "`inscope dicom prune` clears the stored bytes of objects processed longer ago than the retention period.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{listen,prune}")
        listen = actions.add_parser("listen", help="Run the DICOM listener until SIGTERM or Ctrl-C.")
        listen.add_argument("--port", type=int, help="TCP port (default INSCOPE_DICOM_PORT, 11112; 0 for any free)")
        listen.add_argument("--bind", help="address to listen on (default INSCOPE_DICOM_BIND, 127.0.0.1)")
        listen.add_argument("--ae-title", help="this listener's AE title (default INSCOPE_DICOM_AE_TITLE, INSCOPE)")
        prune = actions.add_parser("prune", help="Clear the stored bytes of objects processed before the retention "
                                                 "period (rows, hashes, outcomes and audit kept).")
        prune.add_argument("--days", type=int, help="retention period in days (default INSCOPE_DICOM_RETAIN_DAYS, 90)")
        prune.add_argument("--dry-run", action="store_true", help="say what would be cleared; change nothing")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "prune":
            self.prune(days=options.get("days"), dry_run=options["dry_run"])
            return
        self.listen(port=options.get("port"), bind=options.get("bind"), ae_title=options.get("ae_title"),
                    verbosity=options.get("verbosity", 1))

    def listen(self, *, port: int | None, bind: str | None, ae_title: str | None, verbosity: int) -> None:
        if ae_title is not None and not 0 < len(ae_title.strip()) <= 16:
            raise CommandError("An AE title has 1 to 16 characters.")
        if port is not None and not 0 <= port <= 65535:
            raise CommandError("The port must be between 0 and 65535.")
        # pynetdicom narrates every PDU at INFO; our own log lines say what matters.
        logging.getLogger("pynetdicom").setLevel(logging.DEBUG if verbosity >= 3 else logging.WARNING)
        config = ListenerSettings.from_settings(ae_title=ae_title, bind=bind, port=port)
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            log.info("Received %s: stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        listener = Listener(config, quiet=verbosity < 3)
        try:
            host, bound_port = listener.start()
        except OSError as exc:
            listener.stop(grace_seconds=0, drain_seconds=0)
            raise CommandError(f"Cannot listen on {config.bind}:{config.port}: {exc.strerror or exc}") from exc
        if config.restrict_calling_ae:
            titles = sorted(registered_ae_titles())
            callers = (f"calling AE titles restricted to the {len(titles)} registered on rooms"
                       + (f" ({', '.join(titles)})" if titles else " — none yet, so every association is refused"))
        else:
            callers = "any calling AE title accepted (INSCOPE_DICOM_RESTRICT_CALLING_AE is off)"
        self.stdout.write(
            f"Listening as {config.ae_title} on {host}:{bound_port}: verification, modality worklist, MPPS and "
            f"storage ({len(STORAGE_CLASSES)} SOP classes); {callers}. Stop with Ctrl-C or SIGTERM."
        )
        self.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            listener.stop()
        self.stdout.write("Stopped cleanly: no longer listening; stored objects not yet processed are processed "
                          "at the next start.")
        self.stdout.flush()

    def prune(self, *, days: int | None, dry_run: bool) -> None:
        try:
            result = retention.prune_received_objects(days=days, dry_run=dry_run, progress=self._progress)
        except DomainError as error:
            raise CommandError(error.message) from None
        before = f"processed before {timezone.localtime(result.cutoff):%d %b %Y %H:%M}"
        size = f"{result.bytes / 1e6:.1f} MB" if result.bytes >= 100_000 else f"{result.bytes} bytes"
        objects = f"{result.objects} object{'s' if result.objects != 1 else ''}"
        if dry_run:
            self.stdout.write(f"Would clear the stored bytes of {objects} ({size}) {before}; nothing changed.")
        else:
            self.stdout.write(f"Cleared the stored bytes of {objects} ({size}) {before}; their rows, hashes, "
                              "outcomes and audit trail are kept.")

    def _progress(self, pks: list[int]) -> Iterable[int]:
        """A progress bar on standard error, when that is a terminal (as `inscope dose import` shows)."""
        if not self.stderr.isatty() or len(pks) < 2:
            return pks
        from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs installed

        return tqdm(pks, unit="object", file=self.stderr._out, leave=False, dynamic_ncols=True)
