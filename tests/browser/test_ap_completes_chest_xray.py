"""Journey 1: an assistant practitioner completes an in-scope chest X-ray, from the checks to the record."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_ap_completes_in_scope_chest_xray(page: Page, login, open_patient, answer) -> None:
    login(page, "ap.patel")
    expect(page.get_by_role("heading", name=re.compile("^Worklist"))).to_be_visible()

    open_patient(page, "WALKER, Sarah")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("XR Chest PA")
    expect(heading).to_contain_text("Scheduled")

    # The pre-examination checks.
    answer(page, "identity", "confirmed")
    answer(page, "cooperative", "yes")
    answer(page, "has_capacity", "yes")
    answer(page, "mobility", "independent")
    answer(page, "trauma", "no")
    page.click("#save-checks")
    expect(page.get_by_role("status").filter(has_text="Pre-examination checks saved.")).to_be_visible()
    # The answers are kept.
    expect(page.locator('input[name="cooperative"][value="yes"]')).to_be_checked()
    expect(page.locator('input[name="mobility"][value="independent"]')).to_be_checked()

    # What would happen if she started now.
    preview = page.locator("[data-outcome]").filter(has_text="If you start now")
    expect(preview).to_have_attribute("data-outcome", "proceed")
    expect(preview).to_contain_text("Proceed")
    expect(preview).to_contain_text("Policy v1")

    page.click("#start-examination")
    expect(page.get_by_role("status").filter(has_text="Within your scope of practice")).to_be_visible()
    expect(heading).to_contain_text("In progress")
    expect(page.locator("[data-outcome]").filter(has_text="Decision:")).to_have_attribute("data-outcome", "proceed")
    expect(page.locator("#start-examination")).to_have_count(0)

    # One exposure, then complete.
    page.fill("#projection_0", "PA")
    page.fill("#kvp_0", "110")
    page.fill("#mas_0", "2")
    page.fill("#dap_0", "0.05")
    page.select_option("#dap_unit_0", "Gy·cm²")
    page.fill("#images_count", "1")
    page.click("#complete-examination")

    expect(page.get_by_role("status").filter(has_text="Examination completed.")).to_be_visible()
    expect(heading).to_contain_text("Completed")
    expect(page.locator("#complete-examination")).to_have_count(0)

    # The record: what was done, and the exposure as entered.
    done = page.locator("dl").filter(has_text="Total DAP")
    expect(done).to_contain_text("Images")
    expect(done).to_contain_text("0.05")
    exposures = page.locator("table").filter(has=page.locator("caption", has_text="Exposures"))
    row = exposures.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("PA")
    expect(row.locator("td").nth(1)).to_contain_text("110")
    expect(row.locator("td").nth(2)).to_contain_text("2")
    expect(row.locator("td").nth(3)).to_contain_text("0.05")
    expect(row.locator("td").nth(3)).to_contain_text("Gy·cm²")

    # The history: checks, start and completion, each by Priya Patel on the web.
    history = page.locator("#history tbody")
    expect(history).to_contain_text("Priya Patel")
    expect(history.locator("tr").filter(has_text="scheduled → in_progress")).to_have_count(1)
    expect(history.locator("tr").filter(has_text="in_progress → completed")).to_have_count(1)
