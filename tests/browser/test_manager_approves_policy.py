"""Journey 3: a manager approves a new policy version, and the next decision is made under it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

AP_SCOPE = "assistant_practitioner: [XCHES, XSHOU, XHAND,"
AP_SCOPE_WITHOUT_SHOULDER = "assistant_practitioner: [XCHES, XHAND,"
PATIENT = "YOUNG, Amira"


def _preview(page: Page):
    return page.locator("[data-outcome]").filter(has_text="If you start now")


def test_manager_approves_new_policy_version_and_next_decision_uses_it(
    page: Page, new_page, login, open_patient, answer
) -> None:
    # Under v1 a shoulder X-ray is within an AP's role scope: with the checks done, she may proceed.
    ap = new_page()
    login(ap, "ap.patel")
    open_patient(ap, PATIENT)
    expect(ap.get_by_role("heading", level=1)).to_contain_text("XR Shoulder")
    for name, value in [("identity", "confirmed"), ("cooperative", "yes"), ("has_capacity", "yes"),
                        ("mobility", "independent"), ("trauma", "no")]:
        answer(ap, name, value)
    ap.click("#save-checks")
    expect(ap.get_by_role("status").filter(has_text="Pre-examination checks saved.")).to_be_visible()
    expect(_preview(ap)).to_have_attribute("data-outcome", "proceed")
    expect(_preview(ap)).to_contain_text("Policy v1")

    # Mary Okafor writes v2: shoulders are no longer in an AP's scope.
    login(page, "m.okafor")
    page.goto("/policy/")
    page.get_by_role("button", name="Start a new draft").or_(page.get_by_role("link", name="Start a new draft")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start a new draft")
    source = page.locator("#source_yaml")
    text = source.input_value()
    assert text.count(AP_SCOPE) == 1, "the demo policy's AP role scope line has changed"
    source.fill(text.replace(AP_SCOPE, AP_SCOPE_WITHOUT_SHOULDER))
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("status").filter(has_text="Draft policy v2 created")).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Local policy v2")
    expect(heading).to_contain_text("Draft")

    page.fill("#note", "Agreed at the imaging governance meeting: shoulders go back to radiographers.")
    page.get_by_role("button", name="Approve and put in force").click()
    expect(page.get_by_role("status").filter(has_text="Policy v2 approved and now in force")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("v1 is superseded")
    expect(heading).to_contain_text("Approved")

    page.goto("/policy/")
    versions = page.locator("table tbody tr")
    expect(versions.filter(has=page.get_by_role("link", name="v1", exact=True))).to_contain_text("Superseded")
    v2 = versions.filter(has=page.get_by_role("link", name="v2", exact=True))
    expect(v2).to_contain_text("Approved")
    expect(v2).to_contain_text("Mary Okafor")
    expect(v2).to_contain_text("shoulders go back to radiographers")

    # The AP's next decision uses v2.
    open_patient(ap, PATIENT)
    preview = _preview(ap)
    expect(preview).to_have_attribute("data-outcome", "escalate")
    expect(preview).to_contain_text("Escalate")
    expect(preview).to_contain_text("outside-role-scope")
    expect(preview).to_contain_text("Policy v2")
    # Out of role scope is the only reason: the checks she recorded still stand.
    expect(preview.locator("li")).to_have_count(1)
