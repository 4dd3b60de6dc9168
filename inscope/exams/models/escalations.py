"""Escalations to a named supervising radiographer, and the in-app notifications that carry them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inscope.exams.models.examinations import Examination


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def unresolved(self):
        return self.exclude(status=Escalation.Status.RESOLVED)

    def for_supervisor(self, user):
        return self.filter(recipients=user)


class Escalation(models.Model):
    class Kind(models.TextChoices):
        SCOPE = "scope", "Outside scope or protocol"
        FINDING = "finding", "Urgent or unexpected finding"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        TAKEN_OVER = "taken_over", "Taken over by the radiographer"
        AUTHORISED = "authorised", "Authorised the AP to proceed"
        CANCELLED = "cancelled", "Declined and cancelled"
        FINDING_ACTIONED = "finding_actioned", "Finding acted on"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent"

    examination = models.ForeignKey(Examination, on_delete=models.PROTECT, related_name="escalations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reasons = models.JSONField()  # the Reason dicts that caused it
    note = models.CharField(max_length=500, blank=True)  # what the AP adds (never an interpretation)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="escalations_received")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    last_notified_at = models.DateTimeField()
    times_notified = models.PositiveIntegerField(default=1)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            # The supervisor's queue: everything not yet resolved, oldest first.
            models.Index(fields=["status", "raised_at"], name="exams_escalation_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["scope", "finding"]), name="exams_escalation_kind_valid"
            ),
            models.CheckConstraint(condition=models.Q(status__in=["open", "acknowledged", "resolved"]),
                                   name="exams_escalation_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="resolved")
                | (models.Q(resolved_by__isnull=False) & ~models.Q(resolution="")),
                name="exams_escalation_resolution_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.examination}"

    @property
    def reason_codes(self) -> list[str]:
        return [r["code"] for r in self.reasons]


class Notification(models.Model):
    """A message to one person in the app (and by e-mail), e.g. an escalation sent or sent again."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    escalation = models.ForeignKey(Escalation, null=True, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"
