"""Journey 5: a trainee's path to entitlement. Supervised examinations accumulate, a radiographer signs the
competency off, the manager entitles him, and the next examination of that protocol proceeds where it
escalated before (Tom Reid is one observed hand X-ray short of sign-off in the demo)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CHECKS = {"identity_confirmed": "yes", "cooperative": "yes", "has_capacity": "yes", "mobility": "independent",
          "trauma": "no"}


def record_checks(page: Page, answer) -> None:
    for name, value in CHECKS.items():
        answer(page, name, value)
    page.click("#save-checks")
    expect(page.get_by_role("status").filter(has_text="Pre-examination checks saved.")).to_be_visible()


def test_a_trainee_becomes_entitled_through_supervised_practice(
    page: Page, new_page, login, open_patient, answer, app_server: str
) -> None:
    # Tom Reid is not entitled for hand X-rays yet: starting one escalates to Raj Singh, beside him in room 2.
    login(page, "ap.trainee")
    open_patient(page, "PATEL, Ravi")
    record_checks(page, answer)
    page.click("#start-examination")
    expect(page.get_by_role("status").filter(has_text="Escalated to")).to_contain_text("Raj Singh")
    expect(page.locator("[data-outcome=escalate]")).to_contain_text("no-entitlement")

    # Raj Singh takes it over with Tom performing it beside him, and completes it: the third observation.
    raj = new_page()
    login(raj, "r.singh")
    raj.goto("/examinations/escalations/")
    raj.locator("#queue").get_by_role("link", name="PATEL, Ravi").click()
    raj.fill("#reason", "Supervised practice towards hand and wrist sign-off.")
    raj.check("#supervised_practice")
    raj.click("#take-over")
    expect(raj.get_by_role("status").filter(has_text="You are now the operator")).to_be_visible()
    raj.fill("#projection_0", "PA hand")
    raj.fill("#kvp_0", "55")
    raj.fill("#mas_0", "2")
    raj.fill("#dap_0", "0.01")
    raj.fill("#images_count", "1")
    raj.click("#complete-examination")
    expect(raj.get_by_role("heading", level=1)).to_contain_text("Completed")

    # He signs off the competency on Tom's portfolio.
    raj.goto("/people/ap.trainee/")
    raj.locator("#sign-off summary").click()
    raj.select_option("#sign-off-competency", "AP-XR-HAND-WRIST")
    raj.locator("#sign-off").get_by_role("button", name="Sign off").click()
    expect(raj.locator("#sign-off-history")).to_contain_text("AP-XR-HAND-WRIST")

    # Mary Okafor entitles Tom for hand X-rays, the second step.
    mary = new_page()
    login(mary, "m.okafor")
    mary.goto("/people/ap.trainee/")
    mary.locator("#entitle summary").click()
    mary.select_option("#entitle-protocol_code", "XHAND")
    review = dt.date.today() + dt.timedelta(days=300)
    entitle = mary.locator("#entitle")
    entitle.locator('input[name="review_date[day]"]').fill(str(review.day))
    entitle.locator('input[name="review_date[month]"]').fill(str(review.month))
    entitle.locator('input[name="review_date[year]"]').fill(str(review.year))
    entitle.get_by_role("button", name="Entitle as operator").click()
    expect(mary.locator("#entitlements").locator("xpath=..")).to_contain_text("XHAND")

    # Tom's next hand X-ray proceeds, where the first one escalated.
    open_patient(page, "JONES, Megan")
    record_checks(page, answer)
    expect(page.locator("[data-outcome]").filter(has_text="If you start now")).to_have_attribute(
        "data-outcome", "proceed"
    )
    page.click("#start-examination")
    expect(page.get_by_role("status").filter(has_text="Within your scope of practice")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")
