"""The append-only audit trail: every change to clinical records and policy, and every read of a patient record.

Rows are only ever inserted. The model refuses updates and deletes, and database triggers (see the
migration) refuse them too, so no admin, shell or SQL path can rewrite history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyModel(models.Model):
    """A model whose rows, once written, are never changed or removed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class AuditEvent(AppendOnlyModel):
    class Channel(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        CLI = "cli", "Command line"
        SYSTEM = "system", "System"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150)  # kept even if the account is later renamed
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(max_length=60)  # e.g. "examination.started", "patient.viewed"
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=40, blank=True)
    ruleset = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The history panel of one record.
            models.Index(fields=["object_type", "object_id", "at"], name="audit_event_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["web", "api", "cli", "system"]), name="audit_event_channel_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
