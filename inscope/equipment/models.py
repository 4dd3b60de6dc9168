"""The equipment register (IR(ME)R 2017 reg 15 and Schedule 2(1)(f)): imaging units per room, protective
accessories (IRR17 reg 12: PPE examined) and test equipment, with each unit's append-only history.

A unit's status is what the decision engine reads on every examination in its room: out of service stops,
restricted escalates (inscope.rules.equipment). It changes only through inscope.equipment.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inscope.audit.models import AppendOnlyModel
from inscope.department.models import Department, Room, Site


class Status(models.TextChoices):
    """The values of inscope.rules.facts.UnitStatus."""

    IN_SERVICE = "in_service", "In service"
    RESTRICTED = "restricted", "Restricted"
    OUT_OF_SERVICE = "out_of_service", "Out of service"


class Unit(models.Model):
    class Kind(models.TextChoices):
        XRAY_TUBE = "xray_tube", "X-ray tube"
        DETECTOR = "detector", "Detector"
        CT_SCANNER = "ct_scanner", "CT scanner"
        MR_SCANNER = "mr_scanner", "MR scanner"
        ULTRASOUND = "ultrasound", "Ultrasound machine"
        ULTRASOUND_PROBE = "ultrasound_probe", "Ultrasound probe"
        MAMMOGRAPHY = "mammography", "Mammography unit"
        MOBILE_XRAY = "mobile_xray", "Mobile X-ray unit"
        FLUOROSCOPY = "fluoroscopy", "Fluoroscopy unit"
        OTHER = "other", "Other"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units")
    # A fixed unit is in a room; a mobile unit has no room, only the site it is kept at.
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    manufacturer = models.CharField(max_length=120)
    model = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=64)
    installed_on = models.DateField()
    decommissioned_on = models.DateField(null=True, blank=True)
    # The DICOM identity, as a dose report names the equipment: (0008,1010), (0018,1000), and the AE title in the
    # form inscope.dose stores it (upper case, at most 16 characters) so a local DRL for it applies.
    station_name = models.CharField(max_length=64, blank=True)
    device_serial_number = models.CharField(max_length=64, blank=True)
    ae_title = models.CharField(max_length=16, blank=True)
    required = models.BooleanField(default=True)  # examinations in the room need this unit
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_SERVICE)
    status_reason = models.CharField(max_length=300, blank=True)
    status_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site__name", "room__name", "name", "id"]
        indexes = [models.Index(fields=["room", "required", "status"], name="equipment_unit_room_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["department", "manufacturer", "serial_number"],
                                    name="equipment_unit_unique_serial"),
            models.CheckConstraint(condition=models.Q(status__in=["in_service", "restricted", "out_of_service"]),
                                   name="equipment_unit_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        return f"{self.room.name}, {self.site.name}" if self.room else f"Mobile, kept at {self.site.name}"


class UnitEvent(AppendOnlyModel):
    """One entry in a unit's history: never changed, never removed."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "Registered"
        UPDATED = "updated", "Details updated"
        FAULT_REPORTED = "fault_reported", "Fault reported"
        STATUS_CHANGED = "status_changed", "Status changed"
        ENGINEER_VISIT = "engineer_visit", "Engineer visit"
        PLANNED_MAINTENANCE = "planned_maintenance", "Planned maintenance"
        RETURNED_TO_SERVICE = "returned_to_service", "Returned to service"
        DECOMMISSIONED = "decommissioned", "Decommissioned"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    by_label = models.CharField(max_length=150)
    source = models.CharField(max_length=20)  # web, api, cli, system, or the QA module
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField()
    # Who signed a return to service off, by name (may differ from the account recording it).
    signed_off_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Accessory(models.Model):
    """Protective equipment examined for defects at intervals (IRR17 reg 12)."""

    class Kind(models.TextChoices):
        LEAD_APRON = "lead_apron", "Lead apron"
        THYROID_SHIELD = "thyroid_shield", "Thyroid shield"
        OTHER = "other", "Other"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="accessories")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="accessories")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="accessories")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    serial_number = models.CharField(max_length=64)
    lead_equivalence_mm = models.DecimalField(max_digits=4, decimal_places=2)
    last_screened_on = models.DateField(null=True, blank=True)
    next_screening_due = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_SERVICE)

    class Meta:
        ordering = ["site__name", "kind", "serial_number"]
        verbose_name_plural = "accessories"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_number}"


class TestEquipment(models.Model):
    """Dosemeters, phantoms and the like used for the QA checks, each with its calibration."""

    __test__ = False  # not a pytest test class, whatever its name

    class Kind(models.TextChoices):
        DOSEMETER = "dosemeter", "Dosemeter"
        PHANTOM = "phantom", "Phantom"
        OTHER = "other", "Other"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="test_equipment")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=64)
    certificate_reference = models.CharField(max_length=120, blank=True)
    calibrated_on = models.DateField(null=True, blank=True)
    calibration_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "test equipment"

    def __str__(self) -> str:
        return self.name
