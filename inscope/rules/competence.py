"""Entitlement that follows from evidence: a manager's grant for a protocol is in force only while it is not
revoked, is within its dates, and every competency it requires has a current, unrevoked sign-off
(IR(ME)R 2017 reg 6(3)(b) and Schedule 2(b): operators entitled for tasks they are adequately trained for).
"""

from __future__ import annotations

import datetime as dt

from inscope.rules.decisions import Reason
from inscope.rules.facts import Grant, SignOff
from inscope.rules.reasons import reason


def latest_sign_off(competency: str, sign_offs: tuple[SignOff, ...]) -> SignOff | None:
    """Return the most recent sign-off of a competency; a later revocation or renewal supersedes earlier ones."""
    found = [s for s in sign_offs if s.competency == competency]
    return max(found, key=lambda s: s.signed_on) if found else None


def sign_off_reasons(competency: str, sign_offs: tuple[SignOff, ...], on: dt.date) -> list[Reason]:
    """Return why a competency is not signed off and current on the date."""
    latest = latest_sign_off(competency, sign_offs)
    if latest is None or latest.signed_on > on:
        return [reason("competency-not-signed-off", f"Competency {competency} has not been signed off.")]
    if latest.revoked:
        return [reason("competency-revoked", f"The sign-off of competency {competency} was revoked.")]
    if latest.expires_on is not None and on > latest.expires_on:
        return [
            reason(
                "competency-expired",
                f"Competency {competency} needed reassessment by {latest.expires_on:%d %B %Y}.",
            )
        ]
    return []


def grant_reasons(grant: Grant, sign_offs: tuple[SignOff, ...], on: dt.date) -> list[Reason]:
    """Return why a grant is not in force on the date; an empty list means it is."""
    if grant.revoked:
        return [reason("entitlement-revoked", f"Your entitlement for {grant.protocol} has been revoked.")]
    if grant.granted_on > on:
        return [
            reason("entitlement-not-yet-in-force", f"Your entitlement for {grant.protocol} starts on "
                   f"{grant.granted_on:%d %B %Y}.")
        ]
    if grant.review_date is not None and on > grant.review_date:
        return [
            reason("entitlement-expired", f"Your entitlement for {grant.protocol} passed its review date on "
                   f"{grant.review_date:%d %B %Y}.")
        ]
    reasons: list[Reason] = []
    for competency in sorted(grant.required_competencies):
        reasons.extend(sign_off_reasons(competency, sign_offs, on))
    return reasons
