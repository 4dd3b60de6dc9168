"""Journey: a trainee AP escalates a hand X-ray, performs it as supervised practice, is signed off and entitled,
and then starts the next hand X-ray within scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FIRST, SECOND = "PATEL, Ravi", "JONES, Megan"
COMPETENCY = "AP-XR-HAND-WRIST"


def _checks(page: Page, answer) -> None:
    answer(page, "identity", "confirmed")
    answer(page, "cooperative", "yes")
    answer(page, "has_capacity", "yes")
    answer(page, "mobility", "independent")
    answer(page, "trauma", "no")
    page.click("#save-checks")
    expect(page.get_by_role("status").filter(has_text="Pre-examination checks saved.")).to_be_visible()


def _open_form(page: Page, form_id: str) -> None:
    details = page.locator(f"details#{form_id}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_trainee_becomes_entitled_through_supervised_practice(
    page: Page, new_page, login, open_patient, answer
) -> None:
    # 1. Tom Reid (trainee) holds no entitlement for hand X-rays yet: starting escalates to Raj Singh.
    login(page, "ap.trainee")
    open_patient(page, FIRST)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("XR Hand")
    _checks(page, answer)
    expect(page.locator("[data-outcome]").filter(has_text="If you start now")).to_have_attribute(
        "data-outcome", "escalate"
    )
    page.click("#start-examination")
    # Sent to the site's radiographer and to Raj Singh, who is directly supervising Tom in this room.
    expect(page.get_by_role("status").filter(has_text=re.compile(r"Escalated to .*Raj Singh"))).to_be_visible()
    expect(page.locator("#history")).to_contain_text("no-entitlement")
    expect(heading).to_contain_text("Escalated")
    exam_url = page.url

    # 2. Raj Singh takes over, with Tom performing it beside him as supervised practice, and completes it.
    singh = new_page()
    login(singh, "r.singh")
    singh.goto("/examinations/escalations/")
    row = singh.locator("#queue tr").filter(has=singh.get_by_role("link", name=FIRST))
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("Tom Reid")
    row.get_by_role("link", name=FIRST).click()
    expect(singh.get_by_role("heading", level=1)).to_contain_text("XR Hand")
    expect(singh.locator("main")).to_contain_text("no-entitlement")
    singh.fill("#reason", "Tom is not yet entitled; he performs it beside me as supervised practice.")
    singh.check("#supervised_practice")
    singh.click("#take-over")
    expect(singh.get_by_role("status").filter(has_text="You are now the operator")).to_be_visible()
    assert singh.url == exam_url
    singh_heading = singh.get_by_role("heading", level=1)
    expect(singh_heading).to_contain_text("In progress")
    expect(singh.locator(".nhsuk-summary-list__row").filter(has_text="Operator")).to_contain_text("Raj Singh")

    singh.fill("#projection_0", "PA hand")
    singh.fill("#kvp_0", "55")
    singh.fill("#mas_0", "2")
    singh.fill("#dap_0", "0.01")
    singh.select_option("#dap_unit_0", "Gy·cm²")
    singh.fill("#images_count", "1")
    singh.click("#complete-examination")
    expect(singh.get_by_role("status").filter(has_text="Examination completed.")).to_be_visible()
    expect(singh_heading).to_contain_text("Completed")

    # 3. The third observed hand X-ray is counted; Raj Singh signs the competency off.
    singh.goto("/people/ap.trainee/")
    competency_row = singh.locator(f'#competency-table tr[data-competency="{COMPETENCY}"]')
    expect(competency_row).to_contain_text("3 of 3")
    evidence = singh.locator("#evidence-table tbody tr").filter(has_text=COMPETENCY)
    expect(evidence).to_have_count(3)
    _open_form(singh, "sign-off")
    singh.select_option("#sign-off-competency", COMPETENCY)
    singh.fill("#sign-off-note", "Three observed hand X-rays, the last one today.")
    singh.locator("details#sign-off").get_by_role("button", name="Sign off").click()
    expect(singh.get_by_role("status").filter(has_text=f"{COMPETENCY} signed off for Tom Reid")).to_be_visible()
    expect(singh.locator("#sign-off-history tbody tr").filter(has_text=COMPETENCY)).to_contain_text("Signed off")

    # 4. Mary Okafor entitles Tom as operator for XR Hand, with a review date within a year.
    manager = new_page()
    login(manager, "m.okafor")
    manager.goto("/people/ap.trainee/")
    _open_form(manager, "entitle")
    manager.select_option("#entitle-protocol_code", "XHAND")
    review = dt.date.today() + dt.timedelta(days=300)
    manager.fill("#entitle-review_date-day", str(review.day))
    manager.fill("#entitle-review_date-month", str(review.month))
    manager.fill("#entitle-review_date-year", str(review.year))
    manager.get_by_role("button", name="Entitle as operator").click()
    expect(manager.get_by_role("status").filter(has_text="is entitled as operator for XHAND")).to_be_visible()
    expect(manager.locator('#grant-table tr[data-protocol="XHAND"]')).to_have_attribute("data-in-force", "yes")

    # 5. Tom's next hand X-ray is within his scope: he starts it himself.
    open_patient(page, SECOND)
    expect(heading).to_contain_text("XR Hand")
    expect(heading).to_contain_text("Scheduled")
    _checks(page, answer)
    preview = page.locator("[data-outcome]").filter(has_text="If you start now")
    expect(preview).to_have_attribute("data-outcome", "proceed")
    page.click("#start-examination")
    expect(page.get_by_role("status").filter(has_text="Within your scope of practice")).to_be_visible()
    expect(heading).to_contain_text("In progress")
    expect(page.locator(".nhsuk-summary-list__row").filter(has_text="Operator")).to_contain_text("Tom Reid")
    expect(page.locator("#complete-examination")).to_be_visible()
    assert re.search(r"/examinations/", page.url), page.url
