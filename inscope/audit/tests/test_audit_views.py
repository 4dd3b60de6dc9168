"""The audit trail screen: read-only, for managers, radiation protection supervisors and administrators."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from inscope.audit.models import AuditEvent
from inscope.audit.services import record
from inscope.testing import factories as f


def cells(page: str) -> list[str]:
    """The text of each table cell, without the responsive table's hidden column labels."""
    found = re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)
    found = [re.sub(r'<span class="nhsuk-table__heading".*?</span>', "", c, flags=re.S) for c in found]
    return [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in found]


@pytest.fixture
def rps(site):
    return f.person("rps.lee", "radiation_protection_supervisor", name="Grace Lee")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("manager", True), ("rps", True), ("stranger", True), ("ap", False), ("radiographer", False)],
)
def test_who_may_read_the_audit_trail(client, request, policy, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("audit:list"))
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        page = response.content.decode()
        assert "policy.approved" in cells(page) and "Policy v1 approved: Approved for testing" in cells(page)


def test_writes_are_not_accepted(client, manager):
    client.force_login(manager)
    assert client.post(reverse("audit:list")).status_code == 405


def test_filters(client, policy, manager, ap):
    record("examination.viewed", ap, by=ap, channel="web", summary="Looked at something")
    client.force_login(manager)
    url = reverse("audit:list")

    def shown(**params):
        page = client.get(url, params).content.decode()
        return {a for a in ("policy.draft_created", "policy.approved", "examination.viewed") if a in cells(page)}

    assert shown() == {"policy.draft_created", "policy.approved", "examination.viewed"}
    assert shown(actor="ap.patel") == {"examination.viewed"}
    assert shown(action="policy.") == {"policy.draft_created", "policy.approved"}
    assert shown(object_type="staff.user") == {"examination.viewed"}
    first = AuditEvent.objects.first()
    assert first is not None
    today = first.at.date().isoformat()
    assert shown(date=today) == {"policy.draft_created", "policy.approved", "examination.viewed"}
    assert shown(date="2001-01-01") == set()
    page = client.get(url, {"date": "yesterday"}).content.decode()
    assert "Enter the date as YYYY-MM-DD" in page


def test_only_the_latest_200_are_shown(client, manager, site):
    dept = site.department
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_label="system",
            channel="system",
            action=f"test.event{i}",
            object_type="department.department",
            object_id=str(dept.pk),
            summary=f"Event {i}",
        )
        for i in range(205)
    )
    client.force_login(manager)
    page = client.get(reverse("audit:list")).content.decode()
    shown = cells(page)
    assert "test.event204" in shown and "test.event5" in shown and "test.event4" not in shown
