"""Patient dose per study and per irradiation event, diagnostic reference levels, and SAUE review items.

Dose figures are stored in the units of ``inscope.dose.report``: DAP in Gy·m², DLP in mGy·cm, CTDIvol, AGD and
entrance exposure in mGy, reference-point dose in Gy, activity in MBq. They are physical measurements, so floats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inscope.department.models import Department, Room
from inscope.exams.models import Examination


class Quantity(models.TextChoices):
    """The dose quantities a DRL can be set on, each in its stored unit."""

    DAP = "dap", "DAP per examination (Gy·m²)"
    DLP = "dlp", "DLP per complete examination (mGy·cm)"
    CTDIVOL = "ctdivol", "CTDIvol per sequence (mGy)"
    AGD = "agd", "Average glandular dose per view (mGy)"
    ACTIVITY = "activity", "Administered activity (MBq)"


class DrlSet(models.Model):
    """One loaded version of the national DRLs, with the file it came from."""

    name = models.CharField(max_length=160)
    source = models.CharField(max_length=400)
    file_sha256 = models.CharField(max_length=64, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ReferenceLevel(models.Model):
    """A diagnostic reference level: national (from a DrlSet) or local to a protocol, room or equipment."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        LOCAL = "local", "Local"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    drl_set = models.ForeignKey(DrlSet, null=True, blank=True, on_delete=models.PROTECT, related_name="levels")
    modality = models.CharField(max_length=4)
    examination = models.CharField(max_length=160)  # as the source names it, e.g. "Chest PA" or "Head"
    detail = models.CharField(max_length=300, blank=True)  # projection, clinical indication or technique
    # Local DRLs apply to a protocol, optionally narrowed to one room or one piece of equipment (AE title).
    # National ones apply to the protocols mapped to them (ProtocolDrlLink).
    protocol_code = models.CharField(max_length=12, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT)
    station_ae_title = models.CharField(max_length=16, blank=True)
    quantity = models.CharField(max_length=10, choices=Quantity.choices)
    value = models.FloatField()  # in the quantity's stored unit
    value_as_published = models.CharField(max_length=40)  # e.g. "790 mGy cm", for the record
    population = models.CharField(max_length=20, default="adult")
    source = models.CharField(max_length=400)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["modality", "examination", "quantity", "-effective_from"]
        indexes = [models.Index(fields=["protocol_code", "quantity"], name="dose_drl_protocol_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["national", "local"]), name="dose_drl_scope_valid"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="dose_drl_value_positive"),
            models.CheckConstraint(
                condition=models.Q(scope="national", drl_set__isnull=False)
                | models.Q(scope="local", drl_set__isnull=True, department__isnull=False) & ~models.Q(protocol_code=""),
                name="dose_drl_national_has_set_local_has_protocol",
            ),
        ]

    def __str__(self) -> str:
        where = f" {self.protocol_code}" if self.protocol_code else ""
        return f"{self.get_scope_display()} DRL{where} {self.examination}: {self.value_as_published}"

    @property
    def label(self) -> str:
        """How a comparison names the DRL it used: which, what version, from when."""
        version = self.drl_set.name if self.drl_set is not None else f"local, effective {self.effective_from:%d %b %Y}"
        return f"{self} ({version})"


class ProtocolDrlLink(models.Model):
    """A local protocol compared against a national DRL when it has no local one (set by a physicist)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    protocol_code = models.CharField(max_length=12)
    reference_level = models.ForeignKey(ReferenceLevel, on_delete=models.PROTECT, related_name="links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "protocol_code", "reference_level"],
                                    name="dose_protocol_drl_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_code} → {self.reference_level}"


class DoseStudy(models.Model):
    """One study's patient dose, summed over its distinct irradiation events, with its DRL comparison."""

    study_instance_uid = models.CharField(max_length=64, unique=True)
    examination = models.ForeignKey(Examination, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="dose_studies")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT)
    accession_number = models.CharField(max_length=16, blank=True)
    modality = models.CharField(max_length=4)
    patient_id = models.CharField(max_length=64, blank=True)
    patient_name = models.CharField(max_length=200, blank=True)
    study_date_time = models.DateTimeField(null=True, blank=True)
    study_description = models.CharField(max_length=200, blank=True)
    body_part = models.CharField(max_length=64, blank=True)
    station_name = models.CharField(max_length=64, blank=True)
    station_ae_title = models.CharField(max_length=16, blank=True)
    manufacturer = models.CharField(max_length=64, blank=True)
    model_name = models.CharField(max_length=64, blank=True)
    device_serial_number = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10)  # listener, import, manual
    # Totals over the study's distinct events (never double-counting a repeated event).
    event_count = models.PositiveIntegerField(default=0)
    total_dlp_mgy_cm = models.FloatField(null=True, blank=True)
    max_ctdivol_mgy = models.FloatField(null=True, blank=True)
    total_dap_gy_m2 = models.FloatField(null=True, blank=True)
    fluoro_dap_gy_m2 = models.FloatField(null=True, blank=True)
    acquisition_dap_gy_m2 = models.FloatField(null=True, blank=True)
    total_rp_dose_gy = models.FloatField(null=True, blank=True)
    fluoro_time_s = models.FloatField(null=True, blank=True)
    agd_left_mgy = models.FloatField(null=True, blank=True)
    agd_right_mgy = models.FloatField(null=True, blank=True)
    radionuclide = models.CharField(max_length=64, blank=True)
    administered_activity_mbq = models.FloatField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # The device's own accumulated totals: per total field above, the largest any of the study's objects stated
    # (inscope.dose.totals explains why the largest). Where one is non-zero it is the total; the events check it.
    device_totals = models.JSONField(default=dict, blank=True)
    # Per total field: {"source": "device" | "events" | "none", "note": "..."}, as inscope.dose.totals chose it.
    total_sources = models.JSONField(default=dict, blank=True)
    # What the latest cross-check of the totals found (recomputed with every object, so never stale).
    total_warnings = models.JSONField(default=list, blank=True)
    # The DRL comparison, and the DRL version it was made against.
    reference_level = models.ForeignKey(ReferenceLevel, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    drl_label = models.CharField(max_length=400, blank=True)
    drl_quantity = models.CharField(max_length=10, blank=True)
    drl_value = models.FloatField(null=True, blank=True)
    drl_ratio = models.FloatField(null=True, blank=True)
    drl_exceeded = models.BooleanField(null=True)
    drl_note = models.CharField(max_length=300, blank=True)  # why no comparison was made, when none was
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-study_date_time", "-id"]
        verbose_name_plural = "dose studies"
        indexes = [
            models.Index(fields=["modality", "study_date_time"], name="dose_study_modality_day_idx"),
            models.Index(fields=["accession_number"], name="dose_study_accession_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.modality} {self.accession_number or self.study_instance_uid}"


class IrradiationEventRecord(models.Model):
    """One irradiation event of a study; the Irradiation Event UID makes it count once however often reported."""

    study = models.ForeignKey(DoseStudy, on_delete=models.CASCADE, related_name="events")
    event_uid = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    at = models.DateTimeField(null=True, blank=True)
    protocol = models.CharField(max_length=200, blank=True)
    target_region = models.CharField(max_length=100, blank=True)
    laterality = models.CharField(max_length=2, blank=True)
    view = models.CharField(max_length=60, blank=True)
    ctdivol_mgy = models.FloatField(null=True, blank=True)
    dlp_mgy_cm = models.FloatField(null=True, blank=True)
    scanning_length_mm = models.FloatField(null=True, blank=True)
    phantom = models.CharField(max_length=20, blank=True)
    dap_gy_m2 = models.FloatField(null=True, blank=True)
    rp_dose_gy = models.FloatField(null=True, blank=True)
    agd_mgy = models.FloatField(null=True, blank=True)
    entrance_exposure_mgy = models.FloatField(null=True, blank=True)
    compressed_thickness_mm = models.FloatField(null=True, blank=True)
    kvp = models.FloatField(null=True, blank=True)
    tube_current_ma = models.FloatField(null=True, blank=True)
    exposure_time_s = models.FloatField(null=True, blank=True)
    exposure_mas = models.FloatField(null=True, blank=True)
    fluoro_time_s = models.FloatField(null=True, blank=True)
    anode_target = models.CharField(max_length=20, blank=True)
    filter_material = models.CharField(max_length=20, blank=True)
    source_sop_instance_uid = models.CharField(max_length=64)
    # Other images that reported this same exposure and were not counted again (inscope.dose.exposures):
    # [{"sop_instance_uid": ..., "rule": ..., "presentation_intent": ...}].
    same_exposure = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["study", "event_uid"], name="dose_event_unique_per_study")]

    def __str__(self) -> str:
        return f"{self.kind} event {self.event_uid}"


class DoseObject(models.Model):
    """A DICOM object whose dose was taken into a study; a second copy of the same object is a duplicate."""

    study = models.ForeignKey(DoseStudy, on_delete=models.CASCADE, related_name="source_objects")
    sop_instance_uid = models.CharField(max_length=64, unique=True)
    sop_class_uid = models.CharField(max_length=64)
    object_kind = models.CharField(max_length=12)
    events_in_object = models.PositiveIntegerField()
    new_events = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.object_kind} {self.sop_instance_uid}"


class SaueReview(models.Model):
    """A study that met a SAUE screening criterion, for the radiation protection supervisor to review.

    InScope never notifies a regulator: the outcome records the supervisor's decision and what they did.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting review"
        CLOSED = "closed", "Reviewed"

    class Outcome(models.TextChoices):
        NOT_SAUE = "not_saue", "Not an accidental or unintended exposure"
        LOCAL_RECORD = "local_record", "Unintended exposure below the notification criteria: recorded locally"
        NOTIFIABLE = "notifiable", "Meets the notification criteria: the employer will notify the regulator"
        CLINICALLY_SIGNIFICANT = "csaue", "Clinically significant: referrer, practitioner and patient told"

    study = models.ForeignKey(DoseStudy, on_delete=models.PROTECT, related_name="saue_reviews")
    examination = models.ForeignKey(Examination, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="saue_reviews")
    criterion = models.CharField(max_length=40)  # the screening rule that fired, e.g. "drl-multiple"
    code = models.CharField(max_length=10, blank=True)  # the CQC notification code it points to, if any
    category = models.CharField(max_length=120)
    summary = models.CharField(max_length=400)
    figures = models.JSONField(default=dict)  # the numbers that met the criterion, with their units
    band = models.CharField(max_length=200, blank=True)  # the intended-dose band and its edges, as published
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "criterion"], name="dose_saue_review_once_per_criterion"),
            models.CheckConstraint(condition=models.Q(status="open", outcome="") | models.Q(status="closed")
                                   & ~models.Q(outcome=""), name="dose_saue_review_closed_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"SAUE screening: {self.summary}"
