"""Equipment at the point of care: an out-of-service unit in the room stops everyone, a restricted one
escalates to a radiographer, and both name the unit and the check or fault that set its status."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from inscope.rules.authorisation import may_authorise
from inscope.rules.evaluate import decide
from inscope.rules.facts import Case, Unit, UnitStatus
from inscope.rules.tests.cases import (
    CHEST_PA,
    MANAGER,
    POLICY,
    RADIOGRAPHER_OP,
    Row,
    case,
    escalate,
    proceed,
    stop,
    table,
)

TUBE = Unit("X-ray room 2 tube", UnitStatus.IN_SERVICE)
DETECTOR_FAILED = Unit("X-ray room 2 detector", UnitStatus.OUT_OF_SERVICE, "uniformity check failed this morning")
STAND_RESTRICTED = Unit("Chest stand", UnitStatus.RESTRICTED, "bucky lock sticks")


def with_units(*units: Unit, **changes: Any) -> Case:
    return replace(case(CHEST_PA, **changes), equipment=units)


ROWS = [
    Row("AP, chest PA, every unit in service", with_units(TUBE), proceed()),
    Row("AP, chest PA, no units registered for the room", with_units(), proceed()),
    Row("AP, chest PA, the detector failed this morning's check",
        with_units(TUBE, DETECTOR_FAILED), stop("equipment-out-of-service", to=MANAGER)),
    Row("radiographer, chest PA, the detector is out of service (it binds everyone)",
        replace(with_units(DETECTOR_FAILED), operator=RADIOGRAPHER_OP), stop("equipment-out-of-service", to=MANAGER)),
    Row("AP, chest PA, the chest stand is restricted", with_units(TUBE, STAND_RESTRICTED),
        escalate("equipment-restricted")),
    Row("radiographer, chest PA, the chest stand is restricted",
        replace(with_units(STAND_RESTRICTED), operator=RADIOGRAPHER_OP), escalate("equipment-restricted")),
    Row("AP, chest PA, one unit out of service and one restricted",
        with_units(DETECTOR_FAILED, STAND_RESTRICTED),
        stop("equipment-out-of-service", "equipment-restricted", to=MANAGER)),
    Row("AP, protocol not in the policy, detector out of service: still said",
        replace(case("XSKUL"), equipment=(DETECTOR_FAILED,)),
        stop("protocol-unknown", "equipment-out-of-service", to=MANAGER)),
]


@pytest.mark.parametrize("row", table(ROWS))
def test_the_rooms_equipment_status_changes_the_decision(row: Row) -> None:
    row.expect.check(row.decide())


def test_the_reason_names_the_unit_and_the_check() -> None:
    message = decide(with_units(DETECTOR_FAILED), POLICY).reasons[0].message
    assert "X-ray room 2 detector" in message and "uniformity check failed this morning" in message


def test_a_radiographer_may_authorise_on_restricted_equipment_but_nobody_on_equipment_out_of_service() -> None:
    restricted = decide(with_units(STAND_RESTRICTED), POLICY)
    radiographer = decide(replace(with_units(STAND_RESTRICTED), operator=RADIOGRAPHER_OP), POLICY)
    assert may_authorise(restricted, radiographer).outcome.value == "proceed"
    out = decide(with_units(DETECTOR_FAILED), POLICY)
    radiographer_out = decide(replace(with_units(DETECTOR_FAILED), operator=RADIOGRAPHER_OP), POLICY)
    assert may_authorise(out, radiographer_out).codes == ("authoriser-outside-own-scope",)
