"""A manager's grant can be narrower than the protocol, with the same structured conditions as the policy document
(read by the policy's own reader): the engine applies them, bad ones are refused naming the condition and nothing
is saved, revocation keeps them, and the audit trail, the portfolio and the entitlement record show them."""

import csv
import datetime as dt
import io
from dataclasses import replace

import pytest
from django.db import DatabaseError, connection, transaction

from inscope.audit.models import AuditEvent
from inscope.competencies import services
from inscope.competencies.models import Grant
from inscope.competencies.queries import grant_facts, with_competence
from inscope.lib.errors import DomainError
from inscope.policy.services import document_for
from inscope.rules.evaluate import decide
from inscope.rules.facts import (
    Case,
    Conditions,
    Identity,
    Justification,
    Laterality,
    Mobility,
    Patient,
    PatientGroup,
    PatientLimits,
    Request,
    Setting,
    SupervisionContext,
)

pytestmark = pytest.mark.django_db

REVIEW = dt.date(2027, 11, 28)
TODAY = dt.date(2026, 11, 28)
FORM = {"protocol_code": "XFOOT", "review_date[day]": "28", "review_date[month]": "11", "review_date[year]": "2027"}


def grant(ap, manager, department, conditions):
    return services.grant_entitlement(ap, "XFOOT", review_date=REVIEW, by=manager, channel="web",
                                      department=department, conditions=conditions)


def codes_for(policy, ap, patient, request):
    """The reason codes decide() gives for Priya Patel's XR Foot, with her grants as the app reads them."""
    document = document_for(policy)
    operator = with_competence(document.operator("ap.patel", ap.all_roles()), ap)
    case = Case(operator, request, patient, SupervisionContext(("r.hughes",)), TODAY)
    return {r.code for r in decide(case, document.to_policy(policy.label)).reasons}


def patient(age: int = 40, trauma: bool | None = False) -> Patient:
    """A patient XR Foot is otherwise fine for: identified, co-operative, with capacity, walking in."""
    return Patient(age=age, trauma=trauma, identity=Identity.CONFIRMED, cooperative=True, has_capacity=True,
                   mobility=Mobility.INDEPENDENT)


FOOT = Request("XFOOT", Justification.JUSTIFIED)


@pytest.mark.parametrize(
    ("conditions", "patient_", "request_", "code"),
    [
        ({"min_age": 18}, patient(age=17), FOOT, "entitlement-condition-not-met"),
        ({"min_age": 18}, patient(), FOOT, None),
        ({"exclude": ["trauma"]}, patient(trauma=True), FOOT, "entitlement-condition-not-met"),
        ({"exclude": ["trauma"]}, patient(trauma=None), FOOT, "entitlement-condition-unknown"),
        ({"laterality": ["left", "right"]}, patient(), replace(FOOT, laterality=Laterality.BILATERAL),
         "entitlement-condition-not-met"),
        ({"laterality": ["left", "right"]}, patient(), replace(FOOT, laterality=Laterality.LEFT), None),
        ({"settings": ["gp", "outpatient"]}, patient(), replace(FOOT, setting=Setting.EMERGENCY),
         "entitlement-condition-not-met"),
        ({"supervision": "direct"}, patient(), FOOT, "entitlement-condition-not-met"),
    ],
)
def test_the_engine_applies_a_grants_conditions(policy, ap, manager, department, signed_lower_limb, conditions,
                                                patient_, request_, code):
    grant(ap, manager, department, conditions)

    codes = codes_for(policy, ap, patient_, request_)

    assert "no-entitlement" not in codes
    if code is None:
        assert not {c for c in codes if c.startswith("entitlement")}, codes
    else:
        assert code in codes


def test_conditions_are_stored_as_the_policy_writes_them_and_read_back_as_facts(ap, manager, department,
                                                                                 signed_lower_limb, policy):
    made = grant(ap, manager, department, {"exclude": ["trauma", "pregnant"], "max_age": 80, "min_age": 18,
                                           "mobility": ["wheelchair", "independent"]})

    assert made.conditions == {"min_age": 18, "max_age": 80, "exclude": ["pregnant", "trauma"],
                               "mobility": ["independent", "wheelchair"]}
    assert grant_facts(ap)[0].conditions == Conditions(patients=PatientLimits(
        min_age=18, max_age=80, excluded_groups=frozenset({PatientGroup.TRAUMA, PatientGroup.PREGNANT}),
        mobility=frozenset({Mobility.INDEPENDENT, Mobility.WHEELCHAIR})))
    event = AuditEvent.objects.get(action="entitlement.granted")
    assert event.detail["conditions"] == made.conditions
    assert event.summary.endswith("aged 18 to 80; not pregnant, trauma; independent or wheelchair patients")


@pytest.mark.parametrize(
    ("conditions", "field", "message"),
    [
        ({"min_age": 30, "max_age": 18}, "min_age", "Youngest age: min_age 30 is greater than max_age 18."),
        ({"exclude": ["smokers"]}, "exclude", "Patients excluded: must be one of pregnant, trauma"),
        ({"mobility": ["bed"], "exclude": ["reduced_mobility"]}, "exclude", "contradicts mobility"),
        ({"settings": ["ward"]}, "settings", "Referral settings: must be one of gp, outpatient"),
        ({"supervision": "indirect"}, "supervision", "Supervision: must be one of direct"),
        ({"body_regions": ["knee"]}, "body_regions", "XFOOT is a foot examination"),
        ({"body_regions": ["brain"]}, "body_regions", "no XR protocol has body region 'brain'"),
        ({"nonsense": 1}, "conditions", "unknown key 'nonsense'"),
        ({}, "conditions", "is empty"),
    ],
)
def test_bad_conditions_are_refused_naming_the_condition_and_nothing_is_saved(ap, manager, department,
                                                                              signed_lower_limb, policy, conditions,
                                                                              field, message):
    with pytest.raises(DomainError, match=message.replace("(", r"\(")) as error:
        grant(ap, manager, department, conditions)

    assert error.value.field == field
    assert not Grant.objects.exists()
    assert not AuditEvent.objects.filter(action="entitlement.granted").exists()


def test_revocation_keeps_the_conditions_of_the_grant_it_revokes(ap, manager, department, signed_lower_limb,
                                                                 policy):
    made = grant(ap, manager, department, {"settings": ["gp"]})

    revocation = services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="Audit of repeats")

    assert revocation.conditions == made.conditions == {"settings": ["gp"]}
    event = AuditEvent.objects.get(action="entitlement.revoked")
    assert (event.detail["conditions"], event.detail["revokes"]) == ({"settings": ["gp"]}, made.pk)


def test_stored_conditions_that_no_longer_read_never_cover_a_case(ap, manager, department, signed_lower_limb,
                                                                  policy):
    Grant.objects.create(person=ap, protocol_code="XFOOT", tasks=["operator"], granted_by=manager, granted_on=TODAY,
                         review_date=REVIEW, conditions={"exclude": ["a group since removed"]})

    codes = codes_for(policy, ap, patient(), FOOT)

    assert "entitlement-conditions-unstructured" in codes


def test_a_grant_row_stays_append_only(ap, manager, department, signed_lower_limb, policy, append_only_enforced):
    made = grant(ap, manager, department, {"min_age": 18})

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE competencies_grant SET conditions = '{}' WHERE id = %s", [made.pk])


# --- Through the web ------------------------------------------------------------------------------------------------


def test_the_manager_entitles_with_conditions_from_the_form(client, ap, manager, signed_lower_limb, policy):
    client.force_login(manager)
    form = client.get("/people/ap.patel/").text
    assert 'id="entitle-exclude" name="exclude" type="checkbox" value="pregnant"' in form
    assert 'name="settings" type="checkbox" value="emergency"' in form

    done = client.post("/people/ap.patel/entitle/", {**FORM, "min_age": "18", "exclude": ["trauma"],
                                                     "laterality": ["left", "right"], "supervision": "direct"},
                       follow=True)

    assert ("Priya Patel is entitled as operator for XFOOT until 28 November 2027, with conditions: aged 18 and "
            "over; not trauma; left or right; under direct supervision.") in done.text
    assert Grant.objects.get().conditions == {"min_age": 18, "exclude": ["trauma"], "laterality": ["left", "right"],
                                              "supervision": "direct"}
    row = done.text.split('data-protocol="XFOOT"')[1].split("</tr>")[0]
    assert "aged 18 and over; not trauma; left or right; under direct supervision" in row


@pytest.mark.parametrize(
    ("post", "href", "message"),
    [
        ({"min_age": "eighteen"}, "#entitle-min_age", "Youngest age must be a whole number of years, like 18."),
        ({"min_age": "65", "max_age": "18"}, "#entitle-min_age", "min_age 65 is greater than max_age 18"),
        ({"mobility": ["trolley"], "exclude": ["reduced_mobility"]}, "#entitle-exclude", "contradicts mobility"),
        ({"settings": ["hospice"]}, "#entitle-settings", "must be one of gp, outpatient, inpatient, emergency"),
    ],
)
def test_bad_conditions_on_the_form_are_shown_on_their_field(client, ap, manager, signed_lower_limb, policy, post,
                                                             href, message):
    client.force_login(manager)

    page = client.post("/people/ap.patel/entitle/", {**FORM, **post})

    assert page.status_code == 400
    assert f'href="{href}"' in page.text and message in page.text
    assert f'id="{href[1:]}-error"' in page.text  # the message on the field itself
    assert not Grant.objects.exists()
    for value in post.get("exclude", []) + post.get("mobility", []):
        assert f'value="{value}" checked' in page.text  # what was ticked comes back


def test_the_entitlement_record_shows_conditions_and_revocation(client, ap, manager, department, signed_lower_limb,
                                                                policy):
    grant(ap, manager, department, {"min_age": 18, "exclude": ["trauma"]})
    services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="Audit of repeats")
    client.force_login(manager)

    rows = list(csv.DictReader(io.StringIO(client.get("/people/entitlement-record.csv").content.decode())))

    grants = [r for r in rows if r["source"] == "grant"]
    assert [(r["conditions"], r["revoked"], r["revoked_on"], r["reason"]) for r in grants] == [
        ("aged 18 and over; not trauma", "no", "", ""),
        ("aged 18 and over; not trauma", "yes", "2026-11-28", "Audit of repeats")]
    brown = [r for r in rows if r["source"] == "policy v1" and r["username"] == "ap.brown"]
    assert [(r["protocols"], r["conditions"], r["revoked"]) for r in brown] == [
        ("XCHES", "", "no"), ("XANKL XFOOT XHAND XKNEE XWRIS", "", "no"), ("MKNEE", "gp or outpatient referrals", "no")]
    assert brown[2]["evidence"] == "MR safety level 2 training, competency record CR-2026-040"
    portfolio = client.get("/people/ap.patel/").text
    history = portfolio.split('id="grant-history"')[1].split("</table>")[0]
    assert history.count("Conditions: aged 18 and over; not trauma") == 2
    assert "Conditions: not trauma" in portfolio  # her policy entitlement
