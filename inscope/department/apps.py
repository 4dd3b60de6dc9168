from django.apps import AppConfig


class DepartmentConfig(AppConfig):
    name = "inscope.department"
    label = "department"
    verbose_name = "Department, sites and rooms"
