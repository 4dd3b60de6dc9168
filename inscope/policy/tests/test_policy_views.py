"""The policy screens through the test client: who may see, write and approve, and what they are shown.

inscope/conftest.py runs every test on 28 November 2026, the day the demo policy describes.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inscope.audit.models import AuditEvent
from inscope.policy import services
from inscope.policy.models import PolicyVersion
from inscope.testing import factories as f

DEMO = f.DEMO_POLICY.read_text(encoding="utf-8")
NEXT = DEMO.replace('version_label: "2026-11"', 'version_label: "2026-12"')
INVALID = DEMO.replace("modality: XR", "modality: XX", 1).replace("dose_class: standard", "dose_class: huge", 1)


@pytest.fixture
def draft(policy, manager):
    return services.create_draft(policy.department, source_yaml=NEXT, by=manager, channel="system")


def as_user(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


@pytest.mark.parametrize("persona", ["manager", "ap", "radiographer", "trainee", "stranger"])
def test_everyone_with_view_policy_reads_the_policy(client, request, policy, draft, persona):
    as_user(client, request, persona)
    page = client.get(reverse("policy:list")).content.decode()
    assert "v1" in page and "Approved" in page and "Draft" in page
    assert ("Start a new draft" in page) == (persona == "manager")
    page = client.get(reverse("policy:detail", args=[policy.pk])).content.decode()
    assert "XR Chest PA" in page and "Priya Patel" in page and "Competency record CR-2026-014" in page
    assert "Expired" in page  # Daniel Brown's extremity entitlement passed review on 31 October 2026
    assert "Approve and put in force" not in page
    page = client.get(reverse("policy:detail", args=[draft.pk])).content.decode()
    assert ("Approve and put in force" in page) == (persona == "manager")
    assert ("Edit draft" in page) == (persona == "manager")


def test_no_role_and_anonymous_are_refused(client, policy):
    client.force_login(f.person("no.role"))
    assert client.get(reverse("policy:list")).status_code == 403
    assert client.get(reverse("policy:matrix"), follow=True).status_code == 403
    client.logout()
    assert client.get(reverse("policy:list")).status_code == 302


@pytest.mark.parametrize(
    ("persona", "allowed"), [("manager", True), ("ap", False), ("radiographer", False), ("stranger", False)]
)
def test_who_may_write_and_approve(client, request, draft, persona, allowed):
    as_user(client, request, persona)
    expected = 200 if allowed else 403
    assert client.get(reverse("policy:new")).status_code == expected
    assert client.get(reverse("policy:edit", args=[draft.pk])).status_code == expected
    count = PolicyVersion.objects.count()
    response = client.post(reverse("policy:new"), {"source_yaml": NEXT})
    assert response.status_code == (302 if allowed else 403)
    assert PolicyVersion.objects.count() == count + allowed
    response = client.post(reverse("policy:edit", args=[draft.pk]), {"source_yaml": NEXT + "\n# edited\n"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(reverse("policy:approve", args=[draft.pk]), {"note": "Governance meeting 27 Nov"})
    assert response.status_code == (302 if allowed else 403)
    draft.refresh_from_db()
    assert draft.status == ("approved" if allowed else "draft")
    assert draft.source_yaml.endswith("# edited\n") == allowed


def test_manager_creates_a_draft_from_the_policy_in_force(client, policy, manager):
    client.force_login(manager)
    page = client.get(reverse("policy:new")).content.decode()
    assert "Northgate Imaging local policy for assistant practitioners" in page  # pre-filled
    response = client.post(reverse("policy:new"), {"source_yaml": NEXT.replace("\n", "\r\n")})
    version = PolicyVersion.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == reverse("policy:detail", args=[version.pk])
    assert version.status == "draft" and "\r" not in version.source_yaml
    event = AuditEvent.objects.get(action="policy.draft_created", object_id=str(version.pk))
    assert (event.channel, event.actor) == ("web", manager)


def test_an_invalid_draft_lists_every_problem_and_saves_nothing(client, policy, manager):
    client.force_login(manager)
    count = PolicyVersion.objects.count()
    response = client.post(reverse("policy:new"), {"source_yaml": INVALID})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    modality, dose = (INVALID[: INVALID.index(what)].count("\n") + 1 for what in ("modality: XX", "dose_class: huge"))
    assert f"Line {modality}: protocols[0].modality: must be one of XR, CT" in page
    assert f"Line {dose}: protocols[0].dose_class: must be one of none, standard, high" in page
    assert "The policy document has 2 problems." in page  # on the textarea
    assert "modality: XX" in page  # the submitted text is kept
    assert PolicyVersion.objects.count() == count


def test_an_uploaded_file_replaces_the_text(client, policy, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("next.yaml", NEXT.encode(), content_type="application/yaml")
    response = client.post(reverse("policy:new"), {"source_yaml": "", "upload": upload})
    assert response.status_code == 302
    assert PolicyVersion.objects.get(number=2).source_yaml == NEXT


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "title: caf\xe9".encode("latin-1"), "is not UTF-8 text"),
        ("big.yaml", b"#" * (1024 * 1024 + 1), "must be smaller than 1 MB"),
        ("policy.docx", b"title: x", "must be a YAML file"),
    ],
)
def test_unusable_uploads_are_refused(client, policy, manager, name, content, message):
    client.force_login(manager)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("policy:new"), {"source_yaml": "kept text", "upload": upload})
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "kept text" in page
    assert PolicyVersion.objects.count() == 1


def test_approving_supersedes_the_version_in_force(client, policy, draft, manager):
    client.force_login(manager)
    response = client.post(reverse("policy:approve", args=[draft.pk]), {"note": "Agreed at governance"}, follow=True)
    assert "Policy v2 approved and now in force. v1 is superseded." in response.content.decode()
    draft.refresh_from_db()
    policy.refresh_from_db()
    assert (draft.status, draft.approved_by, draft.approval_note) == ("approved", manager, "Agreed at governance")
    assert policy.status == "superseded" and policy.superseded_at is not None
    response = client.get(reverse("policy:edit", args=[policy.pk]), follow=True)
    assert "cannot be edited" in response.content.decode()


def test_approval_problems_are_shown_not_raised(client, policy, draft, manager):
    client.force_login(manager)
    response = client.post(reverse("policy:approve", args=[draft.pk]), {"note": ""})
    assert response.status_code == 400 and "Enter an approval note" in response.content.decode()
    stranger = NEXT.replace(
        "  - username: rps.lee",
        "  - username: nobody.here\n    name: No Account\n    roles: [radiographer]\n\n  - username: rps.lee",
    )
    services.update_draft(draft, source_yaml=stranger, by=manager, channel="system")
    response = client.post(reverse("policy:approve", args=[draft.pk]), {"note": "ok"})
    assert response.status_code == 409 and "nobody.here" in response.content.decode()
    response = client.post(reverse("policy:approve", args=[policy.pk]), {"note": "again"})
    assert response.status_code == 409 and "already approved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_export_downloads_the_yaml(client, policy, ap):
    client.force_login(ap)
    response = client.get(reverse("policy:export", args=[policy.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="northgate-imaging-policy-v1.yaml"'
    assert response.content.decode() == DEMO


def test_the_person_page_shows_conditions_and_revocation(client, ap, policy, manager):
    revoked = NEXT.replace(
        "review_date: 2026-10-31   # review overdue: these entitlements have lapsed",
        "review_date: 2026-10-31\n        revoked_on: 2026-10-01\n        revoked_reason: Repeat-rate audit",
    )
    draft = services.create_draft(policy.department, source_yaml=revoked, by=manager, channel="system")
    client.force_login(ap)
    page = client.get(reverse("policy:detail", args=[draft.pk])).content.decode()
    assert "not trauma" in page  # Priya Patel's conditions, in words
    assert "gp or outpatient referrals" in page  # Daniel Brown's MR knee
    assert "Revoked on 01 October 2026" in page and "Revoked from 01 Oct 2026: Repeat-rate audit" in page


def test_the_old_matrix_address_leads_to_the_one_matrix(client, ap, policy):
    """The matrix is one page with the grants and training (/people/matrix/); bookmarks of this one still work."""
    client.force_login(ap)
    response = client.get(reverse("policy:matrix"))
    assert (response.status_code, response["Location"]) == (301, reverse("competencies:matrix"))
    assert 'data-person="ap.patel" data-protocol="XCHES"' in client.get(response["Location"]).content.decode()
