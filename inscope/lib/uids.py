"""DICOM unique identifiers made without a registered organisation root: the UUID-derived form (PS3.5 B.2)."""

from __future__ import annotations

import uuid


def new_uid() -> str:
    """Return a new UID of the form 2.25.<the decimal value of a random UUID> (at most 44 characters)."""
    return f"2.25.{uuid.uuid4().int}"
