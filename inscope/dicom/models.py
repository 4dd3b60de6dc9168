"""What the DICOM interfaces received: stored objects (kept until processed, quarantined when unreadable),
modality performed procedure steps, and interface messages for anything that could not be matched.
"""

from __future__ import annotations

from django.db import models

from inscope.dose.models import DoseStudy
from inscope.exams.models import Examination


class ReceivedObject(models.Model):
    """A DICOM object as received, stored durably before the sender is told it arrived.

    Idempotent by SOP Instance UID: a second copy of the same object is acknowledged and recorded as a duplicate.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Waiting to be processed"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Not a dose object: ignored"
        QUARANTINED = "quarantined", "Quarantined"

    class Source(models.TextChoices):
        LISTENER = "listener", "Storage listener"
        IMPORT = "import", "File import"

    sop_instance_uid = models.CharField(max_length=64, unique=True)
    sop_class_uid = models.CharField(max_length=64, blank=True)
    study_instance_uid = models.CharField(max_length=64, blank=True)
    modality = models.CharField(max_length=4, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    calling_ae_title = models.CharField(max_length=16, blank=True)
    origin = models.CharField(max_length=500, blank=True)  # the file path for an import
    data = models.BinaryField()  # the DICOM Part 10 file, exactly as stored
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RECEIVED)
    outcome = models.CharField(max_length=10, blank=True)  # imported, updated, duplicate, ignored, error
    reason = models.TextField(blank=True)  # why it was ignored or quarantined
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    dose_study = models.ForeignKey(DoseStudy, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="received_objects")
    # When the stored bytes were cleared under the retention setting (inscope.dicom.retention); the row, its
    # size, hash, outcome and audit trail are kept.
    pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "received_at"], name="dicom_received_state_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=["received", "processed", "ignored", "quarantined"]),
                                   name="dicom_received_state_valid"),
            # Only a processed (or ignored) object's bytes are ever pruned: never one waiting or quarantined.
            models.CheckConstraint(condition=models.Q(pruned_at__isnull=True)
                                   | models.Q(state__in=["processed", "ignored"]),
                                   name="dicom_received_pruned_only_when_processed"),
        ]

    def __str__(self) -> str:
        return f"{self.sop_instance_uid} ({self.get_state_display()})"


class PerformedStep(models.Model):
    """A Modality Performed Procedure Step, as the modality reported it by N-CREATE and N-SET."""

    class Status(models.TextChoices):
        IN_PROGRESS = "IN PROGRESS", "In progress"
        COMPLETED = "COMPLETED", "Completed"
        DISCONTINUED = "DISCONTINUED", "Discontinued"

    sop_instance_uid = models.CharField(max_length=64, unique=True)
    examination = models.ForeignKey(Examination, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="performed_steps")
    status = models.CharField(max_length=12, choices=Status.choices)
    calling_ae_title = models.CharField(max_length=16, blank=True)
    station_ae_title = models.CharField(max_length=16, blank=True)
    accession_number = models.CharField(max_length=16, blank=True)
    study_instance_uid = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    images_count = models.PositiveIntegerField(null=True, blank=True)
    # Dose and exposure details the modality carried in the MPPS (total DAP, fluoro time, CTDIvol, ...), as
    # {attribute keyword: value}, with the dose figures also normalised: {"dap_gy_m2": ..., ...}.
    dose = models.JSONField(default=dict, blank=True)
    discontinuation_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"MPPS {self.sop_instance_uid} {self.status}"


class InterfaceMessage(models.Model):
    """Something an interface could not do as asked: an unknown examination, a mismatch, a refused caller.

    Recorded, never dropped, and shown on the interface messages screen until someone marks it dealt with.
    """

    class Channel(models.TextChoices):
        WORKLIST = "worklist", "Modality worklist"
        MPPS = "mpps", "MPPS"
        STORAGE = "storage", "Storage"
        IMPORT = "import", "File import"
        ASSOCIATION = "association", "Association"

    class Level(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"

    at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.ERROR)
    calling_ae_title = models.CharField(max_length=16, blank=True)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    received_object = models.ForeignKey(ReceivedObject, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="messages")
    performed_step = models.ForeignKey(PerformedStep, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="messages")
    dealt_with_at = models.DateTimeField(null=True, blank=True)
    dealt_with_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.summary}"
