"""Decisions per second of the pure-Python decision engine, in one process on one core.

    .venv/bin/python benchmarks/decision_engine.py                 # 200,000 decisions x 5 runs
    taskset -c 0 .venv/bin/python benchmarks/decision_engine.py    # pinned to one core (or pass --cpu 0)
    .venv/bin/python benchmarks/decision_engine.py --profile       # cProfile of one run, top functions

Builds a realistic mix of cases from the demo policy (inscope/policy/demo_policy.yaml): assistant
practitioners proceeding in scope, registered radiographers, every kind of escalation and stop, pregnancy
enquiries under the 28- and 10-day rules, and MRI screening. The cases are built once (as the caller would
build them from the database); only ``decide(case, policy)`` is timed. Results go to
benchmarks/results/decision_engine.json. A script, never a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inscope.policy.document import PolicyDocument, parse_policy  # noqa: E402
from inscope.rules import facts  # noqa: E402
from inscope.rules.evaluate import decide  # noqa: E402
from inscope.rules.facts import (  # noqa: E402
    Case,
    Mobility,
    Operator,
    Patient,
    Policy,
    PregnancyAnswer,
    Request,
    Role,
    SupervisionContext,
)

TARGET_PER_SECOND = 50_000
RESULTS = ROOT / "benchmarks" / "results" / "decision_engine.json"
POLICY_FILE = ROOT / "inscope" / "policy" / "demo_policy.yaml"
TODAY = dt.date(2026, 11, 28)  # inside every demo entitlement except ap.brown's lapsed extremities


# --- The case mix ---------------------------------------------------------------------------------------------------


def _adult(rng: random.Random, **overrides: object) -> Patient:
    """A conscious, co-operative, ambulant adult with identity confirmed: the AP's usual patient."""
    facts: dict[str, object] = dict(
        age=rng.randint(18, 90),
        childbearing_potential=False,
        identity_confirmed=True,
        cooperative=True,
        has_capacity=True,
        mobility=Mobility.INDEPENDENT,
        trauma=False,
    )
    facts.update(overrides)
    return Patient(**facts)  # type: ignore[arg-type]


def _supervised(rng: random.Random) -> SupervisionContext:
    return SupervisionContext(supervisors_on_duty=(rng.choice(["r.hughes", "r.singh", "r.evans"]),))


def _lmp(rng: random.Random, low: int, high: int) -> dt.date:
    return TODAY - dt.timedelta(days=rng.randint(low, high))


# Each scenario: (weight, label, builder(rng) -> (operator username, protocol, Patient, Request, SupervisionContext)).
# Weights are a plausible day in a general X-ray/CT/MR department: most cases proceed; a quarter escalate.


def _ap_in_scope(rng):
    protocol = rng.choice(["XCHES", "XSHOU", "XHAND", "XWRIS", "XKNEE", "XANKL"])
    request = Request(protocol, justified=True, justified_by="dr.shah")
    return "ap.patel", protocol, _adult(rng), request, _supervised(rng)


def _ap_trauma_hand(rng):  # trauma is allowed for hand/wrist/ankle
    protocol = rng.choice(["XHAND", "XWRIS", "XANKL"])
    return "ap.patel", protocol, _adult(rng, trauma=True), Request(protocol, justified=True), _supervised(rng)


def _radiographer(rng):
    protocol = rng.choice(["XCHES", "XCHEAP", "XKNEE", "XHAND", "CHEAD", "XSHOU"])
    user = rng.choice(["r.hughes", "r.singh", "r.evans", "r.mensah"])
    patient = _adult(rng, age=rng.randint(1, 99), mobility=rng.choice(list(Mobility)))
    return user, protocol, patient, Request(protocol, justified=True), SupervisionContext(())


def _radiographer_ct_contrast(rng):
    patient = _adult(rng, contrast_checks_done=True, cannula_in_place=rng.random() < 0.9, childbearing_potential=False)
    return "r.hughes", "CABPEC", patient, Request("CABPEC", justified=True), SupervisionContext(())


def _pregnancy(rng):
    """Women 12-55 for a lumbar spine, pelvis or abdomen: every answer, in and outside the 28-day rule."""
    protocol = rng.choice(["XLSPN", "XPELV", "XABDO"])
    answer = rng.choice([PregnancyAnswer.DEFINITELY_NOT] * 5 + [PregnancyAnswer.POSSIBLY] * 3
                        + [PregnancyAnswer.DECLINED, PregnancyAnswer.PREGNANT, None])
    lmp = None if rng.random() < 0.2 else _lmp(rng, 0, 45)
    patient = _adult(rng, age=rng.randint(18, 55), childbearing_potential=True, pregnancy_answer=answer,
                     last_menstrual_period=lmp)
    user = "ap.patel" if rng.random() < 0.7 else "r.singh"
    return user, protocol, patient, Request(protocol, justified=True), _supervised(rng)


def _ct_high_dose_pregnancy(rng):  # the 10-day rule
    patient = _adult(rng, age=rng.randint(18, 50), childbearing_potential=True,
                     pregnancy_answer=rng.choice([PregnancyAnswer.POSSIBLY, PregnancyAnswer.DEFINITELY_NOT]),
                     last_menstrual_period=_lmp(rng, 0, 30), contrast_checks_done=True, cannula_in_place=True)
    return "r.hughes", "CABPEC", patient, Request("CABPEC", justified=True), SupervisionContext(())


def _mri(rng):
    """MRI knee by an AP (screening clear, a stop answer, not recorded) or MRI spine by a radiographer."""
    screening = rng.choice([(), (), (), ("pacemaker_icd",), ("metal_in_eyes", "implant"), None])
    if rng.random() < 0.7:
        patient = _adult(rng, mri_stop_answers=screening)
        return "ap.brown", "MKNEE", patient, Request("MKNEE", justified=True), _supervised(rng)
    patient = _adult(rng, mri_stop_answers=screening, cooperative=None, mobility=None)
    return "r.evans", "MLSPI", patient, Request("MLSPI", justified=True), SupervisionContext(())


def _ap_patient_group(rng):
    """The patient falls, or may fall, in a group the AP protocol excludes."""
    kind = rng.choice(["non_cooperative", "lacks_capacity", "wheelchair", "trauma", "unknowns"])
    protocol = rng.choice(["XCHES", "XKNEE", "XSHOU"])
    overrides = {
        "non_cooperative": {"cooperative": False},
        "lacks_capacity": {"has_capacity": False},
        "wheelchair": {"mobility": Mobility.WHEELCHAIR},
        "trauma": {"trauma": True},
        "unknowns": {"cooperative": None, "mobility": None, "trauma": None, "has_capacity": None},
    }[kind]
    return "ap.patel", protocol, _adult(rng, **overrides), Request(protocol, justified=True), _supervised(rng)


def _ap_outside_scope(rng):
    protocol = rng.choice(["CHEAD", "XCHEAP", "MLSPI", "CABPEC"])
    return "ap.patel", protocol, _adult(rng), Request(protocol, justified=True), _supervised(rng)


def _entitlement(rng):
    """ap.brown: lapsed extremity entitlement, personal shoulder restriction, no lumbar entitlement."""
    protocol = rng.choice(["XHAND", "XWRIS", "XSHOU", "XLSPN"])
    return "ap.brown", protocol, _adult(rng), Request(protocol, justified=True), _supervised(rng)


def _supervision(rng):
    """Trainee with and without the supervisor in the room; an AP with nobody on duty."""
    if rng.random() < 0.6:
        present = rng.choice([True, False, None])
        ctx = SupervisionContext(("r.singh",), direct_supervisor_present=present)
        return "ap.trainee", "XCHES", _adult(rng), Request("XCHES", justified=True), ctx
    return "ap.patel", "XCHES", _adult(rng), Request("XCHES", justified=True), SupervisionContext(())


def _identity_and_justification(rng):
    kind = rng.choice(["not_checked", "not_confirmed", "unjustified", "under_guidelines"])
    patient = _adult(rng, identity_confirmed={"not_checked": None, "not_confirmed": False}.get(kind, True))
    request = Request("XCHES", justified=None if kind in ("unjustified", "under_guidelines") else True,
                      authorised_under_guidelines=True if kind == "under_guidelines" else None)
    return rng.choice(["ap.patel", "r.hughes"]), "XCHES", patient, request, _supervised(rng)


def _odd(rng):
    """Rare: unknown protocol, unknown age on an age-limited protocol, contradictory facts, a child, no role."""
    kind = rng.choice(["unknown_protocol", "age_unknown", "contradiction", "child", "manager"])
    if kind == "unknown_protocol":
        return "r.hughes", "XNOPE", _adult(rng), Request("XNOPE", justified=True), SupervisionContext(())
    if kind == "age_unknown":
        return "ap.patel", "XKNEE", _adult(rng, age=None), Request("XKNEE", justified=True), _supervised(rng)
    if kind == "contradiction":
        patient = _adult(rng, age=140, last_menstrual_period=TODAY + dt.timedelta(days=3))
        return "ap.patel", "XCHES", patient, Request("XCHES", justified=True), _supervised(rng)
    if kind == "child":
        return "ap.patel", "XWRIS", _adult(rng, age=rng.randint(2, 15)), Request("XWRIS", justified=True), \
            _supervised(rng)
    return "m.okafor", "XCHES", _adult(rng), Request("XCHES", justified=True), SupervisionContext(())


# Competency-backed grants (inscope/competencies/reference/ap_general_radiography.yaml), where the rules have them.
_KNOWLEDGE = frozenset({"AP-K-RADPROT", "AP-K-LEGISLATION", "AP-K-ANATOMY"})
_PRACTICAL = {"XCHES": "AP-XR-CHEST", "XHAND": "AP-XR-HAND-WRIST", "XWRIS": "AP-XR-HAND-WRIST",
              "XKNEE": "AP-XR-LOWER-LIMB", "XANKL": "AP-XR-LOWER-LIMB", "XFOOT": "AP-XR-LOWER-LIMB",
              "XLSPN": "AP-XR-SPINE-PELVIS", "XPELV": "AP-XR-SPINE-PELVIS", "XABDO": "AP-XR-SPINE-PELVIS"}
HAS_GRANTS = hasattr(facts, "Grant") and hasattr(facts, "SignOff") and "grants" in Operator.__dataclass_fields__


def _granted_operator(rng, protocol: str) -> Operator:
    """An AP entitled by grants backed by competency sign-offs: mostly current, some expired, revoked or missing."""
    grants = tuple(
        facts.Grant(protocol=code, tasks=frozenset({"operator"}), granted_by="m.okafor",
                    granted_on=TODAY - dt.timedelta(days=200), review_date=TODAY + dt.timedelta(days=165),
                    required_competencies=_KNOWLEDGE | {practical}, revoked=rng.random() < 0.03)
        for code, practical in _PRACTICAL.items()
    )
    state = rng.choices(["current", "expired", "revoked", "missing"], [85, 6, 3, 6])[0]
    sign_offs = []
    for competency in sorted(_KNOWLEDGE | set(_PRACTICAL.values())):
        signed = TODAY - dt.timedelta(days=rng.randint(30, 600))
        expires = signed + dt.timedelta(days=730)
        if competency == _PRACTICAL[protocol]:
            if state == "missing":
                continue
            if state == "expired":
                expires = TODAY - dt.timedelta(days=rng.randint(1, 60))
        sign_offs.append(facts.SignOff(competency, signed, expires,
                                       revoked=state == "revoked" and competency == _PRACTICAL[protocol]))
    return Operator("ap.granted", frozenset({Role.AP}), grants=grants, sign_offs=tuple(sign_offs))


def _ap_by_grant(rng):
    protocol = rng.choice(list(_PRACTICAL))
    patient = _adult(rng, childbearing_potential=False)
    return _granted_operator(rng, protocol), protocol, patient, Request(protocol, justified=True), _supervised(rng)


SCENARIOS = [
    (30, "ap-in-scope", _ap_in_scope),
    (4, "ap-trauma-extremity", _ap_trauma_hand),
    (14, "radiographer", _radiographer),
    (4, "ct-contrast", _radiographer_ct_contrast),
    (12, "pregnancy-enquiry", _pregnancy),
    (2, "ct-10-day-rule", _ct_high_dose_pregnancy),
    (8, "mri", _mri),
    (8, "ap-patient-group", _ap_patient_group),
    (4, "ap-outside-scope", _ap_outside_scope),
    (4, "entitlement", _entitlement),
    (4, "supervision", _supervision),
    (4, "identity-justification", _identity_and_justification),
    (2, "odd", _odd),
]
if HAS_GRANTS:
    SCENARIOS.append((8, "ap-by-competency-grant", _ap_by_grant))


def build_cases(doc: PolicyDocument, count: int, seed: int) -> tuple[list[Case], collections.Counter[str]]:
    """Return ``count`` distinct cases drawn from the weighted scenarios, and how many of each were drawn."""
    rng = random.Random(seed)
    weights = [w for w, _, _ in SCENARIOS]
    operators = {}  # built once per person, as the web request builds one per decision from the document
    drawn: collections.Counter[str] = collections.Counter()
    cases = []
    for _ in range(count):
        _, label, build = rng.choices(SCENARIOS, weights)[0]
        drawn[label] += 1
        who, _protocol, patient, request, supervision = build(rng)
        if isinstance(who, Operator):
            operator = who
        else:
            if who not in operators:
                operators[who] = doc.operator(who)
            operator = operators[who]
        cases.append(Case(operator, request, patient, supervision, TODAY))
    return cases, drawn


# --- Timing ---------------------------------------------------------------------------------------------------------


def _progress(total: int, desc: str):
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="dec", unit_scale=True, leave=False)


def timed_run(cases: list[Case], policy: Policy, n: int, desc: str, chunk: int = 10_000) -> float:
    """Decide ``n`` cases (cycling through the mix) and return the elapsed seconds of decide() calls alone."""
    bar = _progress(n, desc)
    elapsed = 0.0
    size = len(cases)
    done = 0
    position = 0
    clock = time.perf_counter
    while done < n:
        step = min(chunk, n - done)
        if position + step > size:
            position = 0
        batch = cases[position:position + step]
        start = clock()
        for case in batch:
            decide(case, policy)
        elapsed += clock() - start
        position += step
        done += step
        if bar is not None:
            bar.update(step)
    if bar is not None:
        bar.close()
    return elapsed


def profile(cases: list[Case], policy: Policy, n: int, top: int) -> str:
    profiler = cProfile.Profile()
    batch = (cases * (n // len(cases) + 1))[:n]
    profiler.enable()
    for case in batch:
        decide(case, policy)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    out.write("\n--- cumulative ---\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "cpu_affinity": affinity,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--decisions", type=int, default=200_000, help="decisions per timed run")
    parser.add_argument("-r", "--runs", type=int, default=5, help="timed runs (the median is reported)")
    parser.add_argument("--cases", type=int, default=10_000, help="distinct cases in the mix")
    parser.add_argument("--warmup", type=int, default=50_000, help="decisions before timing")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU (like taskset -c N)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one run")
    parser.add_argument("--top", type=int, default=25, help="functions to show with --profile")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file ('-' for none)")
    args = parser.parse_args(argv)

    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    doc = parse_policy(POLICY_FILE.read_text())
    policy = doc.to_policy(doc.version_label)
    cases, drawn = build_cases(doc, args.cases, args.seed)

    outcomes: collections.Counter[str] = collections.Counter()
    codes: collections.Counter[str] = collections.Counter()
    for case in cases:
        decision = decide(case, policy)
        outcomes[decision.outcome.value] += 1
        codes.update(decision.codes)

    print(f"Decision engine: {len(cases):,} distinct cases from {POLICY_FILE.name} ({len(policy.protocols)} protocols)")
    print("  outcomes: " + ", ".join(f"{k} {v / len(cases):.0%}" for k, v in outcomes.most_common()))
    print(f"  distinct reason codes in the mix: {len(codes)}")
    print(f"  CPU affinity: {sorted(os.sched_getaffinity(0))}")

    timed_run(cases, policy, args.warmup, "warm-up")
    gc.collect()
    runs = []
    for i in range(args.runs):
        seconds = timed_run(cases, policy, args.decisions, f"run {i + 1}/{args.runs}")
        runs.append(seconds)
        per = seconds / args.decisions * 1e6
        print(f"  run {i + 1}: {args.decisions / seconds:>10,.0f} decisions/s  {per:6.2f} µs")

    median = statistics.median(runs)
    best = min(runs)
    rate = args.decisions / median
    print(f"Median: {rate:,.0f} decisions/s, {median / args.decisions * 1e6:.2f} µs per decision "
          f"(best {args.decisions / best:,.0f}/s); target ≥ {TARGET_PER_SECOND:,}/s: "
          f"{'MET' if rate >= TARGET_PER_SECOND else 'MISSED'}")

    profile_text = None
    if args.profile:
        profile_text = profile(cases, policy, min(args.decisions, 100_000), args.top)
        print(profile_text)

    if str(args.output) != "-":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "benchmark": "decision_engine",
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": machine(),
            "policy": str(POLICY_FILE.relative_to(ROOT)),
            "distinct_cases": len(cases),
            "scenario_counts": dict(drawn.most_common()),
            "outcome_share": {k: round(v / len(cases), 4) for k, v in outcomes.most_common()},
            "reason_code_counts": dict(codes.most_common()),
            "decisions_per_run": args.decisions,
            "warmup_decisions": args.warmup,
            "run_seconds": [round(s, 5) for s in runs],
            "decisions_per_second_median": round(rate),
            "decisions_per_second_best": round(args.decisions / best),
            "microseconds_per_decision_median": round(median / args.decisions * 1e6, 3),
            "target_decisions_per_second": TARGET_PER_SECOND,
            "target_met": rate >= TARGET_PER_SECOND,
        }
        args.output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
