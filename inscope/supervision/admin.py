from django.contrib import admin

from inscope.lib.read_only_admin import ReadOnlyAdmin
from inscope.supervision.models import DutySession


@admin.register(DutySession)
class DutySessionAdmin(ReadOnlyAdmin):
    """Duty is planned on the supervision board, which checks and audits it."""

    list_display = ["supervisor", "site", "room", "mode", "starts_at", "ends_at"]
