"""Writing and approving versions of the local policy document, and reading the one in force."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from inscope.audit.services import record
from inscope.department.models import Department
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.policy.document import PolicyDocument, PolicyDocumentError, parse_policy
from inscope.policy.models import PolicyVersion
from inscope.staff.models import User
from inscope.staff.permissions import Action, can


class InvalidPolicy(DomainError):
    def __init__(self, error: PolicyDocumentError) -> None:
        count = len(error.problems)
        super().__init__(f"The policy document has {count} problem{'s' if count != 1 else ''}.", detail=error.problems)
        self.problems = error.problems


def in_force(department: Department) -> PolicyVersion | None:
    """Return the approved policy version in force for the department, if there is one."""
    return PolicyVersion.objects.filter(department=department, status=PolicyVersion.Status.APPROVED).first()


_parsed: dict[tuple[int, str], PolicyDocument] = {}


def document_for(version: PolicyVersion) -> PolicyDocument:
    """Return the parsed document of a version; approved ones are kept, since they never change."""
    if version.status == PolicyVersion.Status.DRAFT:
        return PolicyDocument.from_json(version.document)
    # Keyed on the text too, so a reused primary key (a restored or test database) can never serve another text.
    key = (version.pk, version.source_yaml)
    if key not in _parsed:
        if len(_parsed) >= 64:
            _parsed.clear()
        _parsed[key] = PolicyDocument.from_json(version.document)
    return _parsed[key]


def _parse(source_yaml: str) -> PolicyDocument:
    try:
        return parse_policy(source_yaml)
    except PolicyDocumentError as error:
        raise InvalidPolicy(error) from None


@transaction.atomic
def create_draft(department: Department, *, source_yaml: str, by: User, channel: str) -> PolicyVersion:
    """Save a new draft version after validating the whole document."""
    if not can(by, Action.EDIT_POLICY):
        raise NotAllowed("Only a manager can write the local policy.")
    document = _parse(source_yaml)
    # Lock the department row so two managers saving drafts at once cannot take the same number.
    Department.objects.select_for_update().get(pk=department.pk)
    number = (PolicyVersion.objects.filter(department=department).aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion.objects.create(
        department=department, number=number, source_yaml=source_yaml, document=document.as_json(), created_by=by
    )
    record("policy.draft_created", version, by=by, channel=channel, summary=f"Draft policy v{number} created")
    return version


@transaction.atomic
def update_draft(version: PolicyVersion, *, source_yaml: str, by: User, channel: str) -> PolicyVersion:
    """Replace a draft's text; approved and superseded versions are never edited."""
    if not can(by, Action.EDIT_POLICY):
        raise NotAllowed("Only a manager can write the local policy.")
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PolicyVersion.Status.DRAFT:
        raise InvalidTransition(f"Policy {version.label} is {version.get_status_display().lower()}; start a new draft.")
    document = _parse(source_yaml)
    version.source_yaml = source_yaml
    version.document = document.as_json()
    version.save(update_fields=["source_yaml", "document"])
    record("policy.draft_updated", version, by=by, channel=channel, summary=f"Draft policy {version.label} edited")
    return version


def _unknown_people(document: PolicyDocument, department: Department) -> list[str]:
    known = set(User.objects.filter(username__in=document.people).values_list("username", flat=True))
    return sorted(set(document.people) - known)


@transaction.atomic
def approve_policy(version: PolicyVersion, *, by: User, note: str, channel: str) -> PolicyVersion:
    """Approve a draft, putting it in force and superseding the version it replaces."""
    if not can(by, Action.APPROVE_POLICY):
        raise NotAllowed("Only a manager can approve the local policy.")
    Department.objects.select_for_update().get(pk=version.department_id)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PolicyVersion.Status.DRAFT:
        raise InvalidTransition(f"Policy {version.label} is already {version.get_status_display().lower()}.")
    document = document_for(version)
    unknown = _unknown_people(document, version.department)
    if unknown:
        raise DomainError(f"The policy names people who have no account: {', '.join(unknown)}.", field="people")
    own = document.people.get(by.username)
    if own is not None and any(e.entitled_by == by.username for e in own.entitlements):
        raise NotAllowed("You cannot approve a policy in which you entitle yourself.")
    now = timezone.now()
    previous = in_force(version.department)
    if previous is not None:
        previous.status = PolicyVersion.Status.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
        record("policy.superseded", previous, by=by, channel=channel, summary=f"Superseded by {version.label}",
               policy_version=previous.label)
    version.status = PolicyVersion.Status.APPROVED
    version.approved_by = by
    version.approved_at = now
    version.approval_note = note
    version.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    record("policy.approved", version, by=by, channel=channel, summary=f"Policy {version.label} approved: {note}",
           policy_version=version.label)
    return version
