"""Journey 2: an AP's out-of-scope case reaches the supervising radiographer's live queue, and she takes it over."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PATIENT = "GREEN, Margaret"


def test_out_of_scope_case_reaches_radiographer_who_takes_over(
    page: Page, new_page, login, open_patient, answer, app_server: str
) -> None:
    # Rachel Hughes has her queue open before anything is escalated.
    radiographer = new_page()
    login(radiographer, "r.hughes")
    radiographer.goto("/examinations/escalations/")
    queue = radiographer.locator("#queue")
    expect(queue).to_be_visible()
    expect(queue.get_by_role("link", name=PATIENT)).to_have_count(0)
    radiographer.evaluate("window.__notReloaded = true")  # gone if the page is reloaded

    # Priya Patel: the patient has advanced dementia and cannot co-operate.
    login(page, "ap.patel")
    expect(page.get_by_role("link", name="Escalations")).to_have_count(0)  # not in an AP's navigation
    open_patient(page, PATIENT)
    expect(page.get_by_role("heading", level=1)).to_contain_text("XR Knee")
    answer(page, "identity", "confirmed")
    answer(page, "cooperative", "no")
    answer(page, "has_capacity", "yes")
    answer(page, "mobility", "independent")
    answer(page, "trauma", "no")
    page.click("#save-checks")
    expect(page.get_by_role("status").filter(has_text="Pre-examination checks saved.")).to_be_visible()
    expect(page.locator("[data-outcome]").filter(has_text="If you start now")).to_have_attribute(
        "data-outcome", "escalate"
    )
    page.click("#start-examination")
    expect(page.get_by_role("status").filter(has_text="Escalated to Rachel Hughes")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Escalated")
    exam_url = page.url

    # The row appears in the radiographer's queue by itself (htmx polls every 5 s), without a reload.
    row = queue.locator("tr").filter(has=radiographer.get_by_role("link", name=PATIENT))
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("XR Knee")
    expect(row).to_contain_text("Priya Patel")
    assert radiographer.evaluate("window.__notReloaded === true"), "the queue page was reloaded"

    # The AP cannot act on the escalation: no link on her page, and the escalation page is refused.
    expect(page.get_by_role("link", name="Act on it")).to_have_count(0)
    row.get_by_role("link", name=PATIENT).click()
    expect(radiographer.get_by_role("heading", level=1)).to_contain_text("XR Knee")
    escalation_url = radiographer.url
    assert re.search(r"/examinations/escalations/\d+/$", escalation_url), escalation_url
    response = page.goto(escalation_url)
    assert response is not None and response.status == 403, response and response.status
    expect(page.locator("#take-over")).to_have_count(0)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(escalation_url + "take-over/", form={"reason": "I will do it"},
                                headers={"X-CSRFToken": csrf, "Referer": app_server + "/"})
    assert refused.status == 403, refused.status

    # Rachel Hughes takes over.
    radiographer.fill("#reason", "Patient cannot co-operate; I will perform the examination myself.")
    radiographer.click("#take-over")
    expect(radiographer.get_by_role("status").filter(has_text="You are now the operator")).to_be_visible()
    assert radiographer.url == exam_url
    expect(radiographer.get_by_role("heading", level=1)).to_contain_text("In progress")
    operator = radiographer.locator(".nhsuk-summary-list__row").filter(has_text="Operator")
    expect(operator).to_contain_text("Rachel Hughes")
    expect(radiographer.locator("#complete-examination")).to_be_visible()

    # The AP sees the hand-over and can no longer complete the examination.
    page.goto(exam_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")
    expect(page.locator(".nhsuk-summary-list__row").filter(has_text="Operator")).to_contain_text("Rachel Hughes")
    expect(page.locator("#complete-examination")).to_have_count(0)
    expect(page.locator("#start-examination")).to_have_count(0)

    # And the queue no longer lists it.
    radiographer.goto("/examinations/escalations/")
    expect(radiographer.locator("#queue").get_by_role("link", name=PATIENT)).to_have_count(0)
