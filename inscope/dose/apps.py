from django.apps import AppConfig


class DoseConfig(AppConfig):
    name = "inscope.dose"
    label = "dose"
    verbose_name = "Patient dose, DRLs and SAUE review"

    def ready(self) -> None:
        # Manual DAP entry on completion is recorded and compared as any dose is (inscope.dose.services.manual).
        from inscope.dose.services.manual import on_examination_completed
        from inscope.exams.signals import examination_completed

        examination_completed.connect(on_examination_completed, dispatch_uid="dose.record_manual_dose")
