"""Back office: competence records are read here; they change only through the portfolio's services."""

from django.contrib import admin

from inscope.competencies.models import Competency, CpdEntry, Evidence, Framework, Grant, SignOff, TrainingRecord
from inscope.lib.read_only_admin import ReadOnlyAdmin

admin.site.register([Framework, Competency, Evidence, SignOff, Grant, TrainingRecord, CpdEntry], ReadOnlyAdmin)
