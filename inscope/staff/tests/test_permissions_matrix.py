"""The role × action matrix, allowed and refused, checked against every role and every action.

Each row states which roles may take an action; the test checks every role against it, so a refusal and an
allowance share their set-up and cannot pass for the wrong reason.
"""

import pytest

from inscope.rules.facts import Role
from inscope.staff.permissions import Action, can
from inscope.testing import factories as f

R = Role
EXPECTED = {
    Action.VIEW_WORKLIST: set(Role) - {R.ADMINISTRATOR},
    Action.VIEW_PATIENT: set(Role) - {R.ADMINISTRATOR},
    Action.CREATE_REQUEST: {R.RADIOGRAPHER, R.RADIOLOGIST, R.MANAGER, R.ADMINISTRATOR},
    Action.JUSTIFY_REQUEST: {R.RADIOLOGIST, R.RADIOGRAPHER},
    Action.PERFORM_EXAMINATION: {R.TRAINEE_AP, R.AP, R.RADIOGRAPHER, R.SONOGRAPHER, R.NM_TECHNOLOGIST, R.RADIOLOGIST},
    Action.RESOLVE_ESCALATION: {R.RADIOGRAPHER, R.SONOGRAPHER, R.NM_TECHNOLOGIST},
    Action.SUPERVISE: {R.RADIOGRAPHER, R.SONOGRAPHER, R.NM_TECHNOLOGIST, R.REGISTERED_NURSE},
    Action.MANAGE_DUTY: {R.MANAGER},
    Action.EDIT_POLICY: {R.MANAGER},
    Action.APPROVE_POLICY: {R.MANAGER},
    Action.VIEW_POLICY: set(Role),
    Action.VIEW_AUDIT: {R.MANAGER, R.RPS, R.MPE, R.ADMINISTRATOR},
    Action.VIEW_DOSE_AUDIT: {R.RADIOGRAPHER, R.MANAGER, R.RPS, R.MPE, R.RADIOLOGIST},
    Action.PROPOSE_DRL: {R.MPE, R.RPS},
    Action.APPROVE_DRL: {R.MPE, R.MANAGER},
    Action.REVIEW_SAUE: {R.RPS, R.MPE},
    Action.MANAGE_INTERFACES: {R.ADMINISTRATOR, R.MPE, R.RPS},
    Action.VIEW_EQUIPMENT: set(Role) - {R.ADMINISTRATOR},
    Action.MANAGE_EQUIPMENT: {R.MANAGER, R.RPS, R.MPE},
    Action.REPORT_FAULT: set(Role) - {R.ADMINISTRATOR},
    Action.RETURN_TO_SERVICE: {R.RADIOGRAPHER, R.MPE, R.MANAGER},
}


def test_every_action_has_a_row():
    assert set(EXPECTED) == set(Action)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_role_may_or_may_not_take_action(role, action, site):
    person = f.person(f"someone.{role.value}", role.value)

    assert can(person, action, site) is (role in EXPECTED[action])


@pytest.mark.django_db
def test_a_role_held_at_one_site_does_not_apply_at_another(site, department):
    other = f.SiteFactory.create(department=department, name="Southview Community Hospital", code="svh")
    ap = f.person("ap.local", "assistant_practitioner", site=other)

    assert can(ap, Action.PERFORM_EXAMINATION, other)
    assert not can(ap, Action.PERFORM_EXAMINATION, site)


@pytest.mark.django_db
def test_an_inactive_account_can_do_nothing(site):
    manager = f.person("m.gone", "manager")
    manager.is_active = False

    assert not any(can(manager, action, site) for action in Action)
