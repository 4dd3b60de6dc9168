"""SAUE review pages: open items first, the criterion with its figures and band, the statement that InScope never
notifies a regulator, and the outcome recorded by a radiation protection supervisor with a note."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from inscope.dose.models import SaueReview
from inscope.dose.tests.audit_data import at, saue_review, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

NOTICE = "InScope never notifies the CQC or any other regulator."


@pytest.fixture
def fluoro(department, site, xray_room):
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed",
                                protocol_code="FBSWL", protocol_name="Fluoroscopy barium swallow", modality="RF")
    return study(when=at("2026-11-27"), modality="RF", exam=exam, room=xray_room, dap_gy_cm2=62.5)


@pytest.fixture
def review(fluoro):
    return saue_review(fluoro, band="intended dose between 0.3 mSv and 2.5 mSv (edges as published: 0.3, 2.5)")


def part(page: str, pattern: str) -> str:
    """The first piece of the page the pattern matches (failing the test when there is none)."""
    found = re.search(pattern, page, re.S)
    assert found, f"nothing matches {pattern}"
    return found.group(0)


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(("persona", "allowed"), [
    ("rps", True), ("manager", True), ("radiographer", True), ("ap", False), ("stranger", False),
])
def test_who_may_read_saue_reviews(client, request, persona, allowed, review):
    client.force_login(request.getfixturevalue(persona))

    pages = [client.get(reverse("dose:saue")), client.get(reverse("dose:saue_review", args=[review.pk]))]

    assert [p.status_code for p in pages] == [200 if allowed else 403] * 2


def test_the_list_shows_open_items_first_and_says_the_regulator_is_never_notified(client, rps, fluoro, review,
                                                                                    xray_room):
    other = study(when=at("2026-11-20"), modality="RF", room=xray_room, dap_gy_cm2=70.0)
    closed = saue_review(other, status="closed", outcome="not_saue", outcome_note="Planned complex case.",
                         reviewed_by=rps, reviewed_at=at("2026-11-21"))
    client.force_login(rps)

    page = client.get(reverse("dose:saue")).text

    assert NOTICE in page
    open_table = part(page, r'<table[^>]*id="open-reviews".*?</table>')
    closed_table = part(page, r'<table[^>]*id="closed-reviews".*?</table>')
    assert page.index('id="open-reviews"') < page.index('id="closed-reviews"')
    assert f'data-review="{review.pk}"' in open_table and f'data-review="{closed.pk}"' in closed_table
    assert "CQC code 3" in open_table
    assert "Not an accidental or unintended exposure" in text_of(closed_table) and "Grace Lee" in closed_table


def test_the_review_shows_the_criterion_figures_band_and_links(client, rps, review, fluoro):
    client.force_login(rps)

    page = client.get(reverse("dose:saue_review", args=[review.pk])).text

    words = text_of(page)
    assert NOTICE in words and "is the employer's decision under IR(ME)R regulation 8" in words
    assert "Criterion drl-multiple" in words and "CQC notification code 3" in words
    assert "Ratio to drl 12.5 × DRL" in words and "Total dap 62.5 Gy·cm²" in words
    assert "Intended-dose band (as published) intended dose between 0.3 mSv and 2.5 mSv" in words
    assert f'href="{reverse("dose:study", args=[fluoro.pk])}"' in page
    assert f'href="{reverse("exams:detail", args=[fluoro.examination_id])}"' in page
    assert 'id="outcome-form"' in page


def test_a_radiographer_sees_the_item_but_no_outcome_form_and_may_not_post_one(client, radiographer, review):
    client.force_login(radiographer)

    page = client.get(reverse("dose:saue_review", args=[review.pk])).text
    posted = client.post(reverse("dose:saue_outcome", args=[review.pk]), {"outcome": "not_saue", "note": "No."})

    assert 'id="outcome-form"' not in page
    assert posted.status_code == 403
    assert SaueReview.objects.get(pk=review.pk).status == "open"


def test_the_supervisor_records_the_outcome_with_a_note(client, rps, review):
    client.force_login(rps)

    response = client.post(reverse("dose:saue_outcome", args=[review.pk]),
                           {"outcome": "local_record", "note": "Repeat screening after patient movement."},
                           follow=True)

    review.refresh_from_db()
    assert (review.status, review.outcome, review.reviewed_by) == ("closed", "local_record", rps)
    assert review.outcome_note == "Repeat screening after patient movement."
    words = text_of(response.content.decode())
    assert "Outcome recorded: Unintended exposure below the notification criteria: recorded locally." in words
    assert "Decided by Grace Lee" in words and 'id="outcome-form"' not in response.content.decode()


def test_an_outcome_needs_a_choice_and_a_note(client, rps, review):
    client.force_login(rps)

    no_note = client.post(reverse("dose:saue_outcome", args=[review.pk]), {"outcome": "not_saue", "note": " "})
    no_choice = client.post(reverse("dose:saue_outcome", args=[review.pk]), {"note": "Looked at it."})

    assert no_note.status_code == 400 and "Enter the note explaining the decision." in no_note.text
    assert 'href="#note"' in no_note.text
    assert no_choice.status_code == 400 and "Choose the outcome." in no_choice.text
    assert "Looked at it." in no_choice.text  # what was typed is kept
    assert SaueReview.objects.get(pk=review.pk).status == "open"
