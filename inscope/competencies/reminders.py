"""Reminders before anything lapses: each person is e-mailed about their sign-offs, entitlement grants and
mandatory training that lapse within the window or already have, and managers get a summary.

Each item is sent at most once a day to each person: what was sent is recorded in the audit trail, and a second
run the same day sends only what is new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db.models import Q

from inscope.audit.models import AuditEvent
from inscope.audit.services import record
from inscope.competencies.models import SignOff, TrainingRecord
from inscope.competencies.portfolio import MANDATORY
from inscope.competencies.queries import latest_grants
from inscope.rules.facts import Role
from inscope.staff.models import User

SENT = "reminder.sent"
SUMMARY_SENT = "reminder.summary_sent"


@dataclass(frozen=True)
class Item:
    key: str  # identifies the item and its date, so a renewal is a new item
    what: str
    due: dt.date

    def line(self, on: dt.date) -> str:
        days = (self.due - on).days
        if days < 0:
            return f"{self.what}: lapsed on {self.due.day} {self.due:%B %Y}."
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return f"{self.what}: lapses on {self.due.day} {self.due:%B %Y} ({when})."


@dataclass(frozen=True)
class Result:
    people: int
    managers: int
    items: int


def due_items(person: User, on: dt.date, days: int) -> list[Item]:
    """Return what of the person's lapses within ``days`` of ``on``, or already has, soonest first."""
    limit = on + dt.timedelta(days=days)
    items: list[Item] = []
    latest: dict[str, SignOff] = {}
    for s in SignOff.objects.filter(person=person).select_related("competency").order_by("-signed_on", "-id"):
        latest.setdefault(s.competency.code, s)
    for code, s in latest.items():
        if not s.revoked and s.expires_on is not None and s.expires_on <= limit:
            items.append(Item(f"sign_off:{code}:{s.expires_on}", f"Sign-off of {code} {s.competency.title}",
                              s.expires_on))
    for g in latest_grants(person):
        if not g.revoked and g.review_date <= limit:
            items.append(Item(f"grant:{g.protocol_code}:{g.review_date}",
                              f"Entitlement as operator for {g.protocol_code} (review date)", g.review_date))
    training: dict[str, TrainingRecord] = {}
    for t in TrainingRecord.objects.filter(person=person, course__in=MANDATORY).order_by("-completed_on", "-id"):
        training.setdefault(t.course, t)
    for t in training.values():
        if t.renew_on is not None and t.renew_on <= limit:
            items.append(Item(f"training:{t.course}:{t.renew_on}", f"{t.get_course_display()} training", t.renew_on))
    return sorted(items, key=lambda i: (i.due, i.key))


def _sent_today(action: str, user: User, on: dt.date) -> set[str]:
    keys: set[str] = set()
    events = AuditEvent.objects.filter(action=action, object_type=user._meta.label_lower, object_id=str(user.pk),
                                       at__date=on)
    for event in events:
        keys.update(event.detail.get("items", []))
    return keys


def _people() -> list[User]:
    has_records = Q(sign_offs__isnull=False) | Q(grants__isnull=False) | Q(training__isnull=False)
    return list(User.objects.filter(is_active=True).filter(has_records).distinct().order_by("username"))


def send_reminders(on: dt.date, days: int = 30, *, channel: str = "cli") -> Result:
    people_sent, total = 0, 0
    summary: list[tuple[User, Item]] = []
    for person in _people():
        already = _sent_today(SENT, person, on)
        items = [i for i in due_items(person, on, days) if i.key not in already]
        summary.extend((person, i) for i in items)  # managers hear of it even when the person has no e-mail
        if not items or not person.email:
            continue
        body = "\n".join([f"Dear {person},", "",
                          f"These parts of your record lapse within {days} days, or already have:", "",
                          *(f"- {i.line(on)}" for i in items), "",
                          "Please arrange reassessment, renewal or review with your manager.", "", "InScope"])
        send_mail(f"InScope: {len(items)} item{'s' if len(items) != 1 else ''} to renew", body, None, [person.email])
        record(SENT, person, by=None, channel=channel, summary=f"Expiry reminder: {len(items)} item(s)",
               detail={"items": [i.key for i in items]})
        people_sent += 1
        total += len(items)
    managers_sent = 0
    if summary:
        managers = User.objects.filter(is_active=True, role_assignments__role=Role.MANAGER.value).distinct()
        for manager in managers:
            already = _sent_today(SUMMARY_SENT, manager, on)
            news = [(p, i) for p, i in summary if f"{p.username}:{i.key}" not in already]
            if not news or not manager.email:
                continue
            body = "\n".join([f"Dear {manager},", "", f"Lapsing within {days} days, or already lapsed:", "",
                              *(f"- {p} ({p.username}): {i.line(on)}" for p, i in news), "", "InScope"])
            send_mail(f"InScope: {len(news)} staff item{'s' if len(news) != 1 else ''} lapsing", body, None,
                      [manager.email])
            record(SUMMARY_SENT, manager, by=None, channel=channel, summary=f"Expiry summary: {len(news)} item(s)",
                   detail={"items": [f"{p.username}:{i.key}" for p, i in news]})
            managers_sent += 1
    return Result(people_sent, managers_sent, total)

