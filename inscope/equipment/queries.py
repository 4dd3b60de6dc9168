"""What the rest of InScope reads from the register: the units a room's examinations need, and the rooms that
cannot be used at all (an out-of-service required unit)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from inscope.equipment.models import Status, Unit


def in_use(on: dt.date) -> Q:
    """Required units still on the register on ``on``."""
    return Q(required=True) & (Q(decommissioned_on__isnull=True) | Q(decommissioned_on__gt=on))


def units_needed(room_id: int, on: dt.date) -> list[tuple[str, str, str]]:
    """(name, status, reason) of the room's required units in use, by name: one query on the (room, ...) index."""
    return list(Unit.objects.filter(in_use(on), room_id=room_id).order_by("name", "id")
                .values_list("name", "status", "status_reason"))


def rooms_out_of_service(on: dt.date) -> QuerySet:
    """The ids of rooms with a required unit out of service (a subquery; never NULL, so NOT IN is safe)."""
    return (Unit.objects.filter(in_use(on), room__isnull=False, status=Status.OUT_OF_SERVICE)
            .values("room_id"))
