"""SAUE review items: studies that met a screening criterion, for the radiation protection supervisor to decide on.

InScope never notifies a regulator. The page says so, and the outcome only records what the employer decided.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inscope.dose import forms
from inscope.dose.models import SaueReview
from inscope.dose.services import saue as saue_services
from inscope.lib.errors import DomainError, NotAllowed
from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, can, require
from inscope.staff.requests import AuthedRequest

NOT_A_NOTIFICATION = ("InScope never notifies the CQC or any other regulator. Screening only finds studies to look "
                      "at: whether an exposure was significant, accidental or unintended, and whether and how to "
                      "notify, is the employer's decision under IR(ME)R regulation 8, made through its own procedure.")


def reviews():
    """Open items first (oldest first, so none waits forever), then closed ones (most recently decided first)."""
    return (SaueReview.objects.select_related("study", "examination", "reviewed_by")
            .annotate(closed=Case(When(status=SaueReview.Status.OPEN, then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
            .order_by("closed", "opened_at", "-reviewed_at", "id"))


def _may_read(request: AuthedRequest) -> None:
    require(request.user, Action.VIEW_DOSE_AUDIT)  # everyone who may review SAUEs may also read dose audits


@login_required
@require_GET
def review_list(request: AuthedRequest) -> HttpResponse:
    _may_read(request)
    items = list(reviews())
    context = {
        "page_title": "SAUE reviews",
        "nav": "saue",
        "open_items": [r for r in items if r.status == SaueReview.Status.OPEN],
        "closed_items": [r for r in items if r.status == SaueReview.Status.CLOSED],
        "not_a_notification": NOT_A_NOTIFICATION,
    }
    return render_page(request, "dose/saue_list.html", context)


def figures(review: SaueReview) -> list[tuple[str, str]]:
    """The figures that met the criterion, as (name, value with unit) in the order they were recorded."""
    found = []
    for name, value in (review.figures or {}).items():
        label = str(name).replace("_", " ").capitalize()
        if isinstance(value, dict):
            amount = value.get("value", "")
            unit = value.get("unit", "")
            text = f"{amount} {unit}".strip()
            if value.get("label"):
                label = str(value["label"])
        else:
            text = str(value)
        found.append((label, text))
    return found


def _context(request: AuthedRequest, review: SaueReview, **extra: Any) -> dict[str, Any]:
    return {
        "page_title": f"SAUE review: {review.summary}",
        "nav": "saue",
        "review": review,
        "figures": figures(review),
        "outcomes": SaueReview.Outcome.choices,
        "can_decide": review.status == SaueReview.Status.OPEN and can(request.user, Action.REVIEW_SAUE),
        "not_a_notification": NOT_A_NOTIFICATION,
        "errors": [],
        "error_field": None,
        "post": {},
        **extra,
    }


def _review(pk: int) -> SaueReview:
    review = SaueReview.objects.select_related("study__room__site", "examination__operator", "reviewed_by").filter(
        pk=pk).first()
    if review is None:
        raise Http404("No such SAUE review item.")
    return review


@login_required
@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _may_read(request)
    review = _review(pk)
    return render_page(request, "dose/saue_review.html", _context(request, review))


@login_required
@require_POST
def record_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.REVIEW_SAUE)
    review = _review(pk)
    try:
        outcome, note = forms.outcome(request.POST)
        saue_services.record_saue_outcome(review, outcome=outcome, note=note, by=request.user, channel="web")
    except DomainError as error:
        field = error.field if error.field in {"outcome", "note"} else None
        errors = [{"text": error.message, "href": f"#{field}" if field else "#outcome-form"}]
        context = _context(request, _review(pk), errors=errors, error_field=field, post=request.POST)
        return render_page(request, "dose/saue_review.html", context,
                           status=403 if isinstance(error, NotAllowed) else 400)
    messages.success(request, f"Outcome recorded: {SaueReview.Outcome(outcome).label}.")
    return redirect(reverse("dose:saue_review", args=[review.pk]))
