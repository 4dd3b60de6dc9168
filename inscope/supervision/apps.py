from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "inscope.supervision"
    label = "supervision"
    verbose_name = "Supervision and duty"
