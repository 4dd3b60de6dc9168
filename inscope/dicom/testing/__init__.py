"""Test helpers for DICOM: in-memory dose objects (``builders``)."""
