from django.contrib import admin

from inscope.lib.read_only_admin import ReadOnlyAdmin
from inscope.policy.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    """Policy versions are written and approved through the policy screens, which audit them."""

    list_display = ["department", "number", "status", "created_by", "approved_by", "approved_at"]
