"""Local DRLs: proposed by a physicist or supervisor, approved by a second person, replacing the previous one from
the new one's first day; and protocols linked to national DRLs."""

from __future__ import annotations

import datetime as dt

import pytest

from inscope.audit.models import AuditEvent
from inscope.dose.models import ProtocolDrlLink, ReferenceLevel
from inscope.dose.services import drls
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.testing import factories as f


def propose(department, by, *, value=0.15, unit="Gy·cm²", start=dt.date(2026, 1, 1), room=None, ae="",
            protocol="XCHES", quantity="dap") -> ReferenceLevel:
    return drls.propose_local_drl(department=department, protocol_code=protocol, quantity=quantity, value=value,
                                  unit=unit, room=room, station_ae_title=ae, effective_from=start,
                                  source="Local audit 2026, 52 patients", by=by)


@pytest.mark.django_db
def test_a_proposal_is_stored_in_the_stored_unit_and_audited(policy, department, mpe) -> None:
    level = propose(department, mpe, value=15, unit="cGy·cm²", ae="ngh_dx1")
    assert (level.status, level.scope, level.quantity, level.proposed_by) == ("proposed", "local", "dap", mpe)
    assert level.value == pytest.approx(0.15e-4) and level.value_as_published == "15 cGy·cm²"
    assert (level.modality, level.examination, level.station_ae_title) == ("XR", "XR Chest PA", "NGH_DX1")
    assert AuditEvent.objects.filter(action="dose.local_drl_proposed", object_id=str(level.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field"), [
    ({"protocol": "XNOPE"}, "protocol_code"),
    ({"protocol": "MKNEE"}, "protocol_code"),  # MRI: no radiation, no DRL
    ({"unit": "mGy·cm"}, "unit"),
    ({"quantity": "dlp", "unit": "Gy·cm²"}, "unit"),
    ({"value": 0}, "value"),
    ({"value": float("inf")}, "value"),
    ({"ae": "A_VERY_LONG_AE_TITLE"}, "station_ae_title"),
])
def test_a_bad_proposal_is_refused_naming_its_field(policy, department, mpe, changes, field) -> None:
    with pytest.raises(DomainError) as error:
        propose(department, mpe, **changes)
    assert error.value.field == field
    assert not ReferenceLevel.objects.exists()


@pytest.mark.django_db
def test_a_room_of_another_department_is_refused(policy, department, mpe) -> None:
    elsewhere = f.RoomFactory(site=f.SiteFactory(code="far", department=f.DepartmentFactory(name="Far Imaging")))
    with pytest.raises(DomainError, match="room in this department"):
        propose(department, mpe, room=elsewhere)


@pytest.mark.django_db
def test_without_a_policy_in_force_there_is_no_protocol_to_propose_for(department, mpe) -> None:
    with pytest.raises(DomainError, match="no policy in force"):
        propose(department, mpe)


@pytest.mark.django_db
def test_only_drl_roles_propose_and_approve(policy, department, mpe, radiographer, manager) -> None:
    with pytest.raises(NotAllowed):
        propose(department, radiographer)
    with pytest.raises(NotAllowed):
        propose(department, manager)  # the manager approves; the physicist or supervisor proposes
    level = propose(department, mpe)
    with pytest.raises(NotAllowed):
        drls.approve_local_drl(level, by=radiographer)


@pytest.mark.django_db
def test_the_proposer_cannot_approve_their_own_drl(policy, department, mpe) -> None:
    level = propose(department, mpe)
    with pytest.raises(NotAllowed, match="second person"):
        drls.approve_local_drl(level, by=mpe)


@pytest.mark.django_db
def test_approval_records_who_and_when_and_happens_once(policy, department, mpe, manager) -> None:
    level = drls.approve_local_drl(propose(department, mpe), by=manager)
    assert (level.status, level.approved_by) == ("approved", manager) and level.approved_at is not None
    assert AuditEvent.objects.filter(action="dose.local_drl_approved", actor=manager).count() == 1
    with pytest.raises(InvalidTransition, match="not awaiting approval"):
        drls.approve_local_drl(level, by=manager)


@pytest.mark.django_db
def test_a_new_drl_ends_the_previous_one_the_day_before_it_starts(policy, department, mpe, manager,
                                                                 xray_room) -> None:
    first = drls.approve_local_drl(propose(department, mpe, value=0.2), by=manager)
    in_room = drls.approve_local_drl(propose(department, mpe, value=0.25, room=xray_room), by=manager)
    second = drls.approve_local_drl(propose(department, mpe, value=0.15, start=dt.date(2026, 9, 1)), by=manager)
    first.refresh_from_db()
    in_room.refresh_from_db()
    assert first.effective_to == dt.date(2026, 8, 31) and first.status == "approved"
    assert second.effective_to is None and in_room.effective_to is None  # another room: not replaced


@pytest.mark.django_db
def test_a_new_drl_from_the_same_day_replaces_the_previous_one(policy, department, mpe, manager) -> None:
    first = drls.approve_local_drl(propose(department, mpe, value=0.2), by=manager)
    drls.approve_local_drl(propose(department, mpe, value=0.15), by=manager)
    first.refresh_from_db()
    assert first.status == "withdrawn"


@pytest.mark.django_db
def test_an_earlier_dated_drl_runs_until_the_later_one_starts(policy, department, mpe, manager) -> None:
    later = drls.approve_local_drl(propose(department, mpe, value=0.15, start=dt.date(2026, 9, 1)), by=manager)
    earlier = drls.approve_local_drl(propose(department, mpe, value=0.2, start=dt.date(2026, 1, 1)), by=manager)
    later.refresh_from_db()
    assert earlier.effective_to == dt.date(2026, 8, 31) and later.effective_to is None


@pytest.mark.django_db
def test_withdrawal_needs_a_reason_and_happens_once(policy, department, mpe, manager) -> None:
    level = propose(department, mpe)
    with pytest.raises(DomainError, match="reason"):
        drls.withdraw_local_drl(level, by=manager, reason=" ")
    level = drls.withdraw_local_drl(level, by=manager, reason="Wrong protocol")
    assert level.status == "withdrawn"
    assert AuditEvent.objects.get(action="dose.local_drl_withdrawn").detail["reason"] == "Wrong protocol"
    with pytest.raises(InvalidTransition, match="already withdrawn"):
        drls.withdraw_local_drl(level, by=mpe, reason="again")


@pytest.mark.django_db
def test_linking_a_protocol_to_a_national_drl(policy, department, mpe, radiographer) -> None:
    head = drls.load_national_drls().levels.get(examination="Head", quantity="dlp")
    with pytest.raises(NotAllowed):
        drls.link_protocol_to_national(department=department, protocol_code="CHEAD", reference_level=head,
                                       by=radiographer)
    link = drls.link_protocol_to_national(department=department, protocol_code="CHEAD", reference_level=head, by=mpe)
    again = drls.link_protocol_to_national(department=department, protocol_code="CHEAD", reference_level=head, by=mpe)
    assert again == link and ProtocolDrlLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="dose.protocol_linked_to_national_drl").count() == 1


@pytest.mark.django_db
def test_a_national_drl_of_another_modality_or_a_local_one_cannot_be_linked(policy, department, mpe,
                                                                           manager) -> None:
    head = drls.load_national_drls().levels.get(examination="Head", quantity="dlp")
    with pytest.raises(DomainError, match="XCHES is a XR protocol; this DRL is for CT"):
        drls.link_protocol_to_national(department=department, protocol_code="XCHES", reference_level=head, by=mpe)
    local = propose(department, mpe)
    with pytest.raises(DomainError, match="Choose a national DRL"):
        drls.link_protocol_to_national(department=department, protocol_code="XCHES", reference_level=local, by=mpe)
