"""The Modality Worklist (C-FIND, Modality Worklist Information Model - FIND): which examinations a modality may do.

``find_worklist_items(identifier, calling_ae=...)`` answers one query. It reads the query once, turns what it
can into a database filter (status, room by AE title or modality, the scheduled date-time range, accession
number, patient ID, study UID, birth date) so that one room's day is an index range scan on (room, scheduled_at),
then applies DICOM matching (PS3.4 C.2.2.2) in Python to what comes back and builds a response for each match
with exactly the keys asked for.

Offered: only examinations InScope has let go ahead — AUTHORISED (a radiographer authorised the assistant
practitioner after an escalation) or IN_PROGRESS (started after a "proceed" decision, or taken over by a
radiographer). Never scheduled-but-unchecked, escalated, completed, cancelled or discontinued ones, and nothing
in a room whose required unit is out of service (inscope.equipment).

Matching, as the standard has it:
  * universal matching: an empty key (or ``*``) matches everything and asks for the value back;
  * single value: exact, case-sensitive, except person names (case-insensitive, component by component:
    ``SMITH^J*`` is family name SMITH and given name starting J; a name without ``^`` constrains the family name);
  * wildcards ``*`` and ``?`` in every text key except dates, times and UIDs;
  * ranges on dates and times (``20261127-20261129``, ``-20261128``, ``20261128-``; ``0800-1200``); when both the
    scheduled start date and start time are given they are one date-time range (PS3.4 C.2.2.2.5): date
    ``20261127-20261129`` with time ``1000-1200`` means from 27 Nov 10:00 to 29 Nov 12:00;
  * a list of UIDs (``uid1\\uid2``) for Study Instance UID;
  * sequence matching: an item's keys must all match one item of ours; an empty sequence or empty item returns
    the whole item.
Text keys with several values (``DX\\CR``) match any of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone
from pydicom import Dataset, config
from pydicom.charset import python_encoding
from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataelem import DataElement, empty_value_for_VR
from pydicom.sequence import Sequence
from pydicom.valuerep import PersonName

from inscope.department.models import Room
from inscope.dicom.models import InterfaceMessage
from inscope.equipment.queries import rooms_out_of_service
from inscope.exams.models import Examination

log = logging.getLogger("inscope.dicom.worklist")

OFFERED = (Examination.Status.AUTHORISED, Examination.Status.IN_PROGRESS)
CODING_SCHEME = "99INSCOPE"  # InScope's protocol codes (a private coding scheme: 99 + name, PS3.16 8.2)
# Examination.modality is the department's code; the DICOM modality of an examination with no room.
DEPARTMENT_MODALITY = {"XR": "DX", "FL": "RF", "MAM": "MG"}
PRIORITY = {"routine": "ROUTINE", "urgent": "HIGH", "emergency": "STAT"}
SEX = {"female": "F", "male": "M", "other": "O", "unknown": ""}
LATIN_1, UTF_8 = "ISO_IR 100", "ISO_IR 192"
LATIN_1_FITS = "_fits_latin_1"

# Character sets a query may use: the default repertoire, Latin-1 and UTF-8 (and others pydicom can decode).
DEFAULT_REPERTOIRE = {"", "ISO_IR 6", "ISO 2022 IR 6"}

SPS = "ScheduledProcedureStepSequence"
START_DATE, START_TIME = "ScheduledProcedureStepStartDate", "ScheduledProcedureStepStartTime"
WILDCARD_FORBIDDEN_VRS = {"DA", "TM", "DT", "UI"}
# Maximum lengths of the VRs we write (PS3.5 6.2), so a long protocol name never makes an invalid response.
MAX_LENGTH = {"SH": 16, "LO": 64, "AE": 16, "CS": 16, "PN": 64, "ST": 1024, "LT": 10240}


class WorklistQueryError(Exception):
    """The query cannot be answered as asked (a malformed date range, an unknown character set...)."""

    def __init__(self, message: str, *, keyword: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.keyword = keyword


# --- Reading the query ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DateTimeRange:
    """A range of local date-times; either end may be open. ``time_only`` ranges compare the time of day."""

    start: dt.datetime | None
    end: dt.datetime | None  # inclusive

    def contains(self, value: dt.datetime) -> bool:
        return (self.start is None or value >= self.start) and (self.end is None or value <= self.end)


@dataclasses.dataclass
class Query:
    """One parsed C-FIND identifier: the matchers and what to return."""

    identifier: Dataset
    character_set: str  # the query's, as given ("" for the default repertoire)
    top: dict[str, Callable[[Any], bool]]  # keyword -> matcher of our value
    sps: dict[str, Callable[[Any], bool]]
    scheduled: DateTimeRange | None  # the scheduled start as one date-time range (date and time combined)
    time_of_day: tuple[dt.time | None, dt.time | None] | None  # time without date
    filters: Q
    unsupported: list[str]  # keys with a value we cannot match on (answered with Pending 0xFF01)
    template: tuple[Slot, ...] = ()  # what to return

    @property
    def has_unsupported_keys(self) -> bool:
        return bool(self.unsupported)


def parse_query(identifier: Dataset) -> Query:
    """Read a worklist query; raise WorklistQueryError if it is malformed."""
    charset = _character_set(identifier)
    # A room whose required unit is out of service offers nothing, whatever the examination's status.
    offered = Q(status__in=OFFERED) & ~Q(room_id__in=rooms_out_of_service(timezone.localdate()))
    query = Query(identifier=identifier, character_set=charset, top={}, sps={}, scheduled=None, time_of_day=None,
                  filters=offered, unsupported=[])
    try:
        for elem in identifier:
            keyword = elem.keyword or keyword_for_tag(elem.tag)
            if elem.tag.group in (0x0000, 0x0002) or keyword == "SpecificCharacterSet":
                continue
            if keyword == SPS:
                _parse_sps(query, elem)
            elif keyword in TOP_KEYS:
                matcher = _matcher(keyword, elem, query)
                if matcher is not None:
                    query.top[keyword] = matcher
            elif not _is_empty(elem):
                query.unsupported.append(keyword or str(elem.tag))
    except (ValueError, TypeError, UnicodeError) as exc:  # a value pydicom cannot read
        raise WorklistQueryError(f"Unreadable query value: {exc}") from exc
    query.filters &= _database_filters(query, identifier)
    query.template = compile_template(identifier)
    return query


def _character_set(identifier: Dataset) -> str:
    value = identifier.get("SpecificCharacterSet")
    terms = [] if value is None else [value] if isinstance(value, str) else [str(v) for v in value]
    for term in (t.strip() for t in terms):
        if term in DEFAULT_REPERTOIRE:
            continue
        try:
            python_encoding[term]
        except KeyError:
            raise WorklistQueryError(f"Specific Character Set {term!r} is not supported.",
                                     keyword="SpecificCharacterSet") from None
    return "\\".join(t.strip() for t in terms)


def _is_empty(elem: DataElement) -> bool:
    """Whether a key asks only for its value back (universal matching)."""
    if elem.VR == "SQ":
        return all(_is_empty(sub) for item in (elem.value or []) for sub in item)
    value = elem.value
    return value is None or _text(elem).strip() in ("", "*")


def _text(elem: DataElement) -> str:
    value = elem.value
    if value is None:
        return ""
    if elem.VM > 1 and not isinstance(value, str | bytes):
        return "\\".join(str(v) for v in value)
    return str(value)


def _matcher(keyword: str, elem: DataElement, query: Query) -> Callable[[Any], bool] | None:
    """Return a function matching one of our values against the query key, or None for universal matching."""
    if elem.VR == "SQ":
        return _sequence_matcher(keyword, elem, query)
    if _is_empty(elem):
        return None
    text = _text(elem).strip()
    vr = elem.VR
    if vr in WILDCARD_FORBIDDEN_VRS and ("*" in text or "?" in text):
        raise WorklistQueryError(f"{keyword}: wildcards are not allowed in a {vr} key.", keyword=keyword)
    if vr == "DA":
        low, high = _date_range(text, keyword)
        return lambda value: bool(value) and (low is None or _da(value) >= low) and (high is None or _da(value) <= high)
    if vr == "TM":
        lo, hi = _time_range(text, keyword)
        return lambda value: bool(value) and _time_in(_tm(value), lo, hi)
    if vr == "UI":
        uids = {u.strip() for u in text.split("\\")}
        return lambda value: value in uids
    if vr == "PN":
        patterns = [p for p in text.split("\\") if p.strip()]
        return lambda value: any(_pn_match(p, value) for p in patterns)
    alternatives = [a.strip() if vr in ("CS", "AE", "SH", "LO", "IS", "DS") else a for a in text.split("\\")]
    return lambda value: any(_text_match(a, value) for a in alternatives)


def _sequence_matcher(keyword: str, elem: DataElement, query: Query) -> Callable[[Any], bool] | None:
    items = list(elem.value or [])
    if not items:
        return None
    if len(items) > 1:
        raise WorklistQueryError(f"{keyword}: a query sequence must have one item, not {len(items)}.",
                                 keyword=keyword)
    keys = CODE_KEYS if keyword in CODE_SEQUENCES else {}
    matchers: dict[str, Callable[[Any], bool]] = {}
    for sub in items[0]:
        sub_keyword = sub.keyword
        if sub_keyword in keys:
            matcher = _matcher(sub_keyword, sub, query)
            if matcher is not None:
                matchers[sub_keyword] = matcher
        elif not _is_empty(sub):
            query.unsupported.append(f"{keyword}.{sub_keyword or sub.tag}")
    if not matchers:
        return None
    return lambda ours: any(all(m(item.get(k, "")) for k, m in matchers.items()) for item in ours)


def _parse_sps(query: Query, elem: DataElement) -> None:
    items = list(elem.value or [])
    if len(items) > 1:
        raise WorklistQueryError(f"{SPS}: a query sequence must have one item, not {len(items)}.", keyword=SPS)
    if not items:
        return
    item = items[0]
    date_elem, time_elem = item.get((0x0040, 0x0002)), item.get((0x0040, 0x0003))
    date_text = "" if date_elem is None or _is_empty(date_elem) else _text(date_elem).strip()
    time_text = "" if time_elem is None or _is_empty(time_elem) else _text(time_elem).strip()
    for text, vr, keyword in ((date_text, "DA", START_DATE), (time_text, "TM", START_TIME)):
        if "*" in text or "?" in text:
            raise WorklistQueryError(f"{keyword}: wildcards are not allowed in a {vr} key.", keyword=keyword)
    if date_text:
        low, high = _date_range(date_text, START_DATE)
        t_low, t_high = _time_range(time_text, START_TIME) if time_text else (None, None)
        query.scheduled = DateTimeRange(
            start=None if low is None else dt.datetime.combine(low, t_low or dt.time.min),
            end=None if high is None else dt.datetime.combine(high, t_high or dt.time.max),
        )
    elif time_text:
        query.time_of_day = _time_range(time_text, START_TIME)
    for sub in item:
        keyword = sub.keyword
        if keyword in (START_DATE, START_TIME):
            continue
        if keyword in SPS_KEYS:
            matcher = _matcher(keyword, sub, query)
            if matcher is not None:
                query.sps[keyword] = matcher
        elif not _is_empty(sub):
            query.unsupported.append(f"{SPS}.{keyword or sub.tag}")


# --- Dates, times, text, names ---------------------------------------------------------------------------------------

_DA = re.compile(r"\d{8}")
_TM = re.compile(r"(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?")


def _date(text: str, keyword: str) -> dt.date:
    text = text.strip()
    if re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", text):  # the old ACR-NEMA form, still sent by some equipment
        text = text.replace(".", "")
    if not _DA.fullmatch(text):
        raise WorklistQueryError(f"{keyword}: {text!r} is not a date (YYYYMMDD).", keyword=keyword)
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise WorklistQueryError(f"{keyword}: {text!r} is not a valid date.", keyword=keyword) from None


def _date_range(text: str, keyword: str) -> tuple[dt.date | None, dt.date | None]:
    if text.count("-") > 1:
        raise WorklistQueryError(f"{keyword}: {text!r} is not a date or a date range.", keyword=keyword)
    if "-" not in text:
        day = _date(text, keyword)
        return day, day
    first, last = text.split("-")
    low = _date(first, keyword) if first.strip() else None
    high = _date(last, keyword) if last.strip() else None
    if low and high and low > high:
        raise WorklistQueryError(f"{keyword}: the range {text!r} ends before it starts.", keyword=keyword)
    return low, high


def _time(text: str, keyword: str, *, end: bool) -> dt.time:
    """A time of day; as the end of a range, the last instant of its precision ("12" is 12:59:59.999999)."""
    cleaned = text.strip().replace(":", "")
    found = _TM.fullmatch(cleaned)
    if not found:
        raise WorklistQueryError(f"{keyword}: {text!r} is not a time (HHMMSS).", keyword=keyword)
    hours, minutes, seconds, fraction = found.groups()
    try:
        if not end:
            micro = int((fraction or "0").ljust(6, "0"))
            return dt.time(int(hours), int(minutes or 0), int(seconds or 0), micro)
        micro = int((fraction or "").ljust(6, "9")) if fraction else 999999
        return dt.time(int(hours), int(minutes) if minutes else 59, int(seconds) if seconds else 59,
                       micro if (seconds or fraction) else 999999)
    except ValueError:
        raise WorklistQueryError(f"{keyword}: {text!r} is not a valid time.", keyword=keyword) from None


def _time_range(text: str, keyword: str) -> tuple[dt.time | None, dt.time | None]:
    if text.count("-") > 1:
        raise WorklistQueryError(f"{keyword}: {text!r} is not a time or a time range.", keyword=keyword)
    if "-" not in text:
        return _time(text, keyword, end=False), _time(text, keyword, end=True)
    first, last = text.split("-")
    low = _time(first, keyword, end=False) if first.strip() else None
    high = _time(last, keyword, end=True) if last.strip() else None
    if low and high and low > high:
        raise WorklistQueryError(f"{keyword}: the range {text!r} ends before it starts.", keyword=keyword)
    return low, high


def _da(value: str) -> dt.date:
    return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _tm(value: str) -> dt.time:
    return dt.time(int(value[:2]), int(value[2:4] or 0), int(value[4:6] or 0))


def _time_in(value: dt.time, low: dt.time | None, high: dt.time | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


@functools.lru_cache(maxsize=512)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _text_match(pattern: str, value: str) -> bool:
    value = (value or "").strip()
    if "*" in pattern or "?" in pattern:
        return _wildcard(pattern, False).fullmatch(value) is not None
    return pattern == value


def _pn_match(pattern: str, value: str) -> bool:
    """Match a person name component by component, case-insensitively, with wildcards."""
    wanted = pattern.split("=")[0].split("^")
    have = (value or "").split("=")[0].split("^")
    for index, component in enumerate(wanted):
        component = component.strip()
        if component in ("", "*"):
            continue
        ours = have[index].strip() if index < len(have) else ""
        if "*" in component or "?" in component:
            if _wildcard(component.casefold(), True).fullmatch(ours.casefold()) is None:
                return False
        elif component.casefold() != ours.casefold():
            return False
    return True


# --- From the query to the database ---------------------------------------------------------------------------------


def _plain(elem: DataElement | None) -> list[str] | None:
    """The key's values if it is single values without wildcards (so the database can match them), else None."""
    if elem is None or elem.VR == "SQ" or _is_empty(elem):
        return None
    values = [v.strip() for v in _text(elem).split("\\")]
    if any("*" in v or "?" in v or not v for v in values):
        return None
    return values


def _database_filters(query: Query, identifier: Dataset) -> Q:
    """Narrow the examinations in the database as far as the query allows; Python matching does the rest."""
    filters = _room_filter(query)
    sps_items = identifier.get(SPS) or []
    item = sps_items[0] if sps_items else Dataset()
    if query.scheduled is not None:
        if query.scheduled.start is not None:
            filters &= Q(scheduled_at__gte=_aware(query.scheduled.start))
        if query.scheduled.end is not None:
            filters &= Q(scheduled_at__lte=_aware(query.scheduled.end))
    for keyword, elem in (("AccessionNumber", identifier.get((0x0008, 0x0050))),
                          ("RequestedProcedureID", identifier.get((0x0040, 0x1001))),
                          ("ScheduledProcedureStepID", item.get((0x0040, 0x0009)))):
        values = _plain(elem)
        if values is not None and keyword in (query.top.keys() | query.sps.keys()):
            filters &= Q(accession_number__in=values)
    patient_id = _plain(identifier.get((0x0010, 0x0020)))
    if patient_id is not None:
        filters &= Q(patient__nhs_number__in=patient_id)
    uids = _plain(identifier.get((0x0020, 0x000D)))
    if uids is not None:
        filters &= Q(study_instance_uid__in=uids)
    birth = identifier.get((0x0010, 0x0030))
    if birth is not None and not _is_empty(birth):
        low, high = _date_range(_text(birth).strip(), "PatientBirthDate")
        if low is not None:
            filters &= Q(patient__date_of_birth__gte=low)
        if high is not None:
            filters &= Q(patient__date_of_birth__lte=high)
    return filters


def _room_filter(query: Query) -> Q:
    """The rooms whose AE title and modality match (a small table, matched here with the DICOM rules)."""
    station = query.sps.get("ScheduledStationAETitle")
    modality = query.sps.get("Modality")
    if station is None and modality is None:
        return Q()
    rooms = [r.pk for r in Room.objects.only("id", "ae_title", "modality")
             if (station is None or station(r.ae_title)) and (modality is None or modality(r.modality))]
    by_room = Q(room_id__in=rooms)
    if station is None and modality is not None:  # with no room there is no AE title, but there is a modality
        codes = [code for code in _department_codes() if modality(_dicom_modality(code))]
        by_room |= Q(room__isnull=True, modality__in=codes)
    return by_room


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value, timezone.get_current_timezone())


def _department_codes() -> list[str]:
    return list(Examination.objects.filter(room__isnull=True, status__in=OFFERED)
                .values_list("modality", flat=True).distinct())


def _dicom_modality(department_code: str) -> str:
    return DEPARTMENT_MODALITY.get(department_code, department_code)


# --- What we know about an examination, as worklist attributes ------------------------------------------------------


# The columns a worklist item is made of: read as plain rows (no model instances), for speed.
ROW = (
    "id", "scheduled_at", "accession_number", "study_instance_uid", "protocol_code", "protocol_name", "modality",
    "referrer", "clinical_question", "priority", "patient__family_name", "patient__given_name",
    "patient__nhs_number", "patient__date_of_birth", "patient__sex", "room_id", "room__ae_title", "room__name",
    "room__modality", "site__name", "operator__first_name", "operator__last_name", "operator__display_name",
    "operator__username",
)


def _person_name(row: dict[str, Any]) -> str:
    """The operator as a DICOM person name, FAMILY^Given."""
    family, given = (row["operator__last_name"] or "").strip(), (row["operator__first_name"] or "").strip()
    if not family:
        parts = (row["operator__display_name"] or row["operator__username"] or "").strip().rsplit(" ", 1)
        family, given = (parts[1], parts[0]) if len(parts) == 2 else (parts[0], "")
    return f"{family}^{given}" if given else family


def _code(row: dict[str, Any]) -> dict[str, str]:
    return {"CodeValue": row["protocol_code"], "CodingSchemeDesignator": CODING_SCHEME,
            "CodeMeaning": row["protocol_name"]}


def exam_attributes(row: dict[str, Any]) -> dict[str, Any]:
    """The worklist item for an examination (a row of ROW): {keyword: value}; sequences are lists of such dicts."""
    local = timezone.localtime(row["scheduled_at"])
    has_room = row["room_id"] is not None
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    step = {
        "ScheduledStationAETitle": row["room__ae_title"] if has_room else "",
        "ScheduledStationName": row["room__name"] if has_room else "",
        "ScheduledProcedureStepLocation": row["room__name"] if has_room else "",
        START_DATE: local.strftime("%Y%m%d"),
        START_TIME: local.strftime("%H%M%S"),
        "Modality": row["room__modality"] if has_room else _dicom_modality(row["modality"]),
        "ScheduledPerformingPhysicianName": _person_name(row) if row["operator__username"] else "",
        "ScheduledProcedureStepDescription": row["protocol_name"],
        "ScheduledProtocolCodeSequence": [_code(row)],
        "ScheduledProcedureStepID": row["accession_number"],
        "ScheduledProcedureStepStatus": "READY",
    }
    referrer = row["referrer"].replace("^", " ")
    return {
        "PatientName": f"{row['patient__family_name']}^{row['patient__given_name']}",
        "PatientID": row["patient__nhs_number"],
        "IssuerOfPatientID": "NHS",
        "PatientBirthDate": row["patient__date_of_birth"].strftime("%Y%m%d"),
        "PatientSex": SEX.get(row["patient__sex"], ""),
        "AccessionNumber": row["accession_number"],
        "RequestedProcedureID": row["accession_number"],
        "RequestedProcedureDescription": row["protocol_name"],
        "RequestedProcedureCodeSequence": [_code(row)],
        "RequestedProcedurePriority": PRIORITY.get(row["priority"], ""),
        "ReasonForTheRequestedProcedure": row["clinical_question"],
        "StudyInstanceUID": row["study_instance_uid"],
        "ReferringPhysicianName": referrer,
        "RequestingPhysician": referrer,
        "InstitutionName": row["site__name"],
        "TimezoneOffsetFromUTC": f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}",
        SPS: [step],
        LATIN_1_FITS: _fits_latin1(row),  # not a DICOM keyword: never matched or returned
    }


TOP_KEYS = {
    "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex", "AccessionNumber",
    "RequestedProcedureID", "RequestedProcedureDescription", "RequestedProcedureCodeSequence",
    "RequestedProcedurePriority", "ReasonForTheRequestedProcedure", "StudyInstanceUID", "ReferringPhysicianName",
    "RequestingPhysician", "InstitutionName", "TimezoneOffsetFromUTC",
}
SPS_KEYS = {
    "ScheduledStationAETitle", "ScheduledStationName", "ScheduledProcedureStepLocation", START_DATE, START_TIME,
    "Modality", "ScheduledPerformingPhysicianName", "ScheduledProcedureStepDescription",
    "ScheduledProtocolCodeSequence", "ScheduledProcedureStepID", "ScheduledProcedureStepStatus",
}
CODE_SEQUENCES = {"RequestedProcedureCodeSequence", "ScheduledProtocolCodeSequence"}
CODE_KEYS = {"CodeValue", "CodingSchemeDesignator", "CodeMeaning"}
# {keyword: (tag, VR)} of everything an item can hold, for answering an empty sequence with the whole item.
KNOWN = {keyword: (int(tag_for_keyword(keyword) or 0), dictionary_VR(keyword))
         for keyword in TOP_KEYS | SPS_KEYS | CODE_KEYS | {SPS}}
SPECIFIC_CHARACTER_SET = 0x00080005


# --- Answering --------------------------------------------------------------------------------------------------------


def _matches(query: Query, attrs: dict[str, Any], scheduled_local: dt.datetime) -> bool:
    if query.scheduled is not None and not query.scheduled.contains(scheduled_local.replace(tzinfo=None)):
        return False
    if query.time_of_day is not None and not _time_in(scheduled_local.time().replace(tzinfo=None),
                                                      *query.time_of_day):
        return False
    for keyword, matcher in query.top.items():
        if not matcher(attrs.get(keyword, "")):
            return False
    step = attrs[SPS][0]
    return all(matcher(step.get(keyword, "")) for keyword, matcher in query.sps.items())


def response_character_set(query_charset: str, attrs: dict[str, Any]) -> str:
    """The query's character set if the answer fits it (Latin-1 for the default repertoire), else UTF-8."""
    if query_charset == UTF_8:
        return UTF_8
    if not attrs.get(LATIN_1_FITS, True):
        return UTF_8
    return LATIN_1 if query_charset in DEFAULT_REPERTOIRE | {LATIN_1} else UTF_8


def _fits_latin1(row: dict[str, Any]) -> bool:
    """Whether every text of an examination's row can be written in Latin-1 (most are plain ASCII: fast)."""
    for value in row.values():
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                return False
    return True


def _fit(vr: str, value: str) -> str:
    limit = MAX_LENGTH.get(vr)
    return value[:limit] if limit else value


@dataclasses.dataclass(frozen=True)
class Slot:
    """One key of the query to answer: its tag, VR and keyword; for a sequence, the keys of its item (None when
    the query's sequence or item is empty, which asks for everything we have)."""

    tag: int
    vr: str
    keyword: str
    children: tuple[Slot, ...] | None = None


def compile_template(ds: Dataset) -> tuple[Slot, ...]:
    """The keys a query asks to have returned, compiled once per query."""
    slots = []
    for elem in ds:
        if elem.tag.group in (0x0000, 0x0002) or elem.tag == SPECIFIC_CHARACTER_SET:
            continue
        if elem.VR == "SQ":
            items = list(elem.value or [])
            children = compile_template(items[0]) if items and len(items[0]) else None
            slots.append(Slot(int(elem.tag), "SQ", elem.keyword, children))
        else:
            slots.append(Slot(int(elem.tag), elem.VR, elem.keyword))
    return tuple(slots)


def _element(tag: int, vr: str, value: Any) -> DataElement:
    """A response element from one of our values (already valid: no conversion or validation by pydicom)."""
    if isinstance(value, str) and value:
        text = _fit(vr, value)
        return DataElement(tag, vr, PersonName(text) if vr == "PN" else text, already_converted=True,
                           validation_mode=config.IGNORE)
    empty = empty_value_for_VR(vr)
    return DataElement(tag, vr, PersonName("") if vr == "PN" else empty, already_converted=True,
                       validation_mode=config.IGNORE)


def _sequence(tag: int, items: list[dict[str, Any]], children: tuple[Slot, ...] | None) -> DataElement:
    sequence = Sequence()
    for item in items:
        child = Dataset()
        if children is None:
            _fill_all(child, item)
        else:
            _fill(child, children, item)
        sequence.append(child)
    return DataElement(tag, "SQ", sequence, already_converted=True, validation_mode=config.IGNORE)


def _fill(target: Dataset, slots: tuple[Slot, ...], ours: dict[str, Any]) -> None:
    """Each key the query asked for, with our value (empty if we have none)."""
    for slot in slots:
        value = ours.get(slot.keyword) if slot.keyword else None
        if slot.vr == "SQ":
            target.add(_sequence(slot.tag, value if isinstance(value, list) else [], slot.children))
        else:
            target.add(_element(slot.tag, slot.vr, value))


def _fill_all(target: Dataset, ours: dict[str, Any]) -> None:
    """Every attribute we have for a sequence item (the query asked for the item with no keys)."""
    for keyword, value in ours.items():
        tag, vr = KNOWN[keyword]
        if isinstance(value, list):
            target.add(_sequence(tag, value, None))
        else:
            target.add(_element(tag, vr, value))


def build_response(query: Query, attrs: dict[str, Any]) -> Dataset:
    response = Dataset()
    # First: text values are encoded in the character set of the dataset they are written in.
    response.add(DataElement(SPECIFIC_CHARACTER_SET, "CS", response_character_set(query.character_set, attrs),
                             already_converted=True, validation_mode=config.IGNORE))
    _fill(response, query.template, attrs)
    return response


def answer(query: Query) -> Iterator[Dataset]:
    """Yield a response for each offered examination matching the query, in scheduled order."""
    rows = Examination.objects.filter(query.filters).order_by("scheduled_at", "id").values(*ROW)
    for row in rows.iterator(chunk_size=500):
        attrs = exam_attributes(row)
        if _matches(query, attrs, timezone.localtime(row["scheduled_at"])):
            yield build_response(query, attrs)


def find_worklist_items(identifier: Dataset, *, calling_ae: str = "") -> Iterator[Dataset]:
    """Answer a worklist query: the matching items, each with the keys asked for.

    Raises WorklistQueryError at once (before anything is yielded) if the query is malformed.
    """
    query = parse_query(identifier)
    if query.unsupported:
        log.debug("Worklist query from %s: no matching on %s", calling_ae, ", ".join(query.unsupported))
    return answer(query)


def record_query_failure(calling_ae: str, message: str, identifier: Dataset | None, *,
                         level: str = InterfaceMessage.Level.ERROR) -> InterfaceMessage:
    """Keep a refused worklist query on the interface messages screen."""
    detail: dict[str, Any] = {}
    if identifier is not None:
        try:
            detail["query"] = identifier.to_json_dict()
        except Exception:  # noqa: BLE001 - a query too broken to show as JSON is described by its text
            detail["query"] = str(identifier)[:4000]
    return InterfaceMessage.objects.create(
        channel=InterfaceMessage.Channel.WORKLIST, level=level, calling_ae_title=calling_ae[:16],
        summary=f"Worklist query from {calling_ae or 'an unknown caller'} refused: {message}"[:300], detail=detail,
    )
