"""The equipment API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    manufacturer: str
    model: str
    serial_number: str
    site: str = Field(description="The site's code.")
    room: str | None = Field(description="The room's name; null for a mobile unit.")
    installed_on: dt.date
    decommissioned_on: dt.date | None
    station_name: str
    device_serial_number: str
    ae_title: str
    required: bool = Field(description="Whether examinations in the room need this unit.")
    status: Literal["in_service", "restricted", "out_of_service"]
    status_reason: str
    status_since: dt.datetime | None


class UnitsQuery(Schema):
    site: str | None = Field(default=None, description="A site's code.")
    room: int | None = Field(default=None, description="A room's id.")
    status: Literal["in_service", "restricted", "out_of_service"] | None = None


class FaultIn(In):
    status: Literal["restricted", "out_of_service"]
    description: str = Field(max_length=300)


class ReturnIn(In):
    signed_off_by: str = Field(description="The full name of the person signing the unit back into service.")
    note: str
