from django.apps import AppConfig


class DoseConfig(AppConfig):
    name = "inscope.dose"
    label = "dose"
    verbose_name = "Patient dose, DRLs and SAUE review"
