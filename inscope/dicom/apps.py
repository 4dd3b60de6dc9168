from django.apps import AppConfig


class DicomConfig(AppConfig):
    name = "inscope.dicom"
    label = "dicom"
    verbose_name = "DICOM interfaces (worklist, MPPS, storage, import)"
