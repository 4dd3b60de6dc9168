from django.contrib import admin

from inscope.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted from the admin."""

    list_display = ["at", "actor_label", "channel", "action", "object_type", "object_id", "summary"]
    list_filter = ["channel", "action", "object_type"]
    search_fields = ["actor_label", "object_id", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
