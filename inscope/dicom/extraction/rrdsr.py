"""Reading a Radiopharmaceutical Radiation Dose Report (TID 10021): each Radiopharmaceutical Administration is an
event; the report states the radionuclide and the administered activity (in MBq)."""

from __future__ import annotations

from dataclasses import dataclass

from inscope.dicom.extraction import codes as c
from inscope.dicom.extraction.sr import MAX_UID, index
from inscope.dicom.extraction.tree import Node
from inscope.dicom.extraction.units import UnitError, convert
from inscope.dicom.extraction.values import BadNumber, Notes, parse_datetime, parse_number, synthetic_uid
from inscope.dose.report import DoseReadError, EventKind, IrradiationEvent


@dataclass
class RadiopharmaceuticalReport:
    events: list[IrradiationEvent]
    radionuclide: str
    administered_activity_mbq: float | None


def _activity(node: Node | None, where: str, notes: Notes) -> float | None:
    if node is None:
        return None
    label = f"{where}: {node.label()}"
    try:
        value = parse_number(node.number, label, notes)
    except BadNumber as exc:
        raise DoseReadError(str(exc)) from None
    if value is None:
        return None
    unit = node.unit
    if not unit:
        notes.warn(f"{label} has no unit; read as MBq.")
        unit = "MBq"
    try:
        converted = convert(value, unit, "MBq")
    except UnitError as exc:
        raise DoseReadError(f"{label}: {exc}") from None
    if unit != "MBq":
        notes.warn(f"{label} is in {unit}; converted to MBq.")
    if converted < 0:
        raise DoseReadError(f"{label}: an activity cannot be negative ({node.number}).")
    return converted


def read_radiopharmaceutical_report(nodes: list[Node], sop_instance_uid: str, notes: Notes
                                    ) -> RadiopharmaceuticalReport:
    events: list[IrradiationEvent] = []
    radionuclides: list[str] = []
    activities: list[float] = []
    seen: set[str] = set()
    administrations = [n for n in nodes if n.concept == c.RADIOPHARMACEUTICAL_ADMINISTRATION]
    for number, node in enumerate(administrations, start=1):
        found = index(node)
        uid_node = found.get(c.ADMINISTRATION_EVENT_UID)
        uid = (uid_node.text or "").strip() if uid_node is not None else ""
        if not uid or len(uid) > MAX_UID or uid in seen:
            notes.warn(f"Radiopharmaceutical administration {number} has no usable Radiopharmaceutical "
                       "Administration Event UID; it was given one derived from the SOP Instance UID and its "
                       "position.")
            uid = synthetic_uid(sop_instance_uid, number)
        seen.add(uid)
        where = f"Radiopharmaceutical administration {number} (UID {uid})"
        agent = ""
        for concept in c.RADIOPHARMACEUTICAL_AGENT:
            if concept in found and found[concept].code:
                agent = found[concept].code[2].strip()  # type: ignore[index]
                break
        for concept in c.RADIONUCLIDE:
            if concept in found and found[concept].code:
                radionuclides.append(found[concept].code[2].strip())  # type: ignore[index]
                break
        activity = _activity(found.get(c.ADMINISTERED_ACTIVITY), where, notes)
        if activity is not None:
            activities.append(activity)
        start = found.get(c.RADIOPHARMACEUTICAL_START)
        events.append(IrradiationEvent(uid=uid, kind=EventKind.RADIOPHARMACEUTICAL,
                                       at=parse_datetime(start.text if start else None), protocol=agent[:200]))
    if not administrations:
        notes.warn("The radiopharmaceutical dose report has no Radiopharmaceutical Administration.")
    distinct = list(dict.fromkeys(r for r in radionuclides if r))
    if len(distinct) > 1:
        notes.warn(f"The report names several radionuclides ({', '.join(distinct)}).")
    return RadiopharmaceuticalReport(events=events, radionuclide=" + ".join(distinct)[:64],
                                     administered_activity_mbq=sum(activities) if activities else None)
