"""Recording to the audit trail. Every service that changes a clinical record or the policy calls record()."""

from __future__ import annotations

from typing import Any

from inscope.audit.models import AuditEvent


def record(
    action: str,
    obj: Any,
    *,
    by: Any,
    channel: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    policy_version: str = "",
    ruleset: str = "",
) -> AuditEvent:
    """Append one event to the audit trail for ``obj`` (a model instance)."""
    return AuditEvent.objects.create(
        actor=by if getattr(by, "pk", None) else None,
        actor_label=getattr(by, "username", "") or "system",
        channel=channel,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        detail=detail or {},
        policy_version=policy_version,
        ruleset=ruleset,
    )


def history_for(obj: Any):
    """Return the audit events for one record, oldest first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("at", "id")
