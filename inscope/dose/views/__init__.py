"""The dose pages: the audit (with its exports), a study's dose, the DRLs, and the SAUE review items."""
