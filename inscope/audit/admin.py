from django.contrib import admin

from inscope.audit.models import AuditEvent
from inscope.lib.read_only_admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is never edited or deleted from the admin."""

    list_display = ["at", "actor_label", "channel", "action", "object_type", "object_id", "summary"]
    list_filter = ["channel", "action", "object_type"]
    search_fields = ["actor_label", "object_id", "summary"]
