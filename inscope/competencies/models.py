"""Competency-based development: frameworks of competencies, the evidence for them, assessors' sign-offs,
managers' entitlement grants that follow from them, mandatory training and CPD.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from inscope.audit.models import AppendOnlyModel


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def latest_versions(self) -> list[Framework]:
        """Return the newest version of each framework: the ones in use."""
        newest: dict[str, Framework] = {}
        for framework in self.order_by("name", "-version"):
            newest.setdefault(framework.name, framework)
        return list(newest.values())


class Framework(models.Model):
    """A versioned set of competencies for one role, e.g. "AP general radiography" v2."""

    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    roles = models.JSONField()  # the rules.facts.Role values it is for, e.g. trainee and qualified APs
    source_yaml = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="competencies_framework_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Competency(models.Model):
    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        PRACTICAL = "practical", "Practical"

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="competencies")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    area = models.CharField(max_length=120, blank=True)  # the Level 5 knowledge area, for knowledge competencies
    protocols = models.JSONField(default=list, blank=True)  # protocol codes a practical competency covers
    observations_required = models.PositiveIntegerField(default=0)
    reassess_months = models.PositiveIntegerField(null=True, blank=True)
    assessor_roles = models.JSONField(default=list)  # roles allowed to assess, besides holders of the competency

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competencies_competency_unique_code"),
            models.CheckConstraint(condition=models.Q(kind__in=["knowledge", "practical"]),
                                   name="competencies_competency_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Evidence(AppendOnlyModel):
    class Kind(models.TextChoices):
        OBSERVED = "observed", "Observed practice"
        ASSESSMENT = "assessment", "Assessment"
        ELEARNING = "elearning", "E-learning"
        CERTIFICATE = "certificate", "Course certificate"
        QUALIFICATION = "qualification", "Qualification"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    occurred_on = models.DateField()
    description = models.CharField(max_length=300)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # as uploaded, for display
    accession_number = models.CharField(max_length=16, blank=True)  # the examination observed, if any
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]


class SignOff(AppendOnlyModel):
    """An assessor's sign-off. Revocation is a later row, so the history of both stays."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="sign_offs")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)  # why it was revoked, or a note on the sign-off
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-id"]


class Grant(AppendOnlyModel):
    """A manager's entitlement of a person as IR(ME)R operator for a protocol; revocation is a later row."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants")
    protocol_code = models.CharField(max_length=12)
    tasks = models.JSONField(default=list)
    # Narrower than the protocol (e.g. {"min_age": 18, "exclude": ["trauma"]}), in the policy document's shape
    # (inscope.policy.limits); empty for none. A revocation keeps the conditions of the grant it revokes.
    conditions = models.JSONField(default=dict, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_on = models.DateField()
    review_date = models.DateField()
    revoked = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]


class TrainingRecord(AppendOnlyModel):
    class Course(models.TextChoices):
        RADIATION_SAFETY = "radiation_safety", "Radiation safety"
        MRI_SAFETY = "mri_safety", "MRI safety"
        MANUAL_HANDLING = "manual_handling", "Manual handling"
        INFECTION_CONTROL = "infection_control", "Infection prevention and control"
        BASIC_LIFE_SUPPORT = "basic_life_support", "Basic life support"
        LEVEL5 = "level5", "Level 5 qualification module"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training")
    course = models.CharField(max_length=20, choices=Course.choices)
    completed_on = models.DateField()
    renew_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-completed_on"]

    def is_current(self, on: dt.date) -> bool:
        return self.renew_on is None or on <= self.renew_on


class CpdEntry(AppendOnlyModel):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cpd")
    occurred_on = models.DateField()
    title = models.CharField(max_length=200)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    reflection = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
