"""Equipment at the point of care: an examination needs the room's units in service (IR(ME)R 2017 reg 15: the
employer's QA programme for equipment). A unit out of service stops everyone; a restricted one needs a
radiographer to decide that this examination is safe on it.
"""

from __future__ import annotations

from inscope.rules.decisions import Reason
from inscope.rules.facts import Unit, UnitStatus
from inscope.rules.reasons import reason


def _why(unit: Unit) -> str:
    return f" ({unit.reason})" if unit.reason else ""


def equipment_reasons(units: tuple[Unit, ...]) -> list[Reason]:
    """Return one reason naming every unit out of service, and one naming every restricted unit."""
    out = [u for u in units if u.status is UnitStatus.OUT_OF_SERVICE]
    restricted = [u for u in units if u.status is UnitStatus.RESTRICTED]
    reasons = []
    if out:
        names = "; ".join(f"{u.name}{_why(u)}" for u in out)
        reasons.append(
            reason(
                "equipment-out-of-service",
                f"Out of service: {names}. Do not use the room for this examination until the unit is returned to "
                "service; use another room or tell the modality lead.",
            )
        )
    if restricted:
        names = "; ".join(f"{u.name}{_why(u)}" for u in restricted)
        reasons.append(
            reason(
                "equipment-restricted",
                f"Restricted: {names}. A radiographer decides whether this examination may go ahead on it.",
            )
        )
    return reasons
