from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "inscope.demo"
    label = "demo"
    verbose_name = "Demonstration department"
