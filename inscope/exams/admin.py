"""Back office: examinations and escalations can be read here; every change goes through the services."""

from django.contrib import admin

from inscope.exams.models import ChecklistRecord, Escalation, ExamEvent, Examination, Exposure
from inscope.lib.read_only_admin import ReadOnlyAdmin


@admin.register(Examination)
class ExaminationAdmin(ReadOnlyAdmin):
    list_display = ["accession_number", "protocol_name", "site", "scheduled_at", "status", "operator"]
    list_filter = ["status", "site", "modality"]
    search_fields = ["accession_number"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["examination", "kind", "urgency", "status", "raised_by", "raised_at"]
    list_filter = ["kind", "status", "urgency"]


admin.site.register([ExamEvent, ChecklistRecord, Exposure], ReadOnlyAdmin)
