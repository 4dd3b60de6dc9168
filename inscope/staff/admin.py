from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from inscope.staff.models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(User)
class StaffAdmin(UserAdmin):
    """People and their roles; entitlements live in the local policy, not here."""

    inlines = [RoleAssignmentInline]
    list_display = ["username", "display_name", "email", "is_active", "is_service_account"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        ("InScope", {"fields": ["display_name", "department", "registration", "is_service_account"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `inscope issue_api_token` (the key is shown once); here they can only be seen."""

    list_display = ["name", "user", "created_at", "revoked_at"]
    readonly_fields = ["user", "name", "key_hash", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
