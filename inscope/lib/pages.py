"""Rendering pages, and the named block of a page for htmx, from one template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import render_to_string
from django.utils.html import format_html
from jinja2_fragments import render_block


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, block: str | None = None, status: int = 200
) -> HttpResponse:
    """Render the whole page, or only ``block`` when htmx asks for it."""
    if block and getattr(request, "htmx", False) and not request.htmx.boosted:
        token = get_token(request)
        full = {
            **context,
            "request": request,
            "user": request.user,
            "csrf_token": token,
            "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token),
        }
        env = engines["jinja2"].env
        return HttpResponse(render_block(env, template, block, full), status=status)
    return HttpResponse(render_to_string(template, {**context, "user": request.user}, request), status=status)
