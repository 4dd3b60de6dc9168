"""Read-only admin pages for what the DICOM interfaces received. Changes go through ``inscope.dicom.inbox`` (the
interface messages screen), which audits them."""

from django.contrib import admin

from inscope.dicom.models import InterfaceMessage, PerformedStep, ReceivedObject
from inscope.lib.read_only_admin import ReadOnlyAdmin


@admin.register(ReceivedObject)
class ReceivedObjectAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "sop_instance_uid", "modality", "source", "calling_ae_title", "state", "outcome",
                    "attempts"]
    list_filter = ["state", "source", "modality"]
    search_fields = ["sop_instance_uid", "study_instance_uid", "calling_ae_title", "origin"]
    exclude = ["data"]  # the stored object itself: megabytes of binary

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")


@admin.register(InterfaceMessage)
class InterfaceMessageAdmin(ReadOnlyAdmin):
    list_display = ["at", "channel", "level", "calling_ae_title", "summary", "dealt_with_at", "dealt_with_by"]
    list_filter = ["channel", "level"]
    search_fields = ["summary", "calling_ae_title"]


@admin.register(PerformedStep)
class PerformedStepAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sop_instance_uid", "status", "accession_number", "station_ae_title",
                    "examination"]
    list_filter = ["status"]
    search_fields = ["sop_instance_uid", "accession_number", "study_instance_uid"]
