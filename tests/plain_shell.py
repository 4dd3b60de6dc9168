"""Run a command as a newcomer would type it: bash in the repository root, with no DEBUG, no SECRET_KEY, no
DATABASE_URL and no virtual environment on PATH (the README's commands name .venv/bin/ themselves)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}


def run(command: str, *, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", "-c", command], cwd=ROOT, env={**PLAIN_ENV, **(env or {})}, capture_output=True, text=True,
        timeout=timeout,
    )
