from django.contrib import admin

from inscope.policy.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Read-only: policy versions are written and approved through the policy screens, which audit them."""

    list_display = ["department", "number", "status", "created_by", "approved_by", "approved_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
