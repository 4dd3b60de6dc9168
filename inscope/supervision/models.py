"""Duty sessions: which registered professional supervises whom, where, when, and how closely."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inscope.department.models import Room, Site


class DutySessionQuerySet(models.QuerySet["DutySession"]):
    def on_duty(self, at):
        return self.filter(starts_at__lte=at, ends_at__gt=at)

    def covering(self, *, site: Site, room: Room | None, supervisee, at):
        """Sessions that supervise this person in this place at this time."""
        sessions = self.on_duty(at).filter(site=site)
        if room is not None:
            sessions = sessions.filter(models.Q(room__isnull=True) | models.Q(room=room))
        return sessions.filter(models.Q(supervisees__isnull=True) | models.Q(supervisees=supervisee)).distinct()


class DutySession(models.Model):
    class Mode(models.TextChoices):
        DIRECT = "direct", "Direct (in the room)"
        INDIRECT = "indirect", "Indirect (immediately available)"

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_sessions")
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty: the whole site")
    supervisees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_sessions", help_text="Empty: every AP there"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.INDIRECT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DutySessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            # Who is on duty at a site now: escalation routing and the start check.
            models.Index(fields=["site", "starts_at", "ends_at"], name="supervision_duty_site_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="supervision_duty_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=["direct", "indirect"]), name="supervision_duty_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervising at {self.room or self.site} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
