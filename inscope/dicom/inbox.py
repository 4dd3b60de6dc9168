"""The inbox of received DICOM objects: stored durably first, then read for their dose.

Both the storage listener (``inscope dicom listen``) and the file import (``inscope dose import``) come through
here, so a file and a C-STORE of the same object are treated alike:

1. ``store_received`` keeps the object exactly as it arrived, idempotent by SOP Instance UID, and commits before
   the sender is told it arrived. Bad DICOM never raises: an object too broken to name itself is stored under a
   hash and quarantined at once. Only a database failure raises, so the listener can answer with a failure.
2. ``process_received`` reads its dose (``inscope.dicom.extraction``) and records it (``inscope.dose.services``)
   in one transaction with the object's new state: processed, ignored (not a dose object) or quarantined (it
   could not be read or recorded; the dose writes are rolled back). A process killed half-way leaves the object
   received, and ``process_pending`` picks it up at the next start.
3. ``reprocess`` and ``mark_dealt_with`` are what a person does from the interface messages screen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import traceback
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from pydicom import dcmread
from pydicom.filereader import read_partial
from pydicom.tag import BaseTag, Tag

from inscope.audit.services import record
from inscope.dicom.extraction import read_dose_bytes
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.dose.report import DoseReadError, NotADoseObject
from inscope.dose.services import RecordResult, record_dose
from inscope.lib.errors import DomainError, InvalidTransition
from inscope.staff.models import User
from inscope.staff.permissions import Action, require

log = logging.getLogger("inscope.dicom.inbox")

# Only what names the object: read without the pixel data or the SR content tree.
STUDY_INSTANCE_UID = Tag(0x0020, 0x000D)
HEADER_TAGS: list[BaseTag | int] = [Tag(0x0008, 0x0005), Tag(0x0008, 0x0016), Tag(0x0008, 0x0018),
                                    Tag(0x0008, 0x0060), STUDY_INSTANCE_UID]
HASH_KEY_PREFIX = "sha256:"  # the key of an object with no usable SOP Instance UID: a hash prefix, 64 characters
TRACEBACK_LIMIT = 6000

State = ReceivedObject.State


@dataclasses.dataclass(frozen=True)
class ProcessOutcome:
    """What processing one received object came to."""

    status: str  # imported, updated, duplicate, ignored, error
    message: str
    result: RecordResult | None = None
    skipped: bool = False  # it was not waiting to be processed (another process got there first)


@dataclasses.dataclass(frozen=True)
class Header:
    sop_instance_uid: str = ""
    sop_class_uid: str = ""
    study_instance_uid: str = ""
    modality: str = ""
    problem: str = ""  # why the object cannot be taken in (it is quarantined on arrival)


# --- Storing --------------------------------------------------------------------------------------------------------


def _uid(value: Any) -> str:
    return str(value or "").strip().strip("\x00").strip()


def _past_study_uid(tag: Any, vr: Any, length: int) -> bool:
    return bool(tag > STUDY_INSTANCE_UID)


def read_header(data: bytes) -> Header:
    """Read just the identifiers of an object; never raise (a problem is returned instead)."""
    if not data:
        return Header(problem="The object is empty (0 bytes).")
    try:
        # Elements come in tag order, so the identifiers are all read by (0020,000D): stop there, rather than
        # parse a content tree of thousands of items twice (the dose reader reads the whole object later).
        ds = read_partial(io.BytesIO(data), stop_when=_past_study_uid, force=True, specific_tags=HEADER_TAGS)
        if "SOPInstanceUID" not in ds:  # out of order, perhaps: look through the whole object
            ds = dcmread(io.BytesIO(data), force=True, stop_before_pixels=True, specific_tags=HEADER_TAGS)
        meta = getattr(ds, "file_meta", None)
        sop_instance_uid = _uid(ds.get("SOPInstanceUID")) or _uid(meta.get("MediaStorageSOPInstanceUID") if meta
                                                                 else "")
        sop_class_uid = _uid(ds.get("SOPClassUID")) or _uid(meta.get("MediaStorageSOPClassUID") if meta else "")
        study_instance_uid = _uid(ds.get("StudyInstanceUID"))
        modality = str(ds.get("Modality") or "").strip()
    except Exception as exc:  # noqa: BLE001 - any failure to parse is a reason to quarantine, never to crash
        return Header(problem=f"It could not be read as DICOM ({type(exc).__name__}: {exc}).")
    if not sop_instance_uid:
        return Header(sop_class_uid=sop_class_uid[:64], study_instance_uid=study_instance_uid[:64],
                      modality=modality[:4], problem="It has no SOP Instance UID, so it is not a usable DICOM object.")
    if len(sop_instance_uid) > 64:
        return Header(sop_class_uid=sop_class_uid[:64], study_instance_uid=study_instance_uid[:64],
                      modality=modality[:4],
                      problem=f"Its SOP Instance UID is {len(sop_instance_uid)} characters long; at most 64 are "
                              f"allowed ({sop_instance_uid[:80]}…).")
    return Header(
        sop_instance_uid=sop_instance_uid,
        sop_class_uid=sop_class_uid if len(sop_class_uid) <= 64 else "",
        study_instance_uid=study_instance_uid if len(study_instance_uid) <= 64 else "",
        modality=modality if len(modality) <= 4 else "",
    )


def _channel(source: str) -> str:
    channel = InterfaceMessage.Channel
    return channel.IMPORT if source == ReceivedObject.Source.IMPORT else channel.STORAGE


def _audit_channel(source: str) -> str:
    """Imports are run from the command line; what the listener receives comes in by itself."""
    return "cli" if source == ReceivedObject.Source.IMPORT else "system"


def _sender(obj: ReceivedObject) -> str:
    if obj.source == ReceivedObject.Source.IMPORT:
        return f"file {obj.origin}" if obj.origin else "a file import"
    return f"AE {obj.calling_ae_title}" if obj.calling_ae_title else "an unnamed AE"


def store_received(data: bytes, *, source: str, calling_ae_title: str = "",
                   origin: str = "") -> tuple[ReceivedObject, bool]:
    """Store a received object durably; return it and whether it is newly stored and waiting to be processed.

    A second copy of a stored object is not stored again (it returns ``(first, False)``), except that a copy
    which differs from a quarantined first copy replaces it and is processed afresh: that is how a modality or
    an import puts right an object that arrived damaged. Raises only if the database cannot be written.
    """
    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    header = read_header(data)
    key = header.sop_instance_uid or HASH_KEY_PREFIX + digest[: 64 - len(HASH_KEY_PREFIX)]
    fields = {
        "sop_class_uid": header.sop_class_uid,
        "study_instance_uid": header.study_instance_uid,
        "modality": header.modality,
        "source": source,
        "calling_ae_title": calling_ae_title.strip()[:16],
        "origin": origin[-500:],
        "data": data,
        "size": len(data),
        "sha256": digest,
    }
    try:
        with transaction.atomic():
            existing = ReceivedObject.objects.select_for_update().defer("data").filter(sop_instance_uid=key).first()
            if existing is not None:
                return _second_copy(existing, fields, header)
            obj = ReceivedObject.objects.create(sop_instance_uid=key, **fields)
            if header.problem:
                _quarantine(obj, header.problem, detail={"stage": "store"})
            return obj, not header.problem
    except IntegrityError:
        # Another association stored the same object between the look-up and the insert: this copy is a duplicate.
        existing = ReceivedObject.objects.defer("data").filter(sop_instance_uid=key).first()
        if existing is None:
            raise
        with transaction.atomic():
            return _second_copy(existing, fields, header)


def _second_copy(existing: ReceivedObject, fields: dict[str, Any], header: Header) -> tuple[ReceivedObject, bool]:
    """Record a second copy of a stored object; replace a quarantined first copy when this one differs."""
    where = fields["origin"] or fields["calling_ae_title"] or fields["source"]
    if fields["sha256"] == existing.sha256 and existing.pruned_at is not None:
        # The same bytes as the pruned copy (the kept hash proves it): store them again, so it can be re-processed.
        existing.data, existing.pruned_at = fields["data"], None
        existing.save(update_fields=["data", "pruned_at"])
        record("dicom.restored", existing, by=None, channel=_audit_channel(fields["source"]),
               summary=f"An identical copy from {where} restored the pruned stored bytes",
               detail={"sha256": existing.sha256, "source": fields["source"], "origin": fields["origin"]})
        return existing, False
    if fields["sha256"] == existing.sha256:
        log.info("Second identical copy of %s from %s: kept the first", existing.sop_instance_uid, where)
        record("dicom.duplicate_received", existing, by=None, channel=_audit_channel(fields["source"]),
               summary=f"A second identical copy arrived from {where}; the first is kept",
               detail={"source": fields["source"], "calling_ae_title": fields["calling_ae_title"],
                       "origin": fields["origin"]})
        return existing, False
    if existing.state == State.QUARANTINED and not header.problem:
        old_sha = existing.sha256
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.state, existing.outcome, existing.reason, existing.processed_at = State.RECEIVED, "", "", None
        existing.save()
        InterfaceMessage.objects.filter(received_object=existing, dealt_with_at__isnull=True,
                                        level=InterfaceMessage.Level.ERROR).update(
            dealt_with_at=timezone.now(), dealt_with_by="system (a new copy replaced it)")
        record("dicom.replaced", existing, by=None, channel=_audit_channel(fields["source"]),
               summary=f"A different copy from {where} replaced the quarantined one and will be processed",
               detail={"old_sha256": old_sha, "new_sha256": existing.sha256})
        log.info("New copy of quarantined %s from %s replaces it", existing.sop_instance_uid, where)
        return existing, True
    summary = (f"A different copy of {existing.sop_instance_uid} arrived from {where}; the first copy, received "
               f"{timezone.localtime(existing.received_at):%d %b %Y %H:%M}, is kept")
    InterfaceMessage.objects.create(
        channel=_channel(fields["source"]), level=InterfaceMessage.Level.WARNING,
        calling_ae_title=fields["calling_ae_title"], summary=summary[:300], received_object=existing,
        detail={"kept_sha256": existing.sha256, "other_sha256": fields["sha256"], "other_size": fields["size"],
                "other_origin": fields["origin"]},
    )
    record("dicom.duplicate_received", existing, by=None, channel=_audit_channel(fields["source"]), summary=summary,
           detail={"other_sha256": fields["sha256"]})
    log.warning(summary)
    return existing, False


# --- Processing -----------------------------------------------------------------------------------------------------


def _quarantine(obj: ReceivedObject, reason: str, *, detail: dict[str, Any] | None = None) -> None:
    obj.state, obj.outcome, obj.reason, obj.processed_at = State.QUARANTINED, "error", reason, timezone.now()
    obj.dose_study = None
    obj.save(update_fields=["state", "outcome", "reason", "processed_at", "dose_study", "attempts"])
    summary = f"Quarantined {obj.sop_instance_uid} from {_sender(obj)}: {reason}"
    # One open message per quarantined object: the latest attempt's.
    InterfaceMessage.objects.filter(received_object=obj, dealt_with_at__isnull=True,
                                    level=InterfaceMessage.Level.ERROR).update(
        dealt_with_at=timezone.now(), dealt_with_by="system (superseded by a later attempt)")
    InterfaceMessage.objects.create(
        channel=_channel(obj.source), level=InterfaceMessage.Level.ERROR, calling_ae_title=obj.calling_ae_title,
        summary=summary[:300], received_object=obj, detail={"reason": reason, **(detail or {})},
    )
    record("dicom.quarantined", obj, by=None, channel=_audit_channel(obj.source), summary=summary,
           detail={"reason": reason[:2000]})
    log.warning(summary)


def _read(data: bytes) -> tuple[Any, BaseException | None, str]:
    """Read the dose report, returning it or the exception and its traceback."""
    try:
        return read_dose_bytes(data), None, ""
    except Exception as exc:  # noqa: BLE001 - every failure is handled by the caller, by kind
        return None, exc, traceback.format_exc()


def _failure_reason(exc: BaseException, stage: str) -> str:
    if isinstance(exc, DoseReadError):
        return str(exc)  # the reader names the element or content item and the problem
    if isinstance(exc, DomainError):
        return f"The dose could not be recorded: {exc.message}"
    return f"Unexpected error while {stage} the dose ({type(exc).__name__}: {exc}). Re-process it once the cause " \
           f"is fixed."


def process_received(obj: ReceivedObject) -> ProcessOutcome:
    """Read and record the dose of a stored object, and set its state; ``obj`` is updated to match.

    An object no longer waiting (processed meanwhile by another process) is left as it is. A database that
    cannot be written raises, leaving the object waiting to be processed.
    """
    return _process(obj, settled_by="")


def _process(obj: ReceivedObject, *, settled_by: str) -> ProcessOutcome:
    """Process ``obj``; when it goes through, its open error messages are marked dealt with by ``settled_by``."""
    data = ReceivedObject.objects.filter(pk=obj.pk, state=State.RECEIVED).values_list("data", flat=True).first()
    if data is None:
        return _already_handled(obj)
    # Reading is pure computation, done before the transaction so the database is locked only to write.
    report, read_error, read_trace = _read(bytes(data))
    with transaction.atomic():
        row = ReceivedObject.objects.select_for_update().filter(pk=obj.pk).defer("data").first()
        if row is None or row.state != State.RECEIVED:
            return _already_handled(obj)
        row.attempts += 1
        if isinstance(read_error, NotADoseObject):
            outcome = _ignore(row, str(read_error))
        elif read_error is not None:
            if not isinstance(read_error, DoseReadError) or read_error.__cause__ is not None:  # a reader bug
                log.error("Reading the dose of %s failed unexpectedly:\n%s", row.sop_instance_uid, read_trace)
            reason = _failure_reason(read_error, "reading")
            _quarantine(row, reason, detail={"stage": "read", "exception": type(read_error).__name__,
                                             "traceback": read_trace[-TRACEBACK_LIMIT:]})
            outcome = ProcessOutcome("error", reason)
        else:
            outcome = _record(row, report)
        if settled_by and outcome.status != "error":
            # What was said about this object's failure earlier (a quarantine) is settled now.
            InterfaceMessage.objects.filter(received_object=row, dealt_with_at__isnull=True,
                                            level=InterfaceMessage.Level.ERROR).update(
                dealt_with_at=timezone.now(), dealt_with_by=settled_by[:150])
    _copy_state(row, obj)
    return outcome


def _already_handled(obj: ReceivedObject) -> ProcessOutcome:
    row = ReceivedObject.objects.defer("data").filter(pk=obj.pk).first()
    if row is None:
        return ProcessOutcome("error", "The received object no longer exists.", skipped=True)
    _copy_state(row, obj)
    return dataclasses.replace(_stored_outcome(row), skipped=True)


def _record(row: ReceivedObject, report: Any) -> ProcessOutcome:
    try:
        with transaction.atomic():  # a savepoint: a failure leaves no partial dose rows behind
            result = record_dose(report, source=row.source)
    except OperationalError:
        raise  # the database itself is failing: leave the object waiting rather than quarantine it
    except Exception as exc:
        trace = traceback.format_exc()
        if not isinstance(exc, DomainError):  # a refusal says what is wrong; anything else is a fault to look into
            log.error("Recording the dose of %s failed:\n%s", row.sop_instance_uid, trace)
        reason = _failure_reason(exc, "recording")
        _quarantine(row, reason, detail={"stage": "record", "exception": type(exc).__name__,
                                         "traceback": trace[-TRACEBACK_LIMIT:]})
        return ProcessOutcome("error", reason)
    row.state, row.outcome, row.reason = State.PROCESSED, result.status, ""
    row.processed_at, row.dose_study = timezone.now(), result.study
    row.save(update_fields=["state", "outcome", "reason", "processed_at", "dose_study", "attempts"])
    log.debug("Processed %s from %s: %s", row.sop_instance_uid, _sender(row), result.message or result.status)
    return ProcessOutcome(result.status, result.message, result)


def _ignore(row: ReceivedObject, reason: str) -> ProcessOutcome:
    row.state, row.outcome, row.reason, row.processed_at = State.IGNORED, "ignored", reason, timezone.now()
    row.dose_study = None
    row.save(update_fields=["state", "outcome", "reason", "processed_at", "dose_study", "attempts"])
    log.debug("Ignored %s from %s: %s", row.sop_instance_uid, _sender(row), reason)
    return ProcessOutcome("ignored", reason)


def _copy_state(source: ReceivedObject, target: ReceivedObject) -> None:
    for name in ("state", "outcome", "reason", "attempts", "processed_at", "dose_study_id"):
        setattr(target, name, getattr(source, name))
    if "dose_study" in target._state.fields_cache:
        del target._state.fields_cache["dose_study"]


def _stored_outcome(obj: ReceivedObject) -> ProcessOutcome:
    """The outcome an already-handled object came to, as recorded on it."""
    if obj.state == State.PROCESSED:
        return ProcessOutcome(obj.outcome or "imported", "Already processed.")
    if obj.state == State.IGNORED:
        return ProcessOutcome("ignored", obj.reason)
    if obj.state == State.QUARANTINED:
        return ProcessOutcome("error", obj.reason)
    return ProcessOutcome("error", "Not processed yet.")


def process_pending(limit: int | None = None) -> dict[str, int]:
    """Process the objects waiting to be processed, oldest first; return how many came to each status."""
    pending = ReceivedObject.objects.filter(state=State.RECEIVED).order_by("received_at", "id")
    pks = list(pending.values_list("pk", flat=True)[:limit] if limit is not None else pending.values_list("pk",
                                                                                                         flat=True))
    counts: dict[str, int] = {}
    for pk in pks:
        obj = ReceivedObject.objects.defer("data").filter(pk=pk).first()
        if obj is None:
            continue
        outcome = process_received(obj)
        if not outcome.skipped:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


# --- What people do from the interface messages screen ----------------------------------------------------------------


def reprocess(obj: ReceivedObject, *, by: User, channel: str = "web") -> ProcessOutcome:
    """Put a quarantined or ignored object back in the inbox and process it again."""
    require(by, Action.MANAGE_INTERFACES)
    with transaction.atomic():
        row = ReceivedObject.objects.select_for_update().defer("data").filter(pk=obj.pk).first()
        if row is None:
            raise InvalidTransition("That received object no longer exists.")
        if row.state not in (State.QUARANTINED, State.IGNORED):
            raise InvalidTransition(
                f"Only a quarantined or ignored object can be re-processed; {row.sop_instance_uid} is "
                f"{row.get_state_display().lower()}.")
        if row.pruned_at is not None:
            raise InvalidTransition(
                f"{row.sop_instance_uid} cannot be re-processed: its stored bytes were cleared on "
                f"{timezone.localtime(row.pruned_at):%d %b %Y} under the retention setting "
                "(INSCOPE_DICOM_RETAIN_DAYS). Send or import the same object again to restore them, then re-process "
                "it.")
        previous, reason = row.get_state_display().lower(), row.reason
        row.state, row.outcome, row.reason, row.processed_at, row.dose_study = State.RECEIVED, "", "", None, None
        row.save(update_fields=["state", "outcome", "reason", "processed_at", "dose_study"])
        record("dicom.reprocessed", row, by=by, channel=channel,
               summary=f"Re-processing {row.sop_instance_uid} (was {previous})", detail={"previous_reason": reason})
    return _process(obj, settled_by=by.get_username())


def mark_dealt_with(message: InterfaceMessage, *, by: User, channel: str = "web") -> InterfaceMessage:
    """Record that someone has dealt with an interface message, which takes it off the open list."""
    require(by, Action.MANAGE_INTERFACES)
    with transaction.atomic():
        row = InterfaceMessage.objects.select_for_update().filter(pk=message.pk).first()
        if row is None:
            raise InvalidTransition("That interface message no longer exists.")
        if row.dealt_with_at is not None:
            raise InvalidTransition(
                f"This message was already marked as dealt with by {row.dealt_with_by} on "
                f"{timezone.localtime(row.dealt_with_at):%d %b %Y at %H:%M}.")
        row.dealt_with_at, row.dealt_with_by = timezone.now(), by.get_username()
        row.save(update_fields=["dealt_with_at", "dealt_with_by"])
        record("dicom.message_dealt_with", row, by=by, channel=channel,
               summary=f"Marked as dealt with: {row.summary}"[:300])
    message.dealt_with_at, message.dealt_with_by = row.dealt_with_at, row.dealt_with_by
    return row
