"""Importing a competency framework version from YAML."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from inscope.audit.services import record
from inscope.competencies.framework_document import FrameworkError, parse_framework
from inscope.competencies.models import Competency, Framework
from inscope.lib.errors import DomainError, NotAllowed
from inscope.staff.models import User
from inscope.staff.permissions import Action, can


class InvalidFramework(DomainError):
    def __init__(self, error: FrameworkError) -> None:
        super().__init__(f"The framework has {len(error.problems)} problem(s).", detail=error.problems)
        self.problems = error.problems


@transaction.atomic
def import_framework(text: str, *, by: User, channel: str) -> Framework:
    """Add a new version of a framework; versions only go up, and an earlier version is never changed."""
    if not can(by, Action.EDIT_POLICY):
        raise NotAllowed("Only a manager can import competency frameworks.")
    try:
        document = parse_framework(text)
    except FrameworkError as error:
        raise InvalidFramework(error) from None
    latest = Framework.objects.select_for_update().filter(name=document.name).aggregate(v=Max("version"))["v"] or 0
    if document.version <= latest:
        raise DomainError(f"{document.name} is already at version {latest}; give the new one version {latest + 1}.",
                          field="version")
    framework = Framework.objects.create(name=document.name, version=document.version, roles=list(document.roles),
                                         source_yaml=text, created_by=by)
    Competency.objects.bulk_create(
        Competency(framework=framework, code=c.code, title=c.title, kind=c.kind, area=c.area,
                   protocols=list(c.protocols), observations_required=c.observations_required,
                   reassess_months=c.reassess_months, assessor_roles=list(c.assessor_roles))
        for c in document.competencies
    )
    record("framework.imported", framework, by=by, channel=channel,
           summary=f"{framework} imported with {len(document.competencies)} competencies")
    return framework
