"""The imaging department of a trust, its sites and its rooms (with their equipment's DICOM AE titles)."""

from __future__ import annotations

from django.db import models


class Department(models.Model):
    """An imaging department; the local policy document is written per department."""

    name = models.CharField(max_length=120, unique=True)
    trust = models.CharField(max_length=160)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=20, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    modality = models.CharField(max_length=4)  # DICOM modality code: DX, CT, MR ...
    ae_title = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="department_room_unique_name_per_site")]

    def __str__(self) -> str:
        return f"{self.name}, {self.site.name}"
