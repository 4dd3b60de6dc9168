from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "inscope.competencies"
    label = "competencies"
    verbose_name = "Competencies, training and entitlement"
