"""People, the roles they hold at each site, and tokens for systems that call the API."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from inscope.department.models import Department, Site
from inscope.rules.facts import Role


class User(AbstractUser):
    """A member of staff, or a service account for an interface."""

    display_name = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    registration = models.CharField(max_length=40, blank=True, help_text="HCPC or NMC number, where registered")
    is_service_account = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)

    def roles_at(self, site: Site | None) -> frozenset[Role]:
        """Return the roles the person holds at a site (a role held with no site applies at every site)."""
        return frozenset(
            Role(a.role)
            for a in self._assignments
            if a.site_id is None or (site is not None and a.site_id == site.pk)
        )

    def all_roles(self) -> frozenset[Role]:
        return frozenset(Role(a.role) for a in self._assignments)

    @cached_property
    def _assignments(self) -> list[RoleAssignment]:
        # Read once per loaded user: a page asks about permissions many times in one request.
        return list(self.role_assignments.all())


class RoleAssignment(models.Model):
    """One role held by one person, at one site or (site empty) at every site of the department."""

    # django-stubs types only the class syntax of TextChoices, not this functional one built from Role.
    RoleChoices = models.TextChoices("RoleChoices", [(r.name, (r.value, r.value.replace("_", " "))) for r in Role])  # type: ignore[call-overload]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=RoleChoices.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "site"], name="staff_role_assignment_unique"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="staff_role_valid"),
        ]

    def __str__(self) -> str:
        where = self.site.name if self.site else "all sites"
        return f"{self.user} — {self.get_role_display()} ({where})"


class ApiToken(models.Model):
    """A bearer token for a system (RIS, modality broker). Only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with its key, which is shown once and never stored."""
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=cls.hash(key)), key
