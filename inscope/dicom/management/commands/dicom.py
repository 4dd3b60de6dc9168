"""``inscope dicom``: the DICOM interfaces.

inscope dicom listen [--port N] [--bind ADDRESS] [--ae-title TITLE]
    Run the DICOM listener until SIGTERM or Ctrl-C: C-ECHO, the modality worklist (C-FIND), MPPS (N-CREATE,
    N-SET) and storage of dose reports and images (C-STORE). Defaults from the settings INSCOPE_DICOM_AE_TITLE
    (INSCOPE), INSCOPE_DICOM_PORT (11112) and INSCOPE_DICOM_BIND (127.0.0.1); --port 0 picks a free port and
    prints it. With INSCOPE_DICOM_RESTRICT_CALLING_AE (on by default) only AE titles registered on rooms may call.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inscope.dicom.listener import STORAGE_CLASSES, Listener, ListenerSettings, registered_ae_titles

log = logging.getLogger("inscope.dicom.listener")


class Command(BaseCommand):
    help = "DICOM interfaces: `inscope dicom listen` runs the worklist, MPPS, storage and echo services."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{listen}")
        listen = actions.add_parser("listen", help="Run the DICOM listener until SIGTERM or Ctrl-C.")
        listen.add_argument("--port", type=int, help="TCP port (default INSCOPE_DICOM_PORT, 11112; 0 for any free)")
        listen.add_argument("--bind", help="address to listen on (default INSCOPE_DICOM_BIND, 127.0.0.1)")
        listen.add_argument("--ae-title", help="this listener's AE title (default INSCOPE_DICOM_AE_TITLE, INSCOPE)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
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
