"""Back office: dose records, DRLs and SAUE review items can be read here; every change goes through the services."""

from django.contrib import admin

from inscope.dose.models import (
    DoseObject,
    DoseStudy,
    DrlSet,
    IrradiationEventRecord,
    ProtocolDrlLink,
    ReferenceLevel,
    SaueReview,
)
from inscope.lib.read_only_admin import ReadOnlyAdmin


@admin.register(DoseStudy)
class DoseStudyAdmin(ReadOnlyAdmin):
    list_display = ["study_instance_uid", "accession_number", "modality", "study_date_time", "event_count",
                    "drl_ratio", "drl_exceeded"]
    list_filter = ["modality", "drl_exceeded", "source"]
    search_fields = ["study_instance_uid", "accession_number"]


@admin.register(ReferenceLevel)
class ReferenceLevelAdmin(ReadOnlyAdmin):
    list_display = ["scope", "modality", "examination", "protocol_code", "quantity", "value_as_published", "status",
                    "effective_from", "effective_to"]
    list_filter = ["scope", "status", "quantity", "modality"]


@admin.register(SaueReview)
class SaueReviewAdmin(ReadOnlyAdmin):
    list_display = ["study", "criterion", "code", "status", "outcome", "opened_at", "reviewed_by"]
    list_filter = ["status", "criterion", "outcome"]


admin.site.register([DrlSet, ProtocolDrlLink, IrradiationEventRecord, DoseObject], ReadOnlyAdmin)
