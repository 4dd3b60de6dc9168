from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "inscope.policy"
    label = "policy"
    verbose_name = "Local policy document"
