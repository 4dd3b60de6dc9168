"""The dose services: recording dose reports (``record``), DRLs (``drls``) and SAUE screening (``saue``)."""

from inscope.dose.services.record import RecordResult, record_dose

__all__ = ["RecordResult", "record_dose"]
