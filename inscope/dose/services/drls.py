"""Diagnostic reference levels: loading the national ones, proposing and approving local ones, linking a protocol
to a national DRL, and comparing a study with the DRL that applies (``inscope.rules.drl`` chooses it).

Values are stored in the quantity's stored unit (DAP in Gy·m², DLP in mGy·cm, CTDIvol and AGD in mGy, activity in
MBq); ``value_as_published`` keeps the figure as its source wrote it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inscope.audit.services import record
from inscope.department.models import Department, Room
from inscope.dose.models import DoseStudy, DrlSet, ProtocolDrlLink, Quantity, ReferenceLevel
from inscope.exams.models import Examination
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.policy.document import PolicyDocument, ProtocolEntry
from inscope.policy.services import document_for, in_force
from inscope.rules import drl as rules
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

NATIONAL_DRLS = Path(__file__).resolve().parent.parent / "reference" / "national_drls.csv"
CSV_COLUMNS = ("modality", "examination", "projection_or_protocol", "quantity", "value", "unit", "population",
               "source", "year")
# How a source names a quantity (lower case), and the quantity it is stored as. DAP per radiograph is not here:
# a study's DAP is per examination, so comparing it with a per-radiograph DRL would mislead.
CSV_QUANTITIES = {
    "dlp per complete examination": Quantity.DLP,
    "dlp per examination": Quantity.DLP,
    "dlp": Quantity.DLP,
    "ctdivol per sequence": Quantity.CTDIVOL,
    "ctdivol": Quantity.CTDIVOL,
    "dap per examination": Quantity.DAP,
    "dap per procedure": Quantity.DAP,
    "dap": Quantity.DAP,
    "agd per view": Quantity.AGD,
    "average glandular dose per view": Quantity.AGD,
    "mgd per view": Quantity.AGD,
    "administered activity": Quantity.ACTIVITY,
    "activity": Quantity.ACTIVITY,
}
# Units each quantity may be given in (normalised by _unit_key), as multipliers to its stored unit.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    Quantity.DAP: {"gy m2": 1.0, "gy cm2": 1e-4, "dgy cm2": 1e-5, "cgy cm2": 1e-6, "mgy cm2": 1e-7, "ugy m2": 1e-6},
    Quantity.DLP: {"mgy cm": 1.0},
    Quantity.CTDIVOL: {"mgy": 1.0},
    Quantity.AGD: {"mgy": 1.0},
    Quantity.ACTIVITY: {"mbq": 1.0},
}
UNIT_NAMES: dict[str, str] = {
    Quantity.DAP: "Gy·m², Gy·cm², dGy·cm², cGy·cm², mGy·cm² or µGy·m²",
    Quantity.DLP: "mGy·cm",
    Quantity.CTDIVOL: "mGy",
    Quantity.AGD: "mGy",
    Quantity.ACTIVITY: "MBq",
}
_FROM_DATE = re.compile(r"\bfrom (\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                        r"November|December) \d{4})\b", re.IGNORECASE)
_TITLE = re.compile(r"^\s*([^,']+),\s*'([^']+)'")
_RADIOGRAPHY = frozenset({"XR", "DX", "CR", "PX"})


def _unit_key(text: str) -> str:
    key = text.strip().lower().replace("²", "2").replace("µ", "u").replace("μ", "u")
    for mark in ("·", "*", ".", "⋅"):
        key = key.replace(mark, " ")
    return " ".join(key.split())


def to_stored_unit(quantity: str, value: float, unit: str) -> float:
    """Return ``value`` in ``unit`` converted to the quantity's stored unit; DomainError if the unit does not fit."""
    factors = UNIT_FACTORS.get(quantity)
    if factors is None:
        raise DomainError(f"Unknown DRL quantity {quantity!r}.", field="quantity")
    factor = factors.get(_unit_key(unit))
    if factor is None:
        raise DomainError(f"A {quantity} DRL cannot be given in {unit!r}; use {UNIT_NAMES[quantity]}.", field="unit")
    return value * factor


def _require_any(by: User, *actions: Action) -> None:
    if not any(can(by, action) for action in actions):
        names = " or ".join(a.value.replace("_", " ") for a in actions)
        raise NotAllowed(f"Your role does not allow you to {names}.")


# --- National DRLs ----------------------------------------------------------------------------------------------


def file_sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _effective_from(source: str, year: int | None, where: str) -> dt.date:
    found = _FROM_DATE.search(source)
    if found:
        return dt.datetime.strptime(found.group(1).title(), "%d %B %Y").date()
    if year is not None:
        return dt.date(year, 1, 1)
    raise DomainError(f"{where}: give a year, or a source that says which date the DRLs apply from.", field="path")


def _national_level(cells: dict[str, str], where: str, drl_set: DrlSet) -> ReferenceLevel:
    quantity = CSV_QUANTITIES.get(" ".join(cells["quantity"].lower().split()))
    if quantity is None:
        raise DomainError(f"{where}: unknown quantity {cells['quantity']!r}; InScope compares "
                          f"{', '.join(sorted(set(CSV_QUANTITIES)))}.", field="path")
    try:
        value = float(cells["value"])
    except ValueError:
        raise DomainError(f"{where}: the value {cells['value']!r} is not a number.", field="path") from None
    if not math.isfinite(value) or value <= 0:
        raise DomainError(f"{where}: the value must be more than 0, not {cells['value']!r}.", field="path")
    try:
        stored = to_stored_unit(quantity, value, cells["unit"])
    except DomainError as error:
        raise DomainError(f"{where}: {error.message}", field="path") from None
    year = None
    if cells["year"]:
        if not cells["year"].isdigit() or not 1900 < int(cells["year"]) < 2200:
            raise DomainError(f"{where}: the year {cells['year']!r} is not a year.", field="path")
        year = int(cells["year"])
    for column, limit in (("modality", 4), ("examination", 160), ("projection_or_protocol", 300),
                          ("source", 400), ("population", 20)):
        if len(cells[column]) > limit:
            raise DomainError(f"{where}: {column} is longer than {limit} characters.", field="path")
    if not cells["modality"] or not cells["examination"] or not cells["source"]:
        raise DomainError(f"{where}: modality, examination and source are required.", field="path")
    return ReferenceLevel(
        scope=ReferenceLevel.Scope.NATIONAL, drl_set=drl_set, modality=cells["modality"].upper(),
        examination=cells["examination"], detail=cells["projection_or_protocol"], quantity=quantity,
        value=stored, value_as_published=f"{cells['value']} {cells['unit']}"[:40],
        population=cells["population"] or "adult", source=cells["source"], year=year,
        effective_from=_effective_from(cells["source"], year, where), status=ReferenceLevel.Status.APPROVED)


def _national_rows(text: str, name: str, drl_set: DrlSet) -> list[ReferenceLevel]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(f"{name} line 1: the header lacks the column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}.", field="path")
    levels = []
    for row in reader:
        cells = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        if any(cells.values()):
            levels.append(_national_level(cells, f"{name} line {reader.line_num}", drl_set))
    if not levels:
        raise DomainError(f"{name}: the file has no DRLs.", field="path")
    return levels


def _set_name(levels: list[ReferenceLevel], file_name: str, sha: str) -> str:
    title = _TITLE.match(levels[0].source)
    name = f"{title.group(1).strip()} {title.group(2).strip()}" if title else f"{levels[0].source} ({file_name})"
    suffix = f" [{sha[:8]}]"
    return name[: 160 - len(suffix)] + suffix


def _supersede(drl_set: DrlSet, levels: list[ReferenceLevel], by: User | None, channel: str) -> dict[str, int]:
    """Close the older sets' DRLs the day before the new set applies, and carry physicists' links over."""
    starts = min(level.effective_from for level in levels)
    older = list(DrlSet.objects.select_for_update().exclude(pk=drl_set.pk).filter(is_current=True))
    DrlSet.objects.filter(pk__in=[s.pk for s in older]).update(is_current=False)
    same = {(lv.modality, lv.examination, lv.detail, lv.quantity, lv.population): lv for lv in levels}
    closed = carried = 0
    old_levels = ReferenceLevel.objects.select_for_update().filter(
        drl_set__in=older, status=ReferenceLevel.Status.APPROVED).exclude(effective_to__lt=starts)
    for old in old_levels:
        if old.effective_from < starts:
            old.effective_to = starts - dt.timedelta(days=1)
        else:
            old.status = ReferenceLevel.Status.WITHDRAWN  # the new file covers the same dates: it replaces this one
        old.save(update_fields=["effective_to", "status"])
        closed += 1
        successor = same.get((old.modality, old.examination, old.detail, old.quantity, old.population))
        if successor is None:
            continue
        for link in ProtocolDrlLink.objects.filter(reference_level=old):
            _, made = ProtocolDrlLink.objects.get_or_create(
                department=link.department, protocol_code=link.protocol_code, reference_level=successor,
                defaults={"created_by": link.created_by})
            carried += made
    for old_set in older:
        record("dose.national_drls_superseded", old_set, by=by, channel=channel,
               summary=f"{old_set.name} replaced by {drl_set.name} from {starts:%d %b %Y}")
    return {"closed": closed, "links_carried": carried}


def load_national_drls(path: Path | str | None = None, *, by: User | None = None, channel: str = "cli") -> DrlSet:
    """Load a national DRL file as a new current set, or return the set already loaded from the same file.

    Each row becomes an approved national ReferenceLevel in its stored unit, effective from the date its source
    names ("from 20 November 2024"), else 1 January of its year. A new file makes earlier sets not current and
    ends their DRLs the day before it applies; links from protocols to them carry over to the same examination.
    """
    if by is not None:
        _require_any(by, Action.APPROVE_DRL, Action.PROPOSE_DRL)
    source = Path(path) if path is not None else NATIONAL_DRLS
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise DomainError(f"Cannot read {source}: {exc.strerror or exc}.", field="path") from None
    sha = hashlib.sha256(data).hexdigest()
    existing = DrlSet.objects.filter(file_sha256=sha).first()
    if existing is not None:
        return existing
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(f"{source.name} is not UTF-8 text.", field="path") from None
    try:
        with transaction.atomic():
            drl_set = DrlSet(file_sha256=sha, loaded_by=by, is_current=True)
            levels = _national_rows(text, source.name, drl_set)
            drl_set.name = _set_name(levels, source.name, sha)
            drl_set.source = "; ".join(dict.fromkeys(level.source for level in levels))[:400]
            drl_set.save()
            for level in levels:
                level.drl_set = drl_set
            ReferenceLevel.objects.bulk_create(levels)
            counts = _supersede(drl_set, levels, by, channel)
            record("dose.national_drls_loaded", drl_set, by=by, channel=channel,
                   summary=f"Loaded {len(levels)} national DRLs: {drl_set.name}",
                   detail={"file": source.name, "sha256": sha, "levels": len(levels), **counts})
    except IntegrityError:
        found = DrlSet.objects.filter(file_sha256=sha).first()  # loaded by someone else at the same moment
        if found is None:
            raise
        return found
    return drl_set


# --- Local DRLs -------------------------------------------------------------------------------------------------


def _protocol(department: Department, protocol_code: str) -> ProtocolEntry:
    version = in_force(department)
    if version is None:
        raise DomainError("There is no policy in force, so no protocol to set a DRL for.", field="protocol_code")
    entry = document_for(version).protocols.get(protocol_code)
    if entry is None:
        raise DomainError(f"The policy in force has no protocol {protocol_code!r}.", field="protocol_code")
    return entry


def propose_local_drl(*, department: Department, protocol_code: str, quantity: str, value: float, unit: str,
                      room: Room | None = None, station_ae_title: str = "", effective_from: dt.date, source: str,
                      by: User, channel: str = "web") -> ReferenceLevel:
    """Propose a local DRL for a protocol (optionally one room or one piece of equipment); it needs approval."""
    _require_any(by, Action.PROPOSE_DRL)
    entry = _protocol(department, protocol_code)
    if entry.rule.modality in ("MR", "US"):
        raise DomainError(f"{protocol_code} uses no ionising radiation, so it has no DRL.", field="protocol_code")
    if quantity not in Quantity.values:
        raise DomainError("Choose the quantity.", field="quantity")
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise DomainError("The DRL value must be more than 0.", field="value")
    stored = to_stored_unit(quantity, float(value), unit)
    if room is not None and room.site.department_id != department.pk:
        raise DomainError("Choose a room in this department.", field="room")
    station = station_ae_title.strip().upper()
    if len(station) > 16:
        raise DomainError("An AE title has at most 16 characters.", field="station_ae_title")
    if not source.strip():
        raise DomainError("Say what the DRL is based on (e.g. the local dose audit).", field="source")
    with transaction.atomic():
        Department.objects.select_for_update().get(pk=department.pk)  # serialise DRL changes in the department
        level = ReferenceLevel.objects.create(
            scope=ReferenceLevel.Scope.LOCAL, department=department, modality=entry.rule.modality[:4],
            examination=entry.rule.name[:160], protocol_code=protocol_code, room=room, station_ae_title=station,
            quantity=quantity, value=stored, value_as_published=f"{value:g} {unit}"[:40], source=source.strip()[:400],
            year=effective_from.year, effective_from=effective_from, status=ReferenceLevel.Status.PROPOSED,
            proposed_by=by)
        record("dose.local_drl_proposed", level, by=by, channel=channel,
               summary=f"Proposed local DRL {protocol_code} {level.value_as_published} from {effective_from:%d %b %Y}",
               detail={"quantity": quantity, "value": stored, "room": room.pk if room else None,
                       "station_ae_title": station})
    return level


def approve_local_drl(level: ReferenceLevel, *, by: User, channel: str = "web") -> ReferenceLevel:
    """Approve a proposed local DRL (not by its proposer); it replaces the one it follows from its start date."""
    _require_any(by, Action.APPROVE_DRL)
    with transaction.atomic():
        level = ReferenceLevel.objects.select_for_update().get(pk=level.pk)
        if level.scope != ReferenceLevel.Scope.LOCAL:
            raise InvalidTransition("National DRLs are loaded from their published file, not approved here.")
        if level.status != ReferenceLevel.Status.PROPOSED:
            raise InvalidTransition(f"This DRL is {level.get_status_display().lower()}, not awaiting approval.")
        if level.proposed_by_id == by.pk:
            raise NotAllowed("A DRL needs a second person: someone other than its proposer must approve it.")
        # Lock the department, as proposing does, so two approvals for one protocol cannot overlap.
        Department.objects.select_for_update().filter(Q(pk=level.department_id)).first()
        same_place = Q(department_id=level.department_id, room_id=level.room_id)  # room None: any room
        siblings = ReferenceLevel.objects.select_for_update().filter(
            same_place, scope=ReferenceLevel.Scope.LOCAL, protocol_code=level.protocol_code,
            station_ae_title=level.station_ae_title, quantity=level.quantity,
            status=ReferenceLevel.Status.APPROVED).exclude(pk=level.pk)
        for previous in siblings:
            _make_room_for(level, previous, by, channel)
        level.status = ReferenceLevel.Status.APPROVED
        level.approved_by, level.approved_at = by, timezone.now()
        level.save(update_fields=["status", "approved_by", "approved_at", "effective_to"])
        until = f" until {level.effective_to:%d %b %Y}" if level.effective_to else ""
        record("dose.local_drl_approved", level, by=by, channel=channel,
               summary=f"Approved local DRL {level.protocol_code} {level.value_as_published} from "
                       f"{level.effective_from:%d %b %Y}{until}")
    return level


def _make_room_for(level: ReferenceLevel, previous: ReferenceLevel, by: User, channel: str) -> None:
    """Keep one approved DRL per day for the same protocol, place and quantity."""
    starts = level.effective_from
    if previous.effective_to is not None and previous.effective_to < starts:
        return  # it ended before this one starts
    if previous.effective_from < starts:
        previous.effective_to = starts - dt.timedelta(days=1)
        previous.save(update_fields=["effective_to"])
        record("dose.local_drl_ended", previous, by=by, channel=channel,
               summary=f"Local DRL {previous.protocol_code} {previous.value_as_published} ends "
                       f"{previous.effective_to:%d %b %Y}: replaced by {level.value_as_published}")
    elif previous.effective_from == starts:
        previous.status = ReferenceLevel.Status.WITHDRAWN
        previous.save(update_fields=["status"])
        record("dose.local_drl_withdrawn", previous, by=by, channel=channel,
               summary=f"Local DRL {previous.protocol_code} {previous.value_as_published} replaced by "
                       f"{level.value_as_published} from the same day")
    elif level.effective_to is None or level.effective_to >= previous.effective_from:
        # The one being approved starts earlier: it runs until the later one takes over.
        level.effective_to = previous.effective_from - dt.timedelta(days=1)


def withdraw_local_drl(level: ReferenceLevel, *, by: User, reason: str = "", channel: str = "web") -> ReferenceLevel:
    """Withdraw a proposed or approved local DRL; studies already compared with it keep their comparison."""
    _require_any(by, Action.APPROVE_DRL, Action.PROPOSE_DRL)
    if not reason.strip():
        raise DomainError("Give the reason for withdrawing the DRL.", field="reason")
    with transaction.atomic():
        level = ReferenceLevel.objects.select_for_update().get(pk=level.pk)
        if level.scope != ReferenceLevel.Scope.LOCAL:
            raise InvalidTransition("National DRLs are replaced by loading a newer file, not withdrawn.")
        if level.status == ReferenceLevel.Status.WITHDRAWN:
            raise InvalidTransition("This DRL is already withdrawn.")
        was = level.status
        level.status = ReferenceLevel.Status.WITHDRAWN
        level.save(update_fields=["status"])
        record("dose.local_drl_withdrawn", level, by=by, channel=channel,
               summary=f"Withdrew {was} local DRL {level.protocol_code} {level.value_as_published}: {reason.strip()}",
               detail={"reason": reason.strip(), "was": was})
    return level


def _same_modality(protocol_modality: str, drl_modality: str) -> bool:
    if protocol_modality in _RADIOGRAPHY and drl_modality in _RADIOGRAPHY:
        return True
    return protocol_modality == drl_modality


def link_protocol_to_national(*, department: Department, protocol_code: str, reference_level: ReferenceLevel,
                              by: User, channel: str = "web") -> ProtocolDrlLink:
    """Compare a protocol with a national DRL when no local DRL applies (set by a physicist)."""
    _require_any(by, Action.PROPOSE_DRL)
    entry = _protocol(department, protocol_code)
    if reference_level.scope != ReferenceLevel.Scope.NATIONAL:
        raise DomainError("Choose a national DRL.", field="reference_level")
    if not _same_modality(entry.rule.modality, reference_level.modality):
        raise DomainError(f"{protocol_code} is a {entry.rule.modality} protocol; this DRL is for "
                          f"{reference_level.modality}.", field="reference_level")
    with transaction.atomic():
        Department.objects.select_for_update().get(pk=department.pk)
        link = ProtocolDrlLink.objects.filter(department=department, protocol_code=protocol_code,
                                              reference_level=reference_level).first()
        if link is not None:
            return link
        link = ProtocolDrlLink.objects.create(department=department, protocol_code=protocol_code,
                                              reference_level=reference_level, created_by=by)
        record("dose.protocol_linked_to_national_drl", link, by=by, channel=channel,
               summary=f"{protocol_code} compared with national DRL {reference_level.examination} "
                       f"{reference_level.value_as_published}")
    return link


# --- Comparing a study ------------------------------------------------------------------------------------------


def _candidate(level: ReferenceLevel, protocol_code: str) -> rules.Candidate:
    return rules.Candidate(id=level.pk, scope=level.scope, protocol_code=protocol_code, room_id=level.room_id,
                           station_ae_title=level.station_ae_title, quantity=level.quantity, value=level.value,
                           effective_from=level.effective_from, effective_to=level.effective_to, status=level.status,
                           label=level.label)


def _policy_document(exam: Examination) -> tuple[PolicyDocument, str] | None:
    version = exam.policy_version or in_force(exam.department)
    if version is None:
        return None
    return document_for(version), version.label


def candidates_for(exam: Examination) -> list[rules.Candidate]:
    """Every DRL that might apply to the examination's protocol: local, the policy's own, and linked national."""
    code = exam.protocol_code
    local = ReferenceLevel.objects.filter(scope=ReferenceLevel.Scope.LOCAL, department_id=exam.department_id,
                                          protocol_code=code, status=ReferenceLevel.Status.APPROVED)
    national = ReferenceLevel.objects.filter(
        scope=ReferenceLevel.Scope.NATIONAL, status=ReferenceLevel.Status.APPROVED,
        links__department_id=exam.department_id, links__protocol_code=code).select_related("drl_set").distinct()
    found = [_candidate(level, code) for level in [*local, *national]]
    policy = _policy_document(exam)
    entry = policy[0].protocols.get(code) if policy else None
    if policy and entry and entry.local_drl and entry.local_drl.quantity in rules.POLICY_UNITS:
        drl = entry.local_drl
        label = f"Policy {policy[1]} local DRL {code}: {drl.value:g} {drl.unit} ({drl.source})"
        found.append(rules.policy_candidate(code, quantity=drl.quantity, value=drl.value, source=drl.source,
                                            label=label[:400]))
    return found


def figures_of(study: DoseStudy) -> rules.StudyFigures:
    agd = [v for v in study.events.values_list("agd_mgy", flat=True) if v is not None]
    return rules.StudyFigures(
        total_dap_gy_m2=study.total_dap_gy_m2, total_dlp_mgy_cm=study.total_dlp_mgy_cm,
        max_ctdivol_mgy=study.max_ctdivol_mgy, max_agd_per_view_mgy=max(agd) if agd else None,
        administered_activity_mbq=study.administered_activity_mbq)


def study_day(study: DoseStudy) -> dt.date:
    return timezone.localtime(study.study_date_time).date() if study.study_date_time else timezone.localdate()


def compare_study(study: DoseStudy) -> rules.Comparison | rules.NoComparison:
    """Compare the study with the DRL that applies and set (not save) its comparison fields, or the reason none."""
    exam = study.examination
    if exam is None:
        result: rules.Comparison | rules.NoComparison = rules.NoComparison(
            "No examination is linked to this study, so its protocol and DRL are not known.")
    else:
        facts = rules.Study(protocol_code=exam.protocol_code, room_id=study.room_id,
                            station_ae_title=study.station_ae_title, on=study_day(study), figures=figures_of(study))
        result = rules.compare(facts, candidates_for(exam))
    if isinstance(result, rules.Comparison):
        study.reference_level_id = result.drl.id if result.drl.scope != rules.POLICY else None
        study.drl_label = result.drl.label[:400]
        study.drl_quantity, study.drl_value = result.quantity, result.reference
        study.drl_ratio, study.drl_exceeded, study.drl_note = result.ratio, result.exceeded, ""
    else:
        study.reference_level_id, study.drl_label, study.drl_quantity = None, "", ""
        study.drl_value = study.drl_ratio = study.drl_exceeded = None
        study.drl_note = result.reason[:300]
    return result
