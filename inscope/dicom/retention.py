"""Retention of received DICOM objects: once an object has been processed, its stored bytes are only needed while
someone might want to process it again or look at the file; after INSCOPE_DICOM_RETAIN_DAYS they are cleared.

What is kept: the row (SOP Instance UID, study, modality, sender, origin), its size and SHA-256 (so a later copy can
still be recognised as the same object), its state, outcome and reason, the dose study it made, and its audit
trail, to which each pruning adds an entry (``dicom.object_pruned``). Objects waiting to be processed and
quarantined ones are never pruned (a database constraint refuses it too): their bytes are all there is to act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from inscope.audit.services import record
from inscope.dicom.models import ReceivedObject
from inscope.lib.errors import DomainError

State = ReceivedObject.State
PRUNABLE_STATES = (State.PROCESSED, State.IGNORED)


@dataclass(frozen=True)
class PruneResult:
    cutoff: dt.datetime  # objects processed before this were pruned
    objects: int
    bytes: int
    dry_run: bool


def retain_days(days: int | None = None) -> int:
    """The retention period in days: ``days`` if given, else INSCOPE_DICOM_RETAIN_DAYS; at least 1."""
    value = settings.INSCOPE_DICOM_RETAIN_DAYS if days is None else days
    if value < 1:
        raise DomainError(f"The retention period must be at least 1 day, not {value} (INSCOPE_DICOM_RETAIN_DAYS or "
                          "--days).", field="days")
    return value


def prunable(cutoff: dt.datetime) -> QuerySet[ReceivedObject]:
    """Objects processed (or ignored) before ``cutoff`` whose bytes are still stored, oldest first."""
    return (ReceivedObject.objects.defer("data")
            .filter(state__in=PRUNABLE_STATES, processed_at__lt=cutoff, pruned_at__isnull=True)
            .order_by("processed_at", "id"))


def _prune_one(pk: int, cutoff: dt.datetime, days: int, channel: str) -> int | None:
    """Clear one object's bytes if it still qualifies (checked again under the row lock); return the bytes freed,
    or None when it no longer qualifies."""
    with transaction.atomic():
        row = prunable(cutoff).select_for_update().filter(pk=pk).first()
        if row is None:  # re-processed, or pruned by another run, since the list was made
            return None
        row.data, row.pruned_at = b"", timezone.now()
        row.save(update_fields=["data", "pruned_at"])
        record("dicom.object_pruned", row, by=None, channel=channel,
               summary=f"Stored bytes of {row.sop_instance_uid} cleared ({row.size} bytes, processed "
                       f"{timezone.localtime(row.processed_at):%d %b %Y}); row, hash and outcome kept",
               detail={"sha256": row.sha256, "size": row.size, "state": row.state, "outcome": row.outcome,
                       "retain_days": days})
        return row.size


def prune_received_objects(*, days: int | None = None, dry_run: bool = False, channel: str = "cli",
                           now: dt.datetime | None = None,
                           progress: Callable[[list[int]], Iterable[int]] | None = None) -> PruneResult:
    """Clear the stored bytes of objects processed more than the retention period ago (see the module's note).
    Each object is pruned in its own transaction, so a run stopped half-way leaves every object whole or
    pruned-and-audited. ``dry_run`` counts what would be pruned and changes nothing."""
    days = retain_days(days)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    candidates = prunable(cutoff)
    if dry_run:
        total = candidates.aggregate(total=Sum("size"))["total"] or 0
        return PruneResult(cutoff, candidates.count(), total, dry_run=True)
    pks = list(candidates.values_list("pk", flat=True))
    objects = freed = 0
    for pk in progress(pks) if progress is not None else pks:
        size = _prune_one(pk, cutoff, days, channel)
        if size is not None:
            objects, freed = objects + 1, freed + size
    return PruneResult(cutoff, objects, freed, dry_run=False)
