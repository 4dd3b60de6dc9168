"""Reading single values as equipment writes them: numbers (with the standard broken in the usual ways), dates
and times, header text in the object's character set, and the notes (warnings) a reader collects."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from typing import Any

from pydicom.charset import convert_encodings, decode_bytes
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from inscope.dicom.extraction.tree import Decode, get_element
from inscope.dose.report import DoseReadError


class Notes:
    """The warnings a reader records where it corrected or could not read something (kept once each, in order)."""

    def __init__(self) -> None:
        self._seen: dict[str, None] = {}

    def warn(self, message: str) -> None:
        self._seen.setdefault(message, None)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self._seen)


class BadNumber(ValueError):
    """A value that should be a number and is not."""


def parse_number(text: str | None, where: str, notes: Notes, *, integer: bool = False) -> float | None:
    """A decimal (or integer) string as a float; None when there is no value.

    Corrected, with a note: several values where one is expected (the first is taken), a decimal comma, a decimal
    in an integer field. Not a number (or NaN, infinite) raises ``BadNumber``.
    """
    if text is None:
        return None
    text = text.strip(" \x00\t\r\n")
    if not text:
        return None
    if "\\" in text:
        values = [v.strip() for v in text.split("\\") if v.strip()]
        if not values:
            return None
        if len(values) > 1:
            notes.warn(f"{where} has {len(values)} values ({text}) where one is expected; the first was used.")
        text = values[0]
    if "," in text and "." not in text and text.count(",") == 1:
        notes.warn(f"{where} is written with a decimal comma ({text}); read as {text.replace(',', '.')}.")
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise BadNumber(f"{where}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value) or text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise BadNumber(f"{where}: {text[:40]!r} is not a finite number")
    if integer and not value.is_integer():
        notes.warn(f"{where} is an integer field but holds {text}; read as {value:g}.")
    return value


# --- Dates and times --------------------------------------------------------------------------------------------

_DT = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?\s*([+-]\d{4})?$")
_TM = re.compile(r"^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$")


def _offset(text: str | None) -> dt.timezone | None:
    if not text or len(text) != 5 or text[0] not in "+-" or not text[1:].isdigit():
        return None
    hours, minutes = int(text[1:3]), int(text[3:5])
    if hours > 14 or minutes > 59:
        return None
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-delta if text[0] == "-" else delta)


def parse_datetime(text: str | None, offset: str | None = None) -> dt.datetime | None:
    """A DICOM DT value; None if empty or not a valid date-time. Naive unless an offset is given (in the value or
    as the object's Timezone Offset From UTC)."""
    text = (text or "").strip(" \x00")
    match = _DT.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                            min(int(second or 0), 59), int((fraction or "0").ljust(6, "0")))
    except ValueError:
        return None
    tz = _offset(zone) or _offset(offset)
    return value.replace(tzinfo=tz) if tz else value


def parse_date_time(date: str | None, time: str | None, offset: str | None = None) -> dt.datetime | None:
    """A DICOM DA and TM pair (the time may be missing; old ``HH:MM:SS`` and ``YYYY.MM.DD`` forms are read)."""
    date = (date or "").strip(" \x00").replace(".", "").replace("-", "")
    if len(date) != 8 or not date.isdigit():
        return None
    time = (time or "").strip(" \x00").replace(":", "")
    match = _TM.match(time) if time else None
    try:
        day = dt.date(int(date[:4]), int(date[4:6]), int(date[6:8]))
        if match:
            hour, minute, second, fraction = match.groups()
            clock = dt.time(int(hour), int(minute or 0), min(int(second or 0), 59),
                            int((fraction or "0").ljust(6, "0")))
        else:
            clock = dt.time()
    except ValueError:
        return None
    value = dt.datetime.combine(day, clock)
    tz = _offset(offset)
    return value.replace(tzinfo=tz) if tz else value


# --- Header attributes ---------------------------------------------------------------------------------------------


def decoder(ds: Dataset) -> Decode:
    """Decode text bytes in the object's Specific Character Set (falling back to Latin-1 if that fails)."""
    element = get_element(ds, 0x00080005)
    charsets: list[str] = []
    if element is not None:
        value = element.value
        if isinstance(value, bytes | bytearray):
            charsets = [c.strip() for c in bytes(value).decode("ascii", "replace").split("\\")]
        elif isinstance(value, str):
            charsets = [c.strip() for c in value.split("\\")]
        elif isinstance(value, MultiValue | list):
            charsets = [str(c).strip() for c in value]
    try:
        encodings = convert_encodings(charsets or ["ISO_IR 6"])
    except Exception:  # noqa: BLE001 - a garbled character set falls back to Latin-1
        encodings = ["iso8859"]

    def decode(raw: bytes) -> str:
        try:
            return decode_bytes(raw, encodings, set())
        except Exception:  # noqa: BLE001 - a garbled value is shown as Latin-1, never fails the read
            return raw.decode("latin-1")

    return decode


def text(ds: Dataset, tag: int, decode: Decode | None = None) -> str:
    """An attribute's value as text (several values joined by a backslash), "" if absent or empty. Read from the
    encoded bytes when pydicom has not converted it yet, so a malformed value never raises here."""
    element = get_element(ds, tag)
    if element is None:
        return ""
    value: Any = element.value
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        try:
            result = raw.decode("ascii")
        except UnicodeDecodeError:
            result = decode(raw) if decode else raw.decode("latin-1")
        return result.strip(" \x00")
    if value is None:
        return ""
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(str(v) for v in value).strip(" \x00")
    if isinstance(element, RawDataElement):
        return str(value).strip(" \x00")
    return str(value).strip(" \x00")


def binary_number(ds: Dataset, tag: int) -> float | None:
    """A US, UL, SS, SL, FL or FD attribute's (first) value, None if absent, empty or unreadable."""
    if get_element(ds, tag) is None:
        return None
    try:
        value = ds[tag].value
    except Exception:  # noqa: BLE001 - an unreadable binary value counts as absent
        return None
    if isinstance(value, MultiValue | list | tuple):
        value = value[0] if value else None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def uid(text_value: str) -> str:
    return text_value.strip(" \x00")


def synthetic_uid(sop_instance_uid: str, index: int) -> str:
    """A stable UID for the index-th event of an object that gave it none: the same object read again gives the
    same UID (2.25 form, at most 44 characters)."""
    digest = hashlib.sha256(f"inscope-event|{sop_instance_uid}|{index}".encode()).digest()
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


def read_error(message: str) -> DoseReadError:
    return DoseReadError(message)
