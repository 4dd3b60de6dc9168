"""Reading an X-Ray Radiation Dose Report (TID 10001 projection X-ray, fluoroscopy and mammography; TID 10011 CT)
from its content tree, in one pass: each top-level item is dispatched by its concept code, each irradiation event
is read from its own subtree once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from inscope.dicom.extraction import codes as c
from inscope.dicom.extraction.tree import Node
from inscope.dicom.extraction.units import UnitError, convert, lookup
from inscope.dicom.extraction.values import BadNumber, Notes, parse_datetime, parse_number, synthetic_uid
from inscope.dose import totals
from inscope.dose.report import DoseReadError, EventKind, IrradiationEvent

MAX_UID = 64


@dataclass
class Accumulated:
    """What an Accumulated X-Ray Dose Data container (one per plane) or the CT Accumulated Dose Data states."""

    total_dap_gy_m2: float | None = None
    fluoro_dap_gy_m2: float | None = None
    acquisition_dap_gy_m2: float | None = None
    total_rp_dose_gy: float | None = None
    fluoro_rp_dose_gy: float | None = None
    acquisition_rp_dose_gy: float | None = None
    fluoro_time_s: float | None = None
    acquisition_time_s: float | None = None
    agd_mgy: dict[str, float] = field(default_factory=dict)  # by laterality L, R, B
    fluoro_stated: bool = False  # it has fluoroscopy totals (even empty ones): a fluoroscopy-capable system


@dataclass
class XRayReport:
    """The dose content of an X-ray dose report, before it is combined with the object's header."""

    events: list[IrradiationEvent]
    modality: str
    stated_total_dlp_mgy_cm: float | None = None
    stated_event_count: int | None = None
    accumulated: Accumulated = field(default_factory=Accumulated)
    scope_study_uid: str = ""
    station_name: str = ""
    manufacturer: str = ""
    model_name: str = ""
    device_serial_number: str = ""
    started: Any = None


def index(node: Node, skip: frozenset[tuple[str, str]] = frozenset()) -> dict[tuple[str, str], Node]:
    """The descendants of a node by concept code, the first of each code winning, not looking inside ``skip``."""
    found: dict[tuple[str, str], Node] = {}
    stack = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if item.concept is not None:
            found.setdefault(item.concept, item)
            if item.concept in skip:
                continue
        if item.children:
            stack.extend(reversed(item.children))
    return found


# Standard units of the dose quantities (a value in another unit is converted, with a note).
DOSE_UNITS = {
    c.DAP: "Gy.m2", c.DAP_TOTAL: "Gy.m2", c.FLUORO_DAP_TOTAL: "Gy.m2", c.ACQUISITION_DAP_TOTAL: "Gy.m2",
    c.RP_DOSE: "Gy", c.RP_DOSE_TOTAL: "Gy", c.FLUORO_RP_DOSE_TOTAL: "Gy", c.ACQUISITION_RP_DOSE_TOTAL: "Gy",
    c.MEAN_CTDIVOL: "mGy", c.DLP: "mGy.cm", c.CT_DLP_TOTAL: "mGy.cm", c.AGD: "mGy", c.ACCUMULATED_AGD: "mGy",
    c.ENTRANCE_EXPOSURE: "mGy",
}


class Reader:
    """Reads one X-ray dose report's content items. ``notes`` collects the warnings."""

    HANDLERS: ClassVar[dict[tuple[str, str], Callable[[Reader, Node], None]]] = {}  # by concept, set below

    def __init__(self, sop_instance_uid: str, notes: Notes) -> None:
        self.sop_instance_uid = sop_instance_uid
        self.notes = notes
        self.drafts: list[dict[str, Any]] = []
        self.planes: list[Accumulated] = []
        self.ct_total_dlp: float | None = None
        self.ct_accumulated_seen = False
        self.event_count: int | None = None
        self.procedures: set[tuple[str, str]] = set()
        self.device_types: set[tuple[str, str]] = set()
        self.observer: dict[tuple[str, str], str] = {}
        self.scope_study_uid = ""
        self.started: Any = None
        self.uids: set[str] = set()
        self.missing_uids: list[int] = []
        self.missing_types: list[int] = []

    # --- Numbers -------------------------------------------------------------------------------------------------

    def quantity(self, node: Node | None, target: str, where: str, *, dose: bool = False,
                 integer: bool = False) -> float | None:
        """The NUM item's value in ``target`` units; None when the item is absent or has no value. A dose quantity
        that cannot be read raises DoseReadError; a technique factor that cannot be read is left out, with a
        note."""
        if node is None or node.value_type not in ("NUM", ""):
            return None
        label = f"{where}: {node.label()}"
        try:
            value = parse_number(node.number, label, self.notes, integer=integer)
        except BadNumber as exc:
            if dose:
                raise DoseReadError(str(exc)) from None
            self.notes.warn(f"{exc}; left out.")
            return None
        if value is None:
            return None
        standard = DOSE_UNITS.get(node.concept) if node.concept else None  # type: ignore[arg-type]
        unit = node.unit
        if not unit:
            unit = standard or target
            self.notes.warn(f"{label} has no unit; read as {unit}.")
        try:
            converted = convert(value, unit, target)
        except UnitError as exc:
            if dose:
                raise DoseReadError(f"{label}: {exc}") from None
            self.notes.warn(f"{label}: {exc}; left out.")
            return None
        if standard is not None:
            found = lookup(unit)
            if found is not None and found[2] != standard:
                self.notes.warn(f"{label} is in {unit} where the standard uses {standard}; converted to {target}.")
            if converted < 0:
                raise DoseReadError(f"{label}: a dose cannot be negative ({node.number}).")
        return converted

    # --- Walking ----------------------------------------------------------------------------------------------------

    def read(self, nodes: list[Node]) -> None:
        for node in nodes:
            self._item(node, 0)

    def _item(self, node: Node, depth: int) -> None:
        handler = self.HANDLERS.get(node.concept) if node.concept else None
        if handler is not None:
            handler(self, node)
        elif node.value_type == "CONTAINER" and depth < 3:
            # Some equipment wraps the report's items in a container of its own.
            for child in node.children:
                self._item(child, depth + 1)

    def _procedure(self, node: Node) -> None:
        if node.code:
            self.procedures.add((node.code[0], node.code[1]))

    def _device_type(self, node: Node) -> None:
        if node.code:
            self.device_types.add((node.code[0], node.code[1]))

    def _observer(self, node: Node) -> None:
        if node.text and node.concept and node.concept not in self.observer:
            self.observer[node.concept] = node.text

    def _scope(self, node: Node) -> None:
        for child in node.children:
            if child.concept == c.STUDY_INSTANCE_UID and child.text:
                self.scope_study_uid = self.scope_study_uid or child.text

    def _start(self, node: Node) -> None:
        self.started = self.started or parse_datetime(node.text)

    def _event_uid(self, node: Node | None, index: int) -> str:
        uid = (node.text or "").strip() if node is not None else ""
        if uid and len(uid) > MAX_UID:
            self.notes.warn(f"Irradiation event {index}: its Irradiation Event UID is longer than {MAX_UID} "
                            f"characters ({uid[:70]}...); an identifier derived from the object was used instead.")
            uid = ""
        if uid and uid in self.uids:
            self.notes.warn(f"Irradiation event {index} repeats the Irradiation Event UID {uid} of an earlier event "
                            "in the same object; an identifier derived from the object was used instead.")
            uid = ""
        if not uid:
            if node is None or not (node.text or "").strip():
                self.missing_uids.append(index)
            uid = synthetic_uid(self.sop_instance_uid, index)
        self.uids.add(uid)
        return uid

    def _text(self, node: Node | None, limit: int) -> str:
        return (node.text or "").strip()[:limit] if node is not None else ""

    def _code_meaning(self, node: Node | None) -> str:
        return node.code[2].strip() if node is not None and node.code is not None else ""

    def _target_region(self, node: Node | None, where: str) -> str:
        if node is None:
            return ""
        if node.code is None:
            self.notes.warn(f"{where}: Target Region (DCM 123014) is empty; left blank.")
            return ""
        return node.code[2].strip()[:100] or node.code[1]

    def _ct_event(self, node: Node) -> None:
        number = len(self.drafts) + 1
        found = index(node, skip=frozenset({c.DOSE_CHECK_ALERT, c.DOSE_CHECK_NOTIFICATION}))
        uid = self._event_uid(found.get(c.IRRADIATION_EVENT_UID), number)
        where = f"CT acquisition {number} (UID {uid})"
        phantom_node = found.get(c.PHANTOM_TYPE)
        phantom = ""
        if phantom_node is not None and phantom_node.code is not None:
            phantom = c.PHANTOMS.get((phantom_node.code[0], phantom_node.code[1]), phantom_node.code[2][:30])
        self.drafts.append({
            "uid": uid,
            "kind": EventKind.CT,
            "at": parse_datetime(self._text(found.get(c.DATETIME_STARTED), 40)),
            "protocol": self._text(found.get(c.ACQUISITION_PROTOCOL), 200),
            "target_region": self._target_region(found.get(c.TARGET_REGION), where),
            "ctdivol_mgy": self.quantity(found.get(c.MEAN_CTDIVOL), "mGy", where, dose=True),
            "dlp_mgy_cm": self.quantity(found.get(c.DLP), "mGy.cm", where, dose=True),
            "scanning_length_mm": self.quantity(found.get(c.SCANNING_LENGTH), "mm", where),
            "phantom": phantom,
            "kvp": self.quantity(found.get(c.KVP), "kV", where),
            "tube_current_ma": self.quantity(found.get(c.TUBE_CURRENT), "mA", where),
            "exposure_time_s": self.quantity(found.get(c.CT_EXPOSURE_TIME), "s", where),
            "exposure_mas": self.quantity(found.get(c.EXPOSURE), "mA.s", where),
        })

    def _xray_event(self, node: Node) -> None:
        number = len(self.drafts) + 1
        found = index(node)
        uid = self._event_uid(found.get(c.IRRADIATION_EVENT_UID), number)
        where = f"Irradiation event {number} (UID {uid})"
        event_type = found.get(c.EVENT_TYPE)
        type_code = (event_type.code[0], event_type.code[1]) if event_type and event_type.code else None
        if type_code is None:
            self.missing_types.append(number)
        laterality = ""
        for concept in c.LATERALITY:
            if concept in found:
                laterality = c.laterality(found[concept].code)
                break
        view = self._code_meaning(found.get(c.IMAGE_VIEW))
        anode = self._code_meaning(found.get(c.ANODE_TARGET))
        filter_material = self._code_meaning(found.get(c.FILTER_MATERIAL))
        exposure_time = found.get(c.EXPOSURE_TIME) or found.get(c.EXPOSURE_TIME_OLD)
        self.drafts.append({
            "uid": uid,
            "type_code": type_code,
            "at": parse_datetime(self._text(found.get(c.DATETIME_STARTED), 40)),
            "protocol": self._text(found.get(c.ACQUISITION_PROTOCOL), 200),
            "target_region": self._target_region(found.get(c.TARGET_REGION), where),
            "laterality": laterality,
            "view": c.view(view) if view else "",
            "dap_gy_m2": self.quantity(found.get(c.DAP), "Gy.m2", where, dose=True),
            "rp_dose_gy": self.quantity(found.get(c.RP_DOSE), "Gy", where, dose=True),
            "agd_mgy": self.quantity(found.get(c.AGD), "mGy", where, dose=True),
            "entrance_exposure_mgy": self.quantity(found.get(c.ENTRANCE_EXPOSURE), "mGy", where, dose=True),
            "compressed_thickness_mm": self.quantity(found.get(c.COMPRESSION_THICKNESS), "mm", where),
            "kvp": self.quantity(found.get(c.KVP), "kV", where),
            "tube_current_ma": self.quantity(found.get(c.TUBE_CURRENT) or found.get(c.AVERAGE_TUBE_CURRENT), "mA",
                                             where),
            "exposure_time_s": self.quantity(exposure_time, "s", where),
            "exposure_mas": self.quantity(found.get(c.EXPOSURE), "mA.s", where),
            "duration_s": self.quantity(found.get(c.IRRADIATION_DURATION), "s", where),
            "anode_target": c.material(anode) if anode else "",
            "filter_material": c.material(filter_material) if filter_material else "",
        })

    def _xray_accumulated(self, node: Node) -> None:
        where = f"Accumulated X-Ray Dose Data {len(self.planes) + 1}"
        plane = Accumulated()
        first: dict[tuple[str, str], Node] = {}
        stack = list(reversed(node.children))
        while stack:
            item = stack.pop()
            concept = item.concept
            if concept == c.ACCUMULATED_AGD:
                side = ""
                for child in item.children:
                    if child.concept in c.LATERALITY:
                        side = c.laterality(child.code)
                value = self.quantity(item, "mGy", where, dose=True)
                if value is not None:
                    side = side or "B"
                    plane.agd_mgy[side] = plane.agd_mgy.get(side, 0.0) + value
                continue
            if concept is not None:
                first.setdefault(concept, item)
            if item.children and concept != c.CALIBRATION:
                stack.extend(reversed(item.children))
        plane.total_dap_gy_m2 = self.quantity(first.get(c.DAP_TOTAL), "Gy.m2", where, dose=True)
        plane.fluoro_dap_gy_m2 = self.quantity(first.get(c.FLUORO_DAP_TOTAL), "Gy.m2", where, dose=True)
        plane.acquisition_dap_gy_m2 = self.quantity(first.get(c.ACQUISITION_DAP_TOTAL), "Gy.m2", where, dose=True)
        plane.total_rp_dose_gy = self.quantity(first.get(c.RP_DOSE_TOTAL), "Gy", where, dose=True)
        plane.fluoro_rp_dose_gy = self.quantity(first.get(c.FLUORO_RP_DOSE_TOTAL), "Gy", where, dose=True)
        plane.acquisition_rp_dose_gy = self.quantity(first.get(c.ACQUISITION_RP_DOSE_TOTAL), "Gy", where, dose=True)
        plane.fluoro_time_s = self.quantity(first.get(c.TOTAL_FLUORO_TIME), "s", where)
        plane.acquisition_time_s = self.quantity(first.get(c.TOTAL_ACQUISITION_TIME), "s", where)
        plane.fluoro_stated = any(code in first for code in (c.FLUORO_DAP_TOTAL, c.FLUORO_RP_DOSE_TOTAL,
                                                             c.TOTAL_FLUORO_TIME))
        self.planes.append(plane)

    def _ct_accumulated(self, node: Node) -> None:
        self.ct_accumulated_seen = True
        found = index(node)
        where = "CT Accumulated Dose Data"
        total = self.quantity(found.get(c.CT_DLP_TOTAL), "mGy.cm", where, dose=True)
        if total is not None:
            self.ct_total_dlp = total if self.ct_total_dlp is None else self.ct_total_dlp + total
        count = self.quantity(found.get(c.TOTAL_EVENTS), "1", where, integer=True)
        if count is not None:
            self.event_count = int(count)

    # --- Result -----------------------------------------------------------------------------------------------------

    def modality(self) -> str:
        if self.ct_accumulated_seen or self.procedures & c.CT_PROCEDURES or any(
                d.get("kind") is EventKind.CT for d in self.drafts):
            return "CT"
        projection = [d for d in self.drafts if d.get("kind") is not EventKind.CT]
        if self.procedures & c.MAMMOGRAPHY_PROCEDURES or any(p.agd_mgy for p in self.planes) or any(
                d.get("agd_mgy") is not None for d in projection):
            return "MG"
        if (c.FLUOROSCOPY_DEVICE in self.device_types or any(p.fluoro_stated for p in self.planes)
                or any(d.get("type_code") in c.FLUOROSCOPY_EVENTS for d in projection)):
            return "RF"
        if c.CASSETTE_DEVICE in self.device_types:
            return "CR"
        return "DX"

    def _kind(self, draft: dict[str, Any], modality: str) -> EventKind:
        code = draft.get("type_code")
        if code in c.FLUOROSCOPY_EVENTS:
            return EventKind.FLUOROSCOPY
        if modality == "MG":
            return EventKind.MAMMOGRAPHY
        if modality in ("RF", "XA"):
            return EventKind.ACQUISITION
        return EventKind.PROJECTION

    def result(self) -> XRayReport:
        modality = self.modality()
        events: list[IrradiationEvent] = []
        for draft in self.drafts:
            if draft.get("kind") is EventKind.CT:
                fields = {k: v for k, v in draft.items()}
                events.append(IrradiationEvent(**fields))
                continue
            fields = {k: v for k, v in draft.items() if k not in ("type_code", "duration_s")}
            kind = self._kind(draft, modality)
            fields["kind"] = kind
            if kind is EventKind.FLUOROSCOPY:
                fields["fluoro_time_s"] = draft["duration_s"] if draft["duration_s"] is not None else draft[
                    "exposure_time_s"]
            elif fields["exposure_time_s"] is None:
                fields["exposure_time_s"] = draft["duration_s"]
            events.append(IrradiationEvent(**fields))
        self._notes_after(events, modality)
        accumulated = self._combined_planes()
        return XRayReport(
            events=events, modality=modality, stated_total_dlp_mgy_cm=self.ct_total_dlp,
            stated_event_count=self.event_count, accumulated=accumulated, scope_study_uid=self.scope_study_uid,
            station_name=self.observer.get(c.DEVICE_OBSERVER_NAME, ""),
            manufacturer=self.observer.get(c.DEVICE_OBSERVER_MANUFACTURER, ""),
            model_name=self.observer.get(c.DEVICE_OBSERVER_MODEL, ""),
            device_serial_number=self.observer.get(c.DEVICE_OBSERVER_SERIAL, ""), started=self.started)

    def _notes_after(self, events: list[IrradiationEvent], modality: str) -> None:
        if self.missing_uids:
            listed = ", ".join(str(i) for i in self.missing_uids[:10]) + ("..." if len(self.missing_uids) > 10 else "")
            self.notes.warn(f"{len(self.missing_uids)} irradiation event(s) have no Irradiation Event UID (events "
                            f"{listed}); each was given one derived from the SOP Instance UID and its position, so "
                            "importing the same object again gives the same identifiers.")
        if self.missing_types:
            kind = self._kind({}, modality)
            self.notes.warn(f"{len(self.missing_types)} irradiation event(s) have no Irradiation Event Type; read as "
                            f"{kind} events.")
        if self.event_count is not None and self.event_count != len(events):
            self.notes.warn(f"The report states {self.event_count} irradiation events but contains {len(events)}.")
        if self.ct_total_dlp is not None:
            dlps = [e.dlp_mgy_cm for e in events if e.dlp_mgy_cm is not None]
            total = sum(dlps)
            if dlps and not totals.agree("dlp", self.ct_total_dlp, total, len(dlps)):
                self.notes.warn(f"The stated total DLP ({self.ct_total_dlp:g} mGy·cm) differs from the sum of the "
                                f"events' DLP ({total:g} mGy·cm).")

    def _combined_planes(self) -> Accumulated:
        """The accumulated dose of all planes: dose area products and reference-point doses added, times the
        longest plane's (the planes of a biplane system run at once)."""
        if len(self.planes) == 1:
            return self.planes[0]
        combined = Accumulated()
        for name in ("total_dap_gy_m2", "fluoro_dap_gy_m2", "acquisition_dap_gy_m2", "total_rp_dose_gy",
                     "fluoro_rp_dose_gy", "acquisition_rp_dose_gy"):
            values = [getattr(p, name) for p in self.planes if getattr(p, name) is not None]
            setattr(combined, name, sum(values) if values else None)
        for name in ("fluoro_time_s", "acquisition_time_s"):
            values = [getattr(p, name) for p in self.planes if getattr(p, name) is not None]
            setattr(combined, name, max(values) if values else None)
        for plane in self.planes:
            for side, value in plane.agd_mgy.items():
                combined.agd_mgy[side] = combined.agd_mgy.get(side, 0.0) + value
        combined.fluoro_stated = any(p.fluoro_stated for p in self.planes)
        return combined


Reader.HANDLERS = {
    c.CT_ACQUISITION: Reader._ct_event,
    c.XRAY_EVENT: Reader._xray_event,
    c.XRAY_ACCUMULATED: Reader._xray_accumulated,
    c.CT_ACCUMULATED: Reader._ct_accumulated,
    c.PROCEDURE_REPORTED: Reader._procedure,
    c.ACQUISITION_DEVICE_TYPE: Reader._device_type,
    c.DEVICE_OBSERVER_NAME: Reader._observer,
    c.DEVICE_OBSERVER_MANUFACTURER: Reader._observer,
    c.DEVICE_OBSERVER_MODEL: Reader._observer,
    c.DEVICE_OBSERVER_SERIAL: Reader._observer,
    c.SCOPE_OF_ACCUMULATION: Reader._scope,
    c.START_OF_IRRADIATION: Reader._start,
}


def read_xray_report(nodes: list[Node], sop_instance_uid: str, notes: Notes) -> XRayReport:
    reader = Reader(sop_instance_uid, notes)
    reader.read(nodes)
    return reader.result()
