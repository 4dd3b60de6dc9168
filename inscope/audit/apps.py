from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "inscope.audit"
    label = "audit"
    verbose_name = "Audit trail"
