"""Documents that read but contradict themselves or the department's rules: each problem is reported where it is."""

from __future__ import annotations

import pytest

from inscope.policy.document import parse_policy, validate_policy
from inscope.policy.tests.test_document_problems import MINIMAL, assert_reported

# Inconsistent content: (old text, new text, location, message substring, the text on the expected line or None)
INCONSISTENT = {
    "unknown code in role scope": (
        "[XCHES, MKNEE]",
        "[XCHES, MKNEEE]",
        "role_scopes.assistant_practitioner[1]",
        "unknown protocol code 'MKNEEE' (did you mean 'MKNEE'?)",
        "MKNEEE",
    ),
    "unknown code in exclusions": (
        "excluded_protocols: []",
        "excluded_protocols: [XKNEE]",
        "people[0].excluded_protocols[0]",
        "unknown protocol code 'XKNEE'",
        "XKNEE",
    ),
    "unknown code in entitlement": (
        "protocols: [XCHES]",
        "protocols: [XCHESS]",
        "people[0].entitlements[0].protocols[0]",
        "unknown protocol code 'XCHESS'",
        "XCHESS",
    ),
    "entitlement modality": (
        "protocols: [XCHES]",
        "protocols: [XCHES, MKNEE]",
        "people[0].entitlements[0].protocols[1]",
        "MKNEE is for MR, but the entitlement covers only XR",
        None,
    ),
    "unknown task": (
        "tasks: [operator]",
        "tasks: [opertor]",
        "people[0].entitlements[0].tasks[0]",
        "did you mean 'operator'",
        "opertor",
    ),
    "min age above max age": (
        "max_age: null",
        "max_age: 10",
        "protocols[0].patients.min_age",
        "min_age 16 is greater than max_age 10",
        "max_age: 10",
    ),
    "negative age": ("min_age: 16", "min_age: -1", "protocols[0].patients.min_age", "must not be negative", "min_age"),
    "review before entitled": (
        "review_date: 2027-01-12",
        "review_date: 2025-01-12",
        "people[0].entitlements[0].review_date",
        "review date 2025-01-12 is before entitled_on 2026-01-12",
        "review_date",
    ),
    "MR with a dose": (
        "dose_class: none",
        "dose_class: standard",
        "protocols[1].dose_class",
        "must be none: MR uses no ionising radiation",
        "dose_class: standard\n    pregnancy_region: false\nrole",
    ),
    "ionising without a dose": (
        "dose_class: standard",
        "dose_class: none",
        "protocols[0].dose_class",
        "must be standard or high: XR uses ionising radiation",
        "dose_class: none",
    ),
    "pregnancy ages": (
        "supervision:\n",
        "pregnancy: {min_age: 60, max_age: 55}\nsupervision:\n",
        "pregnancy.min_age",
        "min_age 60 is greater than max_age 55",
        "pregnancy:",
    ),
    "pregnancy rules swapped": (
        "supervision:\n",
        "pregnancy: {low_dose_days: 10, high_dose_days: 28}\nsupervision:\n",
        "pregnancy.high_dose_days",
        "high_dose_days (28) must not be more than low_dose_days (10)",
        "pregnancy:",
    ),
    "self-entitled": (
        "entitled_by: m.boss",
        "entitled_by: ap.one",
        "people[0].entitlements[0].entitled_by",
        "a person cannot entitle themselves",
        "entitled_by",
    ),
    "requirement for an unsupervised role": (
        "{trainee_assistant_practitioner: direct,",
        "{radiographer: direct, trainee_assistant_practitioner: direct,",
        "supervision.requirements.radiographer",
        "is not a supervised role",
        "requirements",
    ),
    "supervised role with no requirement": (
        "{trainee_assistant_practitioner: direct, assistant_practitioner: indirect}",
        "{trainee_assistant_practitioner: direct}",
        "people[0].roles",
        "gives no supervision for assistant_practitioner",
        "roles: [assistant",
    ),
    "supervisor that is supervised": (
        "supervisor_roles: [radiographer]",
        "supervisor_roles: [radiographer, assistant_practitioner]",
        "supervision.supervisor_roles[1]",
        "cannot supervise",
        "supervisor_roles",
    ),
    "acknowledgement zero": (
        "supervision:\n",
        "escalation: {acknowledge_within_minutes: 0}\nsupervision:\n",
        "escalation.acknowledge_within_minutes",
        "positive whole number",
        "escalation:",
    ),
    "DRL value zero": ("value: 0.1", "value: 0", "protocols[0].local_drl.value", "must be more than 0", "local_drl"),
    "DRL unknown quantity": (
        "quantity: dap",
        "quantity: kerma",
        "protocols[0].local_drl.quantity",
        "must be one of dap, dlp",
        "local_drl",
    ),
    "DRL unit": (
        'unit: "Gy·cm²"',
        'unit: "cGy·cm²"',
        "protocols[0].local_drl.unit",
        "dap is recorded in Gy·cm²",
        "local_drl",
    ),
    "DLP outside CT": (
        "quantity: dap",
        "quantity: dlp",
        "protocols[0].local_drl.quantity",
        "dlp is a CT quantity",
        "local_drl",
    ),
    "AP scope includes a radiographer protocol": (
        "    ap_may_perform: true\n    dose_class: none",
        "    ap_may_perform: false\n    dose_class: none",
        "role_scopes.assistant_practitioner[1]",
        "MKNEE is in the assistant_practitioner scope but its ap_may_perform is false",
        "assistant_practitioner: [XCHES",
    ),
}


@pytest.mark.parametrize(
    ("old", "new", "location", "message", "on_line"), INCONSISTENT.values(), ids=INCONSISTENT.keys()
)
def test_each_kind_of_inconsistency_is_reported_where_it_is(old, new, location, message, on_line):
    assert_reported(old, new, location, message, on_line)


def test_ap_may_perform_without_being_in_the_ap_scope_is_fine():
    text = MINIMAL.replace("assistant_practitioner: [XCHES, MKNEE]", "assistant_practitioner: [XCHES]")
    assert parse_policy(text).role_scopes
    assert validate_policy(text) == []


def test_a_broken_protocol_does_not_make_its_code_unknown_elsewhere():
    problems = validate_policy(MINIMAL.replace("modality: XR", "modality: XX"))
    assert [p.location for p in problems] == ["protocols[0].modality"]
