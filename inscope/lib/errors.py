"""The domain's errors. The web UI and the API each map them to a response in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the department's rules refuse; the message is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail


class InvalidTransition(DomainError):
    pass


class NotAllowed(DomainError):
    """The person may not take this action on this record (e.g. resolving their own escalation)."""


class PolicyNotInForce(DomainError):
    pass


class OutsideScope(DomainError):
    """The decision engine refused; the Decision carries the reasons to show."""

    def __init__(self, decision: Any) -> None:
        super().__init__("; ".join(r.message for r in decision.reasons) or "Not allowed.", detail=decision)
        self.decision = decision
