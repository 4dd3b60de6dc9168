"""Patients, examination requests, the pre-examination checklist, exposures and the examination's history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from inscope.audit.models import AppendOnlyModel
from inscope.department.models import Department, Room, Site
from inscope.lib.uids import new_uid
from inscope.policy.models import PolicyVersion
from inscope.rules import exam_workflow, facts


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not known"

    nhs_number = models.CharField(max_length=10, unique=True)
    family_name = models.CharField(max_length=80)
    given_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=8, choices=Sex.choices)
    address = models.CharField(max_length=250)
    postcode = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex__in=["female", "male", "other", "unknown"]), name="exams_patient_sex_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ExaminationQuerySet(models.QuerySet["Examination"]):
    def on_day(self, day: dt.date):
        # A range on scheduled_at, not __date, so the (site, scheduled_at) index serves the worklist.
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(scheduled_at__gte=start, scheduled_at__lt=start + dt.timedelta(days=1))

    def open(self):
        return self.exclude(status__in=[Examination.Status.COMPLETED, Examination.Status.CANCELLED,
                                        Examination.Status.DISCONTINUED])


class Examination(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = exam_workflow.SCHEDULED, "Scheduled"
        ESCALATED = exam_workflow.ESCALATED, "Escalated"
        AUTHORISED = exam_workflow.AUTHORISED, "Authorised to proceed"
        IN_PROGRESS = exam_workflow.IN_PROGRESS, "In progress"
        COMPLETED = exam_workflow.COMPLETED, "Completed"
        DISCONTINUED = exam_workflow.DISCONTINUED, "Discontinued"
        CANCELLED = exam_workflow.CANCELLED, "Cancelled"

    class Priority(models.TextChoices):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent"
        EMERGENCY = "emergency", "Emergency"

    class Justification(models.TextChoices):
        PENDING = facts.Justification.PENDING.value, "Awaiting justification"
        JUSTIFIED = facts.Justification.JUSTIFIED.value, "Justified by a practitioner"
        AUTHORISED = facts.Justification.AUTHORISED.value, "Authorised under guidelines"
        DECLINED = facts.Justification.DECLINED.value, "Not justified: the practitioner declined"

    class Setting(models.TextChoices):
        GP = facts.Setting.GP.value, "GP direct access"
        OUTPATIENT = facts.Setting.OUTPATIENT.value, "Outpatient"
        INPATIENT = facts.Setting.INPATIENT.value, "Inpatient"
        EMERGENCY = facts.Setting.EMERGENCY.value, "Emergency department"

    class Laterality(models.TextChoices):
        LEFT = facts.Laterality.LEFT.value, "Left"
        RIGHT = facts.Laterality.RIGHT.value, "Right"
        BILATERAL = facts.Laterality.BILATERAL.value, "Both sides"
        NOT_APPLICABLE = facts.Laterality.NOT_APPLICABLE.value, "No side (midline or whole body)"

    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="examinations")
    accession_number = models.CharField(max_length=16, unique=True)
    # The study's identity on the modality worklist and in every image and dose report the modality sends.
    study_instance_uid = models.CharField(max_length=64, unique=True, default=new_uid)
    protocol_code = models.CharField(max_length=12)
    protocol_name = models.CharField(max_length=120)
    modality = models.CharField(max_length=4)
    referrer = models.CharField(max_length=120)
    clinical_question = models.CharField(max_length=300, blank=True)
    justification = models.CharField(max_length=12, choices=Justification.choices, default=Justification.PENDING)
    justified_by = models.CharField(max_length=120, blank=True)
    justification_note = models.CharField(max_length=300, blank=True)  # why the practitioner declined
    # Where the referral comes from, and the side: entitlement conditions may depend on them ("" is not recorded).
    setting = models.CharField(max_length=12, choices=Setting.choices, blank=True)
    laterality = models.CharField(max_length=16, choices=Laterality.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT)
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.SCHEDULED)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="examinations"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervision_mode = models.CharField(max_length=10, blank=True)  # direct or indirect, as it was at the start
    # An AP who performed it under the operator's direct supervision, as practice towards a competency.
    practising = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="practice"
    )
    # The last decision, and the policy and ruleset it was made under.
    decision = models.JSONField(null=True, blank=True)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT)
    ruleset = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Completion
    images_count = models.PositiveIntegerField(null=True, blank=True)
    aftercare = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    total_dap_gy_cm2 = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    drl_value = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    drl_source = models.CharField(max_length=160, blank=True)
    drl_exceeded = models.BooleanField(null=True)

    objects = ExaminationQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            # The worklist: one site's (or room's) day in time order.
            models.Index(fields=["site", "scheduled_at"], name="exams_exam_site_day_idx"),
            models.Index(fields=["status", "scheduled_at"], name="exams_exam_status_day_idx"),
            # The modality worklist: one room's (one AE title's) day.
            models.Index(fields=["room", "scheduled_at"], name="exams_exam_room_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=[s for s in exam_workflow.TRANSITIONS]),
                                   name="exams_examination_status_valid"),
            models.CheckConstraint(condition=models.Q(priority__in=["routine", "urgent", "emergency"]),
                                   name="exams_examination_priority_valid"),
            models.CheckConstraint(condition=models.Q(justification__in=[j.value for j in facts.Justification]),
                                   name="exams_examination_justification_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.accession_number} {self.protocol_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("exams:detail", args=[self.pk])


class ChecklistRecord(AppendOnlyModel):
    """One recording of the pre-examination checklist; the latest for an examination is the one in use."""

    examination = models.ForeignKey(Examination, on_delete=models.PROTECT, related_name="checklists")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    answers = models.JSONField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        get_latest_by = ["recorded_at", "id"]


class Exposure(AppendOnlyModel):
    """One projection as performed: exposure factors and dose-area product (stored in Gy·cm²)."""

    examination = models.ForeignKey(Examination, on_delete=models.PROTECT, related_name="exposures")
    projection = models.CharField(max_length=60)
    kvp = models.DecimalField(max_digits=5, decimal_places=1)
    mas = models.DecimalField(max_digits=7, decimal_places=2)
    dap_gy_cm2 = models.DecimalField(max_digits=10, decimal_places=4)
    entered_dap = models.CharField(max_length=40)  # as typed, with its unit, for the record
    is_repeat = models.BooleanField(default=False)
    repeat_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]


class ExamEvent(AppendOnlyModel):
    """The examination's history: every status change and recorded act, never edited."""

    examination = models.ForeignKey(Examination, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    decision = models.JSONField(null=True, blank=True)
    policy_version = models.CharField(max_length=20, blank=True)
    ruleset = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["at", "id"]
