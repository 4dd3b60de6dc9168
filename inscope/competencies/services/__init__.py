"""Every write to competencies, evidence, sign-offs, entitlement grants and training: one function each."""

from inscope.competencies.services.evidence import add_cpd_entry, record_evidence, record_training
from inscope.competencies.services.frameworks import import_framework
from inscope.competencies.services.grants import grant_entitlement, revoke_entitlement
from inscope.competencies.services.sign_offs import revoke_sign_off, sign_off_competency

__all__ = [
    "add_cpd_entry",
    "grant_entitlement",
    "import_framework",
    "record_evidence",
    "record_training",
    "revoke_entitlement",
    "revoke_sign_off",
    "sign_off_competency",
]
