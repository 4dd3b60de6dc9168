"""The dose audit: per protocol and room over a period, the count, median and 75th percentile against the DRL.

What it reads:
  * dose studies (from dose reports: listener or import), grouped by the linked examination's protocol code, or by
    the study description when the study is not linked to an examination, and by room (the study's room, else its
    examination's);
  * manual entries: the dose study recorded from a DAP typed in on completion (source "manual"), or, for an
    examination completed before those were recorded, the examination itself (a total DAP typed in and no dose
    study). They are grouped separately and always marked as manual. An examination that also has a dose report
    is counted once, by its dose report.

The DRL of a group is the one its studies were compared against when they were recorded (the comparison and its DRL
version are stored on each study); when the studies of one group were compared against more than one version, the
latest study's DRL is used for the ratio and every version is listed.

Percentiles use linear interpolation between closest ranks (Hyndman & Fan method 7, numpy's default "linear"):
for sorted values v[0..n-1], p = v[floor(h)] + (h - floor(h)) * (v[floor(h)+1] - v[floor(h)]) with h = (n - 1) * q.
So 1..10 gives a median of 5.5 and a 75th percentile of 7.75. They are computed in Python, on plain rows fetched
with values_list, so the same numbers come out on SQLite and PostgreSQL.

Figures are in display units: DAP in Gy·cm² (stored Gy·m² × 10⁴), DLP in mGy·cm, CTDIvol and AGD in mGy, activity
in MBq.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from inscope.department.models import Department, Room
from inscope.dose.models import DoseStudy, IrradiationEventRecord, Quantity
from inscope.exams.models import Examination

# Fewer studies than this and the median and 75th percentile are indicative only (IPEM Report 88 and UKHSA advise
# at least 10 patients per protocol and room for a local DRL survey; the page and exports say so).
MIN_STUDIES = 10

UNITS = {Quantity.DAP: "Gy·cm²", Quantity.DLP: "mGy·cm", Quantity.CTDIVOL: "mGy", Quantity.AGD: "mGy",
         Quantity.ACTIVITY: "MBq"}
# Stored unit -> display unit.
SCALE = {Quantity.DAP: 1e4, Quantity.DLP: 1.0, Quantity.CTDIVOL: 1.0, Quantity.AGD: 1.0, Quantity.ACTIVITY: 1.0}
NAMES = {Quantity.DAP: "DAP", Quantity.DLP: "DLP", Quantity.CTDIVOL: "CTDIvol (max)", Quantity.AGD: "AGD",
         Quantity.ACTIVITY: "Administered activity"}
# Which quantity a study is audited on when it was not compared with a DRL.
DEFAULT_QUANTITY = {"CT": Quantity.DLP, "MG": Quantity.AGD, "NM": Quantity.ACTIVITY, "PT": Quantity.ACTIVITY}

REPORT = "report"
MANUAL = "manual"
SOURCE_LABELS = {REPORT: "Dose report", MANUAL: "Manual entry"}


def unit(quantity: str) -> str:
    return UNITS.get(Quantity(quantity), "") if quantity in Quantity.values else ""


def to_display(quantity: str, value: float | None) -> float | None:
    """A stored value (Gy·m², mGy·cm, mGy, MBq) in its display unit."""
    if value is None:
        return None
    return value * SCALE.get(Quantity(quantity), 1.0) if quantity in Quantity.values else value


def quantity_for(modality: str) -> str:
    return DEFAULT_QUANTITY.get(modality.upper(), Quantity.DAP)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) of already sorted values by linear interpolation (method 7); None when empty."""
    if not values:
        return None
    h = (len(values) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (h - lo) * (values[hi] - values[lo])


# --- Filters --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """The period (both days included), and optionally one modality, room and protocol."""

    start: dt.date
    end: dt.date
    modality: str = ""
    room_id: int | None = None
    protocol: str = ""
    department: Department | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as the audit page's GET parameters (for the export links)."""
        query = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.modality:
            query["modality"] = self.modality
        if self.room_id:
            query["room"] = str(self.room_id)
        if self.protocol:
            query["protocol"] = self.protocol
        return query

    def describe(self, rooms: dict[int, str] | None = None) -> list[tuple[str, str]]:
        """The filters in words, for the report's header block."""
        room = (rooms or {}).get(self.room_id, str(self.room_id)) if self.room_id else "All rooms"
        return [
            ("Period", f"{self.start:%d %b %Y} to {self.end:%d %b %Y} (both days included)"),
            ("Department", self.department.name if self.department else "All departments"),
            ("Modality", self.modality or "All modalities"),
            ("Room", room),
            ("Protocol", self.protocol or "All protocols"),
        ]

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        start = timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))
        return start, end


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 90 days, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=89), today


# --- Rows -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One study's (or manual examination's) audited value, in the display unit, with when it was done."""

    on: dt.date
    value: float


@dataclass
class AuditRow:
    source: str  # REPORT or MANUAL
    protocol: str  # the protocol code, or the study description of studies not linked to an examination
    protocol_name: str
    linked: bool
    room_id: int | None
    room: str
    modality: str
    quantity: str
    samples: list[Sample] = field(default_factory=list)
    drl_value: float | None = None  # display unit
    drl_label: str = ""
    drl_versions: list[str] = field(default_factory=list)
    above_drl: int = 0  # studies individually above their DRL
    values: list[float] = field(default_factory=list)  # sorted
    median: float | None = None
    p75: float | None = None

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def unit(self) -> str:
        return unit(self.quantity)

    @property
    def quantity_name(self) -> str:
        return NAMES.get(Quantity(self.quantity), self.quantity) if self.quantity in Quantity.values else self.quantity

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.drl_value:
            return None
        return self.median / self.drl_value

    @property
    def exceeded(self) -> bool | None:
        """Whether the median is above the DRL (None when there is no DRL to compare with)."""
        if self.median is None or self.drl_value is None:
            return None
        return self.median > self.drl_value

    @property
    def indicative(self) -> bool:
        return self.n < MIN_STUDIES

    @property
    def key(self) -> str:
        """A stable identifier of the row, for anchors and chart ids."""
        text = f"{self.source}-{self.protocol}-{self.room_id or 0}-{self.quantity}"
        return "".join(c if c.isalnum() else "-" for c in text).lower()

    @property
    def title(self) -> str:
        name = f"{self.protocol} {self.protocol_name}".strip() if self.linked else f"{self.protocol} (not linked)"
        manual = " – manual entry" if self.source == MANUAL else ""
        return f"{name}, {self.room}{manual}"

    def finish(self) -> None:
        self.values = sorted(s.value for s in self.samples)
        self.median = percentile(self.values, 0.5)
        self.p75 = percentile(self.values, 0.75)


@dataclass(frozen=True)
class Audit:
    filters: AuditFilters
    rows: list[AuditRow]
    generated_at: dt.datetime
    rooms: dict[int, str]

    @property
    def drl_versions(self) -> list[str]:
        return sorted({v for row in self.rows for v in row.drl_versions})

    @property
    def any_indicative(self) -> bool:
        return any(r.indicative for r in self.rows)

    @property
    def studies(self) -> int:
        return sum(r.n for r in self.rows)


# --- Queries --------------------------------------------------------------------------------------------------------

STUDY_COLUMNS = (
    "id", "modality", "study_date_time", "created_at", "examination_id", "examination__protocol_code",
    "examination__protocol_name", "study_description", "room_id", "examination__room_id", "total_dap_gy_m2",
    "total_dlp_mgy_cm", "max_ctdivol_mgy", "agd_left_mgy", "agd_right_mgy", "administered_activity_mbq",
    "drl_quantity", "drl_value", "drl_label", "drl_ratio", "drl_exceeded", "source",
)
MANUAL_COLUMNS = ("id", "modality", "protocol_code", "protocol_name", "room_id", "ended_at", "scheduled_at",
                  "total_dap_gy_cm2", "drl_value", "drl_source", "drl_exceeded")


def studies_in(filters: AuditFilters):
    """The dose studies the filters select (a queryset)."""
    start, end = filters.bounds()
    when = Q(study_date_time__gte=start, study_date_time__lt=end) | Q(
        study_date_time__isnull=True, created_at__gte=start, created_at__lt=end)
    # A manual entry stands for its examination only until a dose report of it arrives.
    reported = DoseStudy.objects.filter(examination=OuterRef("examination")).exclude(source=MANUAL)
    studies = DoseStudy.objects.filter(when).exclude(Q(source=MANUAL) & Exists(reported))
    if filters.department is not None:
        studies = studies.filter(Q(department=filters.department) | Q(department__isnull=True))
    if filters.modality:
        studies = studies.filter(modality=filters.modality)
    if filters.room_id:
        studies = studies.filter(Q(room_id=filters.room_id) | Q(room__isnull=True,
                                                                 examination__room_id=filters.room_id))
    if filters.protocol:
        studies = studies.filter(Q(examination__protocol_code=filters.protocol) | Q(
            examination__isnull=True, study_description=filters.protocol))
    return studies


def manual_in(filters: AuditFilters):
    """The completed examinations with a typed-in total DAP and no dose study that the filters select."""
    start, end = filters.bounds()
    when = Q(ended_at__gte=start, ended_at__lt=end) | Q(ended_at__isnull=True, scheduled_at__gte=start,
                                                          scheduled_at__lt=end)
    exams = Examination.objects.filter(when, status=Examination.Status.COMPLETED, total_dap_gy_cm2__isnull=False)
    exams = exams.filter(~Exists(DoseStudy.objects.filter(examination=OuterRef("pk"))))
    if filters.department is not None:
        exams = exams.filter(department=filters.department)
    if filters.modality:
        exams = exams.filter(modality=filters.modality)
    if filters.room_id:
        exams = exams.filter(room_id=filters.room_id)
    if filters.protocol:
        exams = exams.filter(protocol_code=filters.protocol)
    return exams


def study_value(quantity: str, row: dict[str, Any]) -> float | None:
    """One study's audited value in the quantity's stored unit (None when the study has none).

    The value compared with the DRL when the study was recorded is used when the comparison was on this quantity,
    so the audit agrees with the comparison shown on the study. Otherwise: the study's total DAP, total DLP,
    largest CTDIvol, administered activity, or its largest AGD per view (as the DRL comparison uses).
    """
    if row["drl_quantity"] == quantity and row["drl_ratio"] is not None and row["drl_value"] is not None:
        return float(row["drl_ratio"] * row["drl_value"])
    if quantity == Quantity.DAP:
        return row["total_dap_gy_m2"]
    if quantity == Quantity.DLP:
        return row["total_dlp_mgy_cm"]
    if quantity == Quantity.CTDIVOL:
        return row["max_ctdivol_mgy"]
    if quantity == Quantity.ACTIVITY:
        return row["administered_activity_mbq"]
    if quantity == Quantity.AGD:
        return row.get("_agd_per_view")
    return None


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def _agd_per_view(filters: AuditFilters) -> dict[int, float]:
    """The largest AGD of any view, per mammography study the filters select (one grouped query)."""
    mammography = studies_in(filters).filter(modality="MG").values("pk")
    found = (IrradiationEventRecord.objects.filter(study__in=mammography, agd_mgy__isnull=False)
             .values("study_id").annotate(largest=Max("agd_mgy")).values_list("study_id", "largest"))
    return dict(found)


def _report_rows(filters: AuditFilters, rooms: dict[int, str]) -> list[AuditRow]:
    groups: dict[tuple[str, int | None, str], list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    agd: dict[int, float] | None = None
    for values in studies_in(filters).values_list(*STUDY_COLUMNS):
        row = dict(zip(STUDY_COLUMNS, values, strict=True))
        if row["modality"] == "MG":
            agd = _agd_per_view(filters) if agd is None else agd
            row["_agd_per_view"] = agd.get(row["id"])
        linked = row["examination_id"] is not None
        protocol = row["examination__protocol_code"] if linked else (row["study_description"] or "(no description)")
        if linked:
            names[protocol] = row["examination__protocol_name"]
        room_id = row["room_id"] or row["examination__room_id"]
        row["_linked"] = linked
        groups[(protocol, room_id, MANUAL if row["source"] == MANUAL else REPORT)].append(row)
    result = []
    for (protocol, room_id, source), members in groups.items():
        members.sort(key=lambda r: (r["study_date_time"] or r["created_at"], r["id"]))
        compared = [r for r in members if r["drl_quantity"]]
        quantity = compared[-1]["drl_quantity"] if compared else quantity_for(
            Counter(r["modality"] for r in members).most_common(1)[0][0])
        on_quantity = [r for r in compared if r["drl_quantity"] == quantity and r["drl_value"] is not None]
        latest = on_quantity[-1] if on_quantity else None
        audit_row = AuditRow(
            source=source, protocol=protocol, protocol_name=names.get(protocol, ""), linked=members[0]["_linked"],
            room_id=room_id, room=rooms.get(room_id, "Room not known") if room_id else "Room not known",
            modality=Counter(r["modality"] for r in members).most_common(1)[0][0], quantity=quantity,
            drl_value=to_display(quantity, latest["drl_value"]) if latest else None,
            drl_label=latest["drl_label"] if latest else "",
            drl_versions=sorted({r["drl_label"] for r in on_quantity if r["drl_label"]}),
            above_drl=sum(1 for r in on_quantity if r["drl_exceeded"]),
        )
        for r in members:
            value = study_value(quantity, r)
            if value is not None:
                on = _local_day(r["study_date_time"] or r["created_at"])
                audit_row.samples.append(Sample(on or filters.start, to_display(quantity, value) or 0.0))
        audit_row.finish()
        result.append(audit_row)
    return result


def _manual_rows(filters: AuditFilters, rooms: dict[int, str]) -> list[AuditRow]:
    groups: dict[tuple[str, int | None], list[dict[str, Any]]] = defaultdict(list)
    for values in manual_in(filters).values_list(*MANUAL_COLUMNS):
        row = dict(zip(MANUAL_COLUMNS, values, strict=True))
        groups[(row["protocol_code"], row["room_id"])].append(row)
    result = []
    for (protocol, room_id), members in groups.items():
        members.sort(key=lambda r: (r["ended_at"] or r["scheduled_at"], r["id"]))
        with_drl = [r for r in members if r["drl_value"] is not None]
        latest = with_drl[-1] if with_drl else None
        labels = {r["drl_source"] or "DRL of the policy in force" for r in with_drl}
        audit_row = AuditRow(
            source=MANUAL, protocol=protocol, protocol_name=members[-1]["protocol_name"], linked=True,
            room_id=room_id, room=rooms.get(room_id, "Room not known") if room_id else "Room not known",
            modality=Counter(r["modality"] for r in members).most_common(1)[0][0], quantity=Quantity.DAP,
            drl_value=float(latest["drl_value"]) if latest else None,
            drl_label=(latest["drl_source"] or "DRL of the policy in force") if latest else "",
            drl_versions=sorted(labels), above_drl=sum(1 for r in with_drl if r["drl_exceeded"]),
        )
        for r in members:
            on = _local_day(r["ended_at"] or r["scheduled_at"]) or filters.start
            audit_row.samples.append(Sample(on, float(r["total_dap_gy_cm2"])))
        audit_row.finish()
        result.append(audit_row)
    return result


def room_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    rooms = Room.objects.select_related("site")
    if ids is not None:
        rooms = rooms.filter(pk__in=list(ids))
    return {r.pk: f"{r.name}, {r.site.name}" for r in rooms}


def run_audit(filters: AuditFilters) -> Audit:
    """The audit table for the filters: one row per protocol and room (and source), protocols in order."""
    rooms = room_names()
    rows = _report_rows(filters, rooms) + _manual_rows(filters, rooms)
    rows.sort(key=lambda r: (r.protocol.lower(), r.room, r.source, r.quantity))
    return Audit(filters=filters, rows=rows, generated_at=timezone.now(), rooms=rooms)


# --- Trend ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: dt.date  # the first day of the week (Monday) or month
    label: str
    n: int
    median: float


def bucket_for(filters: AuditFilters) -> str:
    """Weekly medians over a period of up to 13 weeks, monthly ones over longer periods."""
    return "week" if (filters.end - filters.start).days < 92 else "month"


def trend(samples: Iterable[Sample], bucket: str) -> list[TrendPoint]:
    """The median per week (starting Monday) or calendar month, in time order."""
    groups: dict[dt.date, list[float]] = defaultdict(list)
    for s in samples:
        start = s.on - dt.timedelta(days=s.on.weekday()) if bucket == "week" else s.on.replace(day=1)
        groups[start].append(s.value)
    points = []
    for start in sorted(groups):
        values = sorted(groups[start])
        label = f"w/c {start:%d %b %Y}" if bucket == "week" else f"{start:%b %Y}"
        points.append(TrendPoint(start, label, len(values), percentile(values, 0.5) or 0.0))
    return points


# --- Per-study rows (for the exports) -------------------------------------------------------------------------------

STUDY_HEADER = [
    "Source", "Date and time", "Accession number", "Study Instance UID", "Modality", "Protocol", "Protocol name",
    "Linked to examination", "Room", "Station AE title", "Operator", "Irradiation events", "Total DAP (Gy·cm²)",
    "Total DLP (mGy·cm)", "Largest CTDIvol (mGy)", "AGD left breast (mGy)", "AGD right breast (mGy)",
    "Administered activity (MBq)", "DRL quantity", "DRL value", "DRL unit", "DRL", "Ratio to DRL", "Above DRL",
]
_STUDY_EXPORT_COLUMNS = (
    "study_date_time", "created_at", "accession_number", "study_instance_uid", "modality", "examination_id",
    "examination__protocol_code", "examination__protocol_name", "study_description", "room_id",
    "examination__room_id", "station_ae_title", "examination__operator__username", "event_count",
    "total_dap_gy_m2", "total_dlp_mgy_cm", "max_ctdivol_mgy", "agd_left_mgy", "agd_right_mgy",
    "administered_activity_mbq", "drl_quantity", "drl_value", "drl_label", "drl_ratio", "drl_exceeded", "source",
)
_MANUAL_EXPORT_COLUMNS = ("ended_at", "scheduled_at", "accession_number", "study_instance_uid", "modality",
                          "protocol_code", "protocol_name", "room_id", "room__ae_title", "operator__username",
                          "total_dap_gy_cm2", "drl_value", "drl_source", "drl_exceeded")


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def study_rows(filters: AuditFilters, rooms: dict[int, str] | None = None) -> list[list[Any]]:
    """Every study and manual-entry examination behind the audit, one row each (STUDY_HEADER), oldest first."""
    rooms = rooms if rooms is not None else room_names()
    rows: list[tuple[Any, list[Any]]] = []
    studies = studies_in(filters).order_by("study_date_time", "id").values_list(*_STUDY_EXPORT_COLUMNS)
    for values in studies:
        r = dict(zip(_STUDY_EXPORT_COLUMNS, values, strict=True))
        linked = r["examination_id"] is not None
        room_id = r["room_id"] or r["examination__room_id"]
        quantity = r["drl_quantity"]
        when = r["study_date_time"] or r["created_at"]
        rows.append((when, [
            SOURCE_LABELS[MANUAL if r["source"] == MANUAL else REPORT], _when(when), r["accession_number"],
            r["study_instance_uid"], r["modality"],
            r["examination__protocol_code"] if linked else r["study_description"],
            r["examination__protocol_name"] if linked else "", "yes" if linked else "no",
            rooms.get(room_id, "") if room_id else "", r["station_ae_title"],
            r["examination__operator__username"] or "", r["event_count"],
            to_display(Quantity.DAP, r["total_dap_gy_m2"]), r["total_dlp_mgy_cm"], r["max_ctdivol_mgy"],
            r["agd_left_mgy"], r["agd_right_mgy"], r["administered_activity_mbq"], quantity,
            to_display(quantity, r["drl_value"]) if quantity else None, unit(quantity) if quantity else "",
            r["drl_label"], r["drl_ratio"], _yes_no(r["drl_exceeded"]),
        ]))
    for values in manual_in(filters).order_by("ended_at", "id").values_list(*_MANUAL_EXPORT_COLUMNS):
        r = dict(zip(_MANUAL_EXPORT_COLUMNS, values, strict=True))
        dap = float(r["total_dap_gy_cm2"])
        drl = float(r["drl_value"]) if r["drl_value"] is not None else None
        when = r["ended_at"] or r["scheduled_at"]
        rows.append((when, [
            SOURCE_LABELS[MANUAL], _when(when), r["accession_number"], r["study_instance_uid"], r["modality"],
            r["protocol_code"], r["protocol_name"], "yes", rooms.get(r["room_id"], "") if r["room_id"] else "",
            r["room__ae_title"] or "", r["operator__username"] or "", None, dap, None, None, None, None, None,
            Quantity.DAP.value if drl is not None else "", drl, UNITS[Quantity.DAP] if drl is not None else "",
            r["drl_source"] if drl is not None else "", dap / drl if drl else None, _yes_no(r["drl_exceeded"]),
        ]))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


# --- What the filters can choose from -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    modalities: list[str]
    rooms: list[tuple[int, str]]
    protocols: list[tuple[str, str]]  # (value, label)


def choices(department: Department | None) -> Choices:
    """The modalities, rooms and protocols that have dose figures (dose studies or manual-entry examinations)."""
    studies = DoseStudy.objects.all()
    exams = Examination.objects.filter(status=Examination.Status.COMPLETED, total_dap_gy_cm2__isnull=False)
    if department is not None:
        studies = studies.filter(Q(department=department) | Q(department__isnull=True))
        exams = exams.filter(department=department)
    modalities = set(studies.values_list("modality", flat=True).distinct())
    modalities |= set(exams.values_list("modality", flat=True).distinct())
    room_ids = {i for i in studies.values_list("room_id", flat=True).distinct() if i}
    room_ids |= {i for i in studies.values_list("examination__room_id", flat=True).distinct() if i}
    room_ids |= {i for i in exams.values_list("room_id", flat=True).distinct() if i}
    names = room_names(room_ids)
    protocols = dict(studies.filter(examination__isnull=False).values_list(
        "examination__protocol_code", "examination__protocol_name").distinct())
    protocols.update(exams.values_list("protocol_code", "protocol_name").distinct())
    labels = [(code, f"{code} {name}") for code, name in protocols.items()]
    for description in studies.filter(examination__isnull=True).values_list("study_description", flat=True).distinct():
        if description and description not in protocols:
            labels.append((description, f"{description} (not linked to an examination)"))
    return Choices(modalities=sorted(m for m in modalities if m),
                   rooms=sorted(names.items(), key=lambda pair: pair[1]),
                   protocols=sorted(labels, key=lambda pair: pair[1].lower()))


def fmt(value: float | None, empty: str = "–") -> str:
    """A dose figure to a sensible precision for reading: 790, 47.5, 2.35, 0.123."""
    if value is None:
        return empty
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    if size == 0:
        return "0"
    return f"{value:#.3g}"


def fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
