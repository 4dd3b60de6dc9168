"""The DRL pages: national sets and their levels, local DRLs with their approval, the policy's protocols, and the
forms to propose, approve (by someone else), withdraw and link a protocol to a national DRL."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from inscope.dose.models import ProtocolDrlLink, ReferenceLevel
from inscope.dose.tests.audit_data import local_drl, national_set

pytestmark = pytest.mark.django_db


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_of(page: str, protocol: str, status: str) -> str:
    found = re.search(rf'<tr[^>]*data-protocol="{protocol}" data-status="{status}">.*?</tr>', page, re.S)
    assert found, f"no {status} row for {protocol}"
    return text_of(found.group(0))


PROPOSAL = {"protocol_code": "XFOOT", "quantity": "dap", "value": "0.05", "unit": "Gy·cm²", "room": "",
            "station_ae_title": "", "effective_from": "2026-12-01",
            "source": "Median of the local audit, 52 patients"}


@pytest.mark.parametrize(("persona", "allowed"), [
    ("mpe", True), ("rps", True), ("manager", True), ("radiographer", True), ("ap", False), ("stranger", False),
])
def test_who_may_see_the_drls(client, request, persona, allowed, policy):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("dose:drls")).status_code == (200 if allowed else 403)


def test_the_page_lists_national_sets_local_drls_and_the_policy_protocols(client, radiographer, policy, department,
                                                                          manager):
    drl_set, head = national_set()
    local_drl(department, "XCHES", dap_gy_cm2=0.15, by=manager)
    client.force_login(radiographer)

    page = client.get(reverse("dose:drls")).text

    words = text_of(page)
    assert f"{drl_set.name} Current" in words and "UKHSA, National Diagnostic Reference Levels (test copy)" in words
    assert "CT Head Acute stroke DLP per complete examination 790 mGy cm adult 2022" in words
    assert "Approved" in row_of(page, "XCHES", "approved") and "Mary Okafor" in row_of(page, "XCHES", "approved")
    assert "0.150 Gy·cm²" in row_of(page, "XCHES", "approved")
    protocols = re.search(r'<table[^>]*id="protocol-drls".*?</table>', page, re.S)
    assert protocols and "XHAND" in protocols.group(0) and "Northgate local DRL (example)" in protocols.group(0)
    # A radiographer reads; the forms are for physicists, supervisors and the manager.
    assert 'id="propose-drl"' not in page and "Approve the local DRL" not in page and 'id="link"' not in page


def test_a_proposal_is_approved_by_someone_else_never_by_its_proposer(client, policy, mpe, manager):
    client.force_login(mpe)

    proposed = client.post(reverse("dose:drl_propose"), PROPOSAL, follow=True)

    assert "Local DRL for XFOOT proposed (0.0500 Gy·cm²); it needs approval before it is used." in text_of(
        proposed.text)
    level = ReferenceLevel.objects.get(protocol_code="XFOOT")
    assert (level.status, level.proposed_by, level.value) == ("proposed", mpe, pytest.approx(5e-6))
    assert "Pooja Shah" in row_of(proposed.text, "XFOOT", "proposed")

    own = client.post(reverse("dose:drl_approve", args=[level.pk]))
    assert own.status_code == 403
    assert "someone other than its proposer must approve it" in text_of(own.text)
    assert ReferenceLevel.objects.get(pk=level.pk).status == "proposed"

    client.force_login(manager)
    approved = client.post(reverse("dose:drl_approve", args=[level.pk]), follow=True)

    assert "Local DRL for XFOOT approved (0.0500 Gy·cm²)." in text_of(approved.text)
    level.refresh_from_db()
    assert (level.status, level.approved_by) == ("approved", manager)
    assert "Mary Okafor" in row_of(approved.text, "XFOOT", "approved")


def test_a_bad_proposal_is_explained_next_to_its_field_and_kept(client, policy, mpe):
    client.force_login(mpe)

    page = client.post(reverse("dose:drl_propose"), {**PROPOSAL, "quantity": "dlp"})

    assert page.status_code == 400
    assert 'href="#propose-unit"' in page.text
    assert "Choose a unit for DLP per complete examination: mGy·cm." in page.text
    assert 'value="0.05"' in page.text and "Median of the local audit, 52 patients" in page.text
    assert not ReferenceLevel.objects.filter(protocol_code="XFOOT").exists()
    missing = client.post(reverse("dose:drl_propose"), {**PROPOSAL, "effective_from": ""})
    assert missing.status_code == 400 and "Enter the effective from date." in missing.text


@pytest.mark.parametrize(("persona", "form"), [("radiographer", "propose"), ("rps", "approve"),
                                               ("radiographer", "withdraw"), ("radiographer", "link")])
def test_refusals_by_role(client, request, persona, form, policy, department, manager):
    level = local_drl(department, "XCHES", dap_gy_cm2=0.15, by=manager, status="proposed")
    _, head = national_set()
    client.force_login(request.getfixturevalue(persona))
    url, data = {
        "propose": (reverse("dose:drl_propose"), PROPOSAL),
        "approve": (reverse("dose:drl_approve", args=[level.pk]), {}),
        "withdraw": (reverse("dose:drl_withdraw", args=[level.pk]), {"reason": "Superseded"}),
        "link": (reverse("dose:drl_link"), {"protocol_code": "CHEAD", "reference_level": head.pk}),
    }[form]

    assert client.post(url, data).status_code == 403
    level.refresh_from_db()
    assert level.status == "proposed" and not ProtocolDrlLink.objects.exists()
    assert ReferenceLevel.objects.filter(scope="local").count() == 1


def test_withdrawing_needs_a_reason(client, policy, department, manager, rps):
    level = local_drl(department, "XCHES", dap_gy_cm2=0.15, by=manager)
    client.force_login(rps)

    refused = client.post(reverse("dose:drl_withdraw", args=[level.pk]), {"reason": ""})
    done = client.post(reverse("dose:drl_withdraw", args=[level.pk]), {"reason": "New audit due"}, follow=True)

    assert refused.status_code == 400 and f'href="#withdraw-{level.pk}-reason"' in refused.text
    assert f'id="withdraw-{level.pk}" open' in refused.text  # the form is shown open, with its error
    assert "Local DRL for XCHES withdrawn." in text_of(done.text)
    assert ReferenceLevel.objects.get(pk=level.pk).status == "withdrawn"


def test_linking_a_protocol_to_a_national_drl(client, policy, mpe, department):
    _, head = national_set()
    client.force_login(mpe)

    wrong = client.post(reverse("dose:drl_link"), {"protocol_code": "XCHES", "reference_level": head.pk})
    done = client.post(reverse("dose:drl_link"), {"protocol_code": "CHEAD", "reference_level": head.pk}, follow=True)

    assert wrong.status_code == 400 and "XCHES is a XR protocol; this DRL is for CT." in text_of(wrong.text)
    assert "CHEAD is now compared with the national DRL Head (790 mGy·cm)." in text_of(done.text)
    link = ProtocolDrlLink.objects.get()
    assert (link.protocol_code, link.reference_level, link.created_by, link.department) == (
        "CHEAD", head, mpe, department)
    assert "CHEAD → Head (Acute stroke): 790 mGy·cm" in text_of(done.text)
