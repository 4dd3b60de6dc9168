from django.contrib import admin

from inscope.supervision.models import DutySession


@admin.register(DutySession)
class DutySessionAdmin(admin.ModelAdmin):
    """Read-only: duty is planned on the supervision board, which checks and audits it."""

    list_display = ["supervisor", "site", "room", "mode", "starts_at", "ends_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
