"""Rendering pages, and the named block of a page for htmx, from one template."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.template.loader import render_to_string
from django.utils.html import format_html
from django_htmx.middleware import HtmxDetails
from jinja2_fragments import render_block


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, block: str | None = None, status: int = 200
) -> HttpResponse:
    """Render the whole page, or only ``block`` when htmx asks for it."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)  # set by django-htmx's middleware
    if block and htmx and not htmx.boosted:
        token = get_token(request)
        full = {
            **context,
            "request": request,
            "user": request.user,
            "csrf_token": token,
            "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token),
        }
        env = cast(Jinja2, engines["jinja2"]).env
        return HttpResponse(render_block(env, template, block, full), status=status)
    return HttpResponse(render_to_string(template, {**context, "user": request.user}, request), status=status)
