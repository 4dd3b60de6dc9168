from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "inscope.exams"
    label = "exams"
    verbose_name = "Examinations"
