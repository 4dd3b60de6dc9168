from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "inscope.staff"
    label = "staff"
    verbose_name = "Staff and roles"
