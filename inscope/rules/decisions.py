"""Decision and Reason: what every rule returns, so a decision always explains itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Bump when a rule's behaviour changes; every examination records the ruleset it was decided under.
RULESET_VERSION = "2026.12.1"


class Outcome(StrEnum):
    PROCEED = "proceed"
    ESCALATE = "escalate"
    STOP = "stop"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"


@dataclass(frozen=True)
class Reason:
    """One reason a case cannot simply proceed."""

    code: str
    outcome: Outcome
    message: str
    escalate_to: str | None = None  # role that must act
    urgency: Urgency = Urgency.ROUTINE

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "outcome": self.outcome.value,
            "message": self.message,
            "escalate_to": self.escalate_to,
            "urgency": self.urgency.value,
        }


_SEVERITY = {Outcome.PROCEED: 0, Outcome.ESCALATE: 1, Outcome.STOP: 2}


@dataclass(frozen=True)
class Decision:
    """The answer to "may this operator perform this protocol on this patient now?"."""

    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    required_checks: tuple[str, ...] = ()
    escalate_to: str | None = None
    urgency: Urgency = Urgency.ROUTINE
    policy_version: str = ""
    ruleset: str = RULESET_VERSION
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_reasons(
        cls,
        reasons: list[Reason],
        *,
        required_checks: tuple[str, ...],
        policy_version: str,
        notes: tuple[str, ...] = (),
    ) -> Decision:
        """Combine reasons: the most severe outcome wins, and any urgent reason makes it urgent."""
        if not reasons:
            return cls(
                Outcome.PROCEED,
                required_checks=required_checks,
                policy_version=policy_version,
                notes=notes,
            )
        worst = max(reasons, key=lambda r: _SEVERITY[r.outcome])
        urgent = any(r.urgency is Urgency.URGENT for r in reasons)
        named = [r.escalate_to for r in reasons if r.outcome is worst.outcome and r.escalate_to]
        # The supervising radiographer answers for the AP, so leads whenever a worst reason names them; the others
        # named (a practitioner, MR-authorised staff) are told too, from each reason's own escalate_to.
        escalate_to = "radiographer" if "radiographer" in named else next(iter(named), None)
        return cls(
            worst.outcome,
            tuple(reasons),
            required_checks,
            escalate_to,
            Urgency.URGENT if urgent else Urgency.ROUTINE,
            policy_version,
            notes=notes,
        )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Everyone a reason names (radiographer, practitioner, MR-authorised staff...), in the reasons' order."""
        return tuple(dict.fromkeys(r.escalate_to for r in self.reasons if r.escalate_to))

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "reason_codes": list(self.codes),
            "messages": [r.message for r in self.reasons],
            "reasons": [r.as_dict() for r in self.reasons],
            "escalate_to": self.escalate_to,
            "urgency": self.urgency.value,
            "required_checks": list(self.required_checks),
            "notes": list(self.notes),
            "policy_version": self.policy_version,
            "ruleset": self.ruleset,
        }
