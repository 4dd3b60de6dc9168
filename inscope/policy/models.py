"""Versions of the department's local policy document: draft → approved (by a named manager) → superseded."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inscope.department.models import Department


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="policy_versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    source_yaml = models.TextField()
    document = models.JSONField()  # the parsed document, as PolicyDocument.as_json()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(max_length=300, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["department", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="policy_version_unique_number"),
            # Only one approved version is in force per department.
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(status="approved"), name="policy_version_one_in_force"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "approved", "superseded"]), name="policy_version_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="policy_version_approval_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} policy {self.label} ({self.get_status_display()})"

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def title(self) -> str:
        return str(self.document.get("title", ""))
