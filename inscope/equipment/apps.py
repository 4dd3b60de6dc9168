from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "inscope.equipment"
    label = "equipment"
    verbose_name = "Equipment register, faults and service"
