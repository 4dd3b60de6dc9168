"""Every write to examinations, one function per change. Views, the API and commands call these."""

from inscope.exams.services.checklist import record_checklist
from inscope.exams.services.completion import ExposureInput, complete_examination, record_drl_comparison
from inscope.exams.services.escalations import (
    acknowledge_escalation,
    authorise_examination,
    cancel_from_escalation,
    escalate_examination,
    flag_finding,
    notify_overdue_escalations,
    record_finding_action,
    take_over_examination,
)
from inscope.exams.services.requests import RequestInput, create_request, justify_request
from inscope.exams.services.workflow import (
    cancel_examination,
    evaluate_examination,
    move_examination,
    start_examination,
)

__all__ = [
    "ExposureInput",
    "RequestInput",
    "acknowledge_escalation",
    "authorise_examination",
    "cancel_examination",
    "cancel_from_escalation",
    "complete_examination",
    "record_drl_comparison",
    "create_request",
    "escalate_examination",
    "evaluate_examination",
    "flag_finding",
    "justify_request",
    "move_examination",
    "notify_overdue_escalations",
    "record_checklist",
    "record_finding_action",
    "start_examination",
    "take_over_examination",
]
