"""Helpers for tests that run ``inscope dicom listen`` as a real process against the test database.

The tests are transactional, so what they create is committed to the test database, and the listener process
is pointed at that same database (the SQLite file pytest-django made, or the PostgreSQL test database).
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
PYTHON = ROOT / ".venv" / "bin" / "python"
STARTUP_SECONDS = 60
LISTENING = re.compile(r"Listening as (\S+) on ([\d.]+):(\d+)")


def database_url() -> str:
    """The URL of the database this test process uses, for a child process to use too."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor == "postgresql":
        user = quote(settings.get("USER") or "")
        password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
        host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or "5432"
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    raise RuntimeError(f"No URL for a {connection.vendor} database")


@dataclass
class ListenerProcess:
    process: subprocess.Popen[str]
    host: str
    port: int
    ae_title: str
    log: Path
    first_line: str

    def stop(self, signal_number: int, timeout: float = 30) -> tuple[int, str]:
        """Send a signal and wait for the process to exit; return its exit status and the rest of its output."""
        self.process.send_signal(signal_number)
        out, _ = self.process.communicate(timeout=timeout)
        return self.process.returncode, out

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=10)


def start_listener_process(workdir: Path, *, extra_env: dict[str, str] | None = None) -> ListenerProcess:
    """Start ``inscope dicom listen --port 0`` and wait until it says where it listens."""
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1",
           "INSCOPE_DICOM_RESTRICT_CALLING_AE": "true", **(extra_env or {})}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = workdir / "listener.log"
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    with log.open("w") as err:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [python, "-m", "inscope", "dicom", "listen", "--port", "0"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=err, text=True,
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    line = ""
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            found = LISTENING.search(line)
            if found:
                return ListenerProcess(process, found.group(2), int(found.group(3)), found.group(1), log, line)
        if process.poll() is not None:
            break
    process.kill()
    process.communicate(timeout=10)
    raise AssertionError(f"The listener did not start (said {line!r}):\n{log.read_text()[-5000:]}")
