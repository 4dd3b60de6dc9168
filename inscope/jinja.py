"""The Jinja2 environment for pages: NHS England's nhsuk-frontend-jinja macros plus a few project globals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from inscope.lib import nhs_number
from inscope.policy.limits import describe_conditions
from inscope.staff.permissions import Action, can


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def local_time(value: dt.datetime | None, fmt: str = "%H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def age_in_minutes(value: dt.datetime) -> int:
    return int((timezone.now() - value).total_seconds() // 60)


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja", "templates")])
    # The NHS.UK macros read optional nested parameters (params.search.action) as nunjucks does.
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals.update(
        static=static,
        url=url,
        can=can,
        Action=Action,
        get_messages=get_messages,
        now=timezone.now,
    )
    env.filters.update(
        local_time=local_time,
        age_in_minutes=age_in_minutes,
        nhs_number=nhs_number.formatted,
        conditions=describe_conditions,  # an entitlement's or grant's conditions, in words ("" for none)
    )
    return env
