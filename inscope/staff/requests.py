"""The request type of a view behind login_required, where request.user is always a signed-in User."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from inscope.staff.models import User


class AuthedRequest(HttpRequest):
    """Annotate login_required views with this (for type checkers only: Django still passes an HttpRequest)."""

    user: User
    htmx: HtmxDetails  # set by django-htmx's middleware
