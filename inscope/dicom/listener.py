"""The DICOM listener: one Application Entity serving Verification (C-ECHO), the Modality Worklist (C-FIND),
Modality Performed Procedure Step (N-CREATE/N-SET) and Storage (C-STORE) of dose reports and images.

Run it with ``inscope dicom listen``; tests and the benchmark start a ``Listener`` in-process. The handlers are
thin: the worklist is ``inscope.dicom.worklist``, MPPS ``inscope.dicom.mpps``, storage ``inscope.dicom.inbox``.

Storage: each object is written to the database (``inbox.store_received``, idempotent by SOP Instance UID) before
the modality is told it arrived; reading its dose happens afterwards on one worker thread, so a slow extraction
never holds up a modality. Objects stored but not yet processed when the listener stops (or is killed) are
processed when it starts again (``inbox.process_pending``).

Handlers run on pynetdicom's association threads, each with its own database connection, closed when the
association ends.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from pydicom import Dataset
from pydicom import uid as sc
from pydicom.uid import UID
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt

from inscope.department.models import Room
from inscope.dicom import mpps, worklist
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.lib.errors import DomainError

log = logging.getLogger("inscope.dicom.listener")

# The services (pynetdicom's sop_class names are made at run time, so typed code names the UIDs itself).
VERIFICATION = UID("1.2.840.10008.1.1")
MODALITY_WORKLIST_FIND = UID("1.2.840.10008.5.1.4.31")  # Modality Worklist Information Model - FIND
MODALITY_PERFORMED_PROCEDURE_STEP = UID("1.2.840.10008.3.1.2.3.3")

# Dose reports: the X-ray and radiopharmaceutical RDSRs, and the SR classes some vendors use for them.
DOSE_REPORT_STORAGE = (
    sc.XRayRadiationDoseSRStorage,
    sc.RadiopharmaceuticalRadiationDoseSRStorage,
    sc.EnhancedSRStorage,
    sc.ComprehensiveSRStorage,
    sc.Comprehensive3DSRStorage,
)
# Projection X-ray, mammography and fluoroscopy images, whose headers carry dose attributes.
DOSE_IMAGE_STORAGE = (
    sc.DigitalXRayImageStorageForPresentation,
    sc.DigitalXRayImageStorageForProcessing,
    sc.ComputedRadiographyImageStorage,
    sc.DigitalMammographyXRayImageStorageForPresentation,
    sc.DigitalMammographyXRayImageStorageForProcessing,
    sc.DigitalIntraOralXRayImageStorageForPresentation,
    sc.DigitalIntraOralXRayImageStorageForProcessing,
    sc.BreastTomosynthesisImageStorage,
    sc.XRayRadiofluoroscopicImageStorage,
    sc.EnhancedXRFImageStorage,
    sc.XRayAngiographicImageStorage,
    sc.EnhancedXAImageStorage,
)
# Common objects a modality may be set to send everywhere: accepted (so its queue never jams) and, unless they
# carry dose, stored and marked ignored with the reason.
OTHER_STORAGE = (
    sc.CTImageStorage,
    sc.EnhancedCTImageStorage,
    sc.MRImageStorage,
    sc.EnhancedMRImageStorage,
    sc.NuclearMedicineImageStorage,
    sc.PositronEmissionTomographyImageStorage,
    sc.SecondaryCaptureImageStorage,
    sc.BasicTextSRStorage,
    sc.KeyObjectSelectionDocumentStorage,
)
STORAGE_CLASSES = DOSE_REPORT_STORAGE + DOSE_IMAGE_STORAGE + OTHER_STORAGE

# DIMSE statuses
SUCCESS = 0x0000
PENDING = 0xFF00
PENDING_WITH_UNSUPPORTED_KEYS = 0xFF01  # "one or more Optional Keys were not supported"
CANCELLED = 0xFE00
IDENTIFIER_DOES_NOT_MATCH = 0xA900
UNABLE_TO_PROCESS = 0xC000
OUT_OF_RESOURCES = 0xA700


@dataclasses.dataclass(frozen=True)
class ListenerSettings:
    ae_title: str
    bind: str
    port: int
    restrict_calling_ae: bool

    @classmethod
    def from_settings(cls, *, ae_title: str | None = None, bind: str | None = None, port: int | None = None,
                      restrict_calling_ae: bool | None = None) -> ListenerSettings:
        """The Django settings (INSCOPE_DICOM_*), with any of them overridden."""
        return cls(
            ae_title=ae_title or settings.INSCOPE_DICOM_AE_TITLE,
            bind=bind or settings.INSCOPE_DICOM_BIND,
            port=settings.INSCOPE_DICOM_PORT if port is None else port,
            restrict_calling_ae=(settings.INSCOPE_DICOM_RESTRICT_CALLING_AE if restrict_calling_ae is None
                                 else restrict_calling_ae),
        )


def _status(code: int, comment: str) -> Dataset:
    ds = Dataset()
    ds.Status = code
    ds.ErrorComment = comment[:64]
    return ds


def _calling_ae(event: Any) -> str:
    return str(event.assoc.requestor.ae_title or "").strip()


def quiet_pynetdicom() -> None:
    """Stop pynetdicom narrating every message: its standard handlers format each PDU, and it decodes and
    pretty-prints every C-FIND identifier, even when nothing is logged (a large share of a worklist answer's time).
    Process-wide; applies to associations started afterwards."""
    _config.LOG_HANDLER_LEVEL = "none"
    _config.LOG_REQUEST_IDENTIFIERS = False
    _config.LOG_RESPONSE_IDENTIFIERS = False


def registered_ae_titles() -> set[str]:
    """The AE titles registered on rooms: the equipment allowed to call when calling AEs are restricted."""
    return {t.strip() for t in Room.objects.exclude(ae_title="").values_list("ae_title", flat=True)}


class Processor(threading.Thread):
    """Reads the dose out of stored objects, one at a time, off the association threads."""

    def __init__(self, *, pending_first: bool = True) -> None:
        super().__init__(name="inscope-dicom-processor", daemon=True)
        self.queue: queue.Queue[int | None] = queue.Queue()
        self._pending_first = pending_first
        self._deadline: float | None = None

    def enqueue(self, pk: int) -> None:
        self.queue.put(pk)

    def stop(self, *, drain_seconds: float) -> None:
        """Finish what is queued within ``drain_seconds``; anything left stays stored and is processed at restart."""
        self._deadline = time.monotonic() + drain_seconds
        self.queue.put(None)

    def run(self) -> None:
        try:
            if self._pending_first:
                self._process_pending()
            while True:
                pk = self.queue.get()
                try:
                    if pk is None or (self._deadline is not None and time.monotonic() > self._deadline):
                        return
                    self._process(pk)
                finally:
                    self.queue.task_done()
        finally:
            connection.close()

    def _process_pending(self) -> None:
        try:
            from inscope.dicom import inbox

            close_old_connections()
            result = inbox.process_pending()
            if result:
                log.info("Processed objects stored before the listener started: %s", result)
        except Exception:
            log.exception("Could not process the objects stored before the listener started")

    def _process(self, pk: int) -> None:
        try:
            from inscope.dicom import inbox

            close_old_connections()
            obj = ReceivedObject.objects.defer("data").filter(pk=pk, state=ReceivedObject.State.RECEIVED).first()
            if obj is not None:
                outcome = inbox.process_received(obj)
                log.info("Processed %s: %s %s", obj.sop_instance_uid, outcome.status, outcome.message[:200])
        except Exception:
            # The object stays stored (received); it is tried again at the next start.
            log.exception("Processing received object %s failed; it is kept and retried at the next start", pk)


class Listener:
    """The listener's Application Entity and its processing thread; ``start()`` returns once it is listening."""

    def __init__(self, config: ListenerSettings, *, process: bool = True, quiet: bool = True) -> None:
        self.config = config
        self.process = process
        if quiet:
            quiet_pynetdicom()
        self.ae = AE(ae_title=config.ae_title)
        self.ae.add_supported_context(VERIFICATION)
        self.ae.add_supported_context(MODALITY_WORKLIST_FIND)
        self.ae.add_supported_context(MODALITY_PERFORMED_PROCEDURE_STEP)
        for uid in STORAGE_CLASSES:
            self.ae.add_supported_context(uid, ALL_TRANSFER_SYNTAXES)
        self.server: Any = None
        self.processor: Processor | None = None

    @property
    def address(self) -> tuple[str, int]:
        if self.server is None:
            raise RuntimeError("The listener is not running.")
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def start(self) -> tuple[str, int]:
        if self.process:
            self.processor = Processor()
            self.processor.start()
        handlers: list[Any] = [
            (evt.EVT_CONN_OPEN, self._on_connected),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_ACCEPTED, self._on_accepted),
            (evt.EVT_RELEASED, self._on_ended),
            (evt.EVT_ABORTED, self._on_ended),
            (evt.EVT_C_ECHO, self._on_echo),
            (evt.EVT_C_FIND, self._on_find),
            (evt.EVT_N_CREATE, self._on_n_create),
            (evt.EVT_N_SET, self._on_n_set),
            (evt.EVT_C_STORE, self._on_store),
        ]
        self.server = self.ae.start_server((self.config.bind, self.config.port), block=False, evt_handlers=handlers)
        return self.address

    def stop(self, *, grace_seconds: float = 10.0, drain_seconds: float = 5.0) -> None:
        """Stop accepting, let open associations finish (abort them after ``grace_seconds``), stop processing."""
        if self.server is not None:
            server, self.server = self.server, None
            server.shutdown()
            deadline = time.monotonic() + grace_seconds
            while server.active_associations and time.monotonic() < deadline:
                time.sleep(0.05)
            for assoc in server.active_associations:
                log.warning("Aborting the association with %s at shutdown", assoc.requestor.ae_title)
                assoc.abort()
        if self.processor is not None:
            self.processor.stop(drain_seconds=drain_seconds)
            self.processor.join(timeout=drain_seconds + 30)
            self.processor = None

    def wait_until_processed(self, timeout: float = 30.0) -> None:
        """Block until every object queued so far has been processed (for tests)."""
        if self.processor is None:
            return
        deadline = time.monotonic() + timeout
        while self.processor.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.processor.queue.unfinished_tasks:
            raise TimeoutError("received objects were not processed in time")

    # --- Associations ---------------------------------------------------------------------------------------------

    def _on_connected(self, event: Any) -> None:
        """Send each response as soon as it is written (no Nagle delay between a command and its dataset)."""
        try:
            event.assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (AttributeError, OSError):
            log.debug("Could not set TCP_NODELAY on the connection from %s", event.address)

    def _on_requested(self, event: Any) -> None:
        """Refuse a caller whose AE title no room has, when calling AE titles are restricted."""
        if not self.config.restrict_calling_ae:
            return
        primitive = event.assoc.requestor.primitive
        calling = str(primitive.calling_ae_title or "").strip()
        address = f"{event.assoc.requestor.address}:{event.assoc.requestor.port}"
        try:
            close_old_connections()
            allowed = calling in registered_ae_titles()
        except Exception:
            log.exception("Could not read the registered AE titles; refusing %s", calling)
            allowed = False
        if allowed:
            return
        log.warning("Refused an association from %s at %s: no room has this AE title", calling or "(none)", address)
        try:
            self._record_refusal(calling, address, str(primitive.called_ae_title or "").strip())
        except Exception:
            log.exception("Could not record the refused association from %s", calling)
        finally:
            connection.close()
        event.assoc.acse.send_reject(0x01, 0x01, 0x03)  # rejected permanent, service user, calling AE not recognised
        event.assoc.kill()

    def _record_refusal(self, calling: str, address: str, called: str) -> None:
        """One open message per unknown caller, counting its attempts, so a retrying modality cannot flood it."""
        summary = (f"Refused an association from AE title {calling or '(none)'} at {address}: no room has this "
                   f"AE title. Register it on the room (Room.ae_title) if this equipment is ours.")
        existing = (InterfaceMessage.objects.filter(channel=InterfaceMessage.Channel.ASSOCIATION,
                                                    calling_ae_title=calling[:16], dealt_with_at__isnull=True)
                    .order_by("-at").first())
        if existing is not None:
            existing.detail = {**existing.detail, "attempts": int(existing.detail.get("attempts", 1)) + 1,
                               "last_address": address}
            existing.save(update_fields=["detail"])
            return
        InterfaceMessage.objects.create(
            channel=InterfaceMessage.Channel.ASSOCIATION, level=InterfaceMessage.Level.WARNING,
            calling_ae_title=calling[:16], summary=summary[:300],
            detail={"address": address, "called_ae_title": called, "attempts": 1},
        )

    def _on_accepted(self, event: Any) -> None:
        requestor = event.assoc.requestor
        log.info("Association from %s at %s:%s accepted", requestor.ae_title, requestor.address, requestor.port)

    def _on_ended(self, event: Any) -> None:
        connection.close()  # this association's thread is finishing

    # --- Services ---------------------------------------------------------------------------------------------------

    def _on_echo(self, event: Any) -> int:
        log.info("C-ECHO from %s: success", _calling_ae(event))
        return SUCCESS

    def _on_find(self, event: Any) -> Iterator[tuple[int | Dataset, Dataset | None]]:
        calling = _calling_ae(event)
        started = time.perf_counter()
        close_old_connections()
        identifier = None
        try:
            identifier = event.identifier
            query = worklist.parse_query(identifier)
        except worklist.WorklistQueryError as exc:
            log.warning("Worklist query from %s refused: %s", calling, exc.message)
            self._safely(worklist.record_query_failure, calling, exc.message, identifier)
            yield _status(IDENTIFIER_DOES_NOT_MATCH, exc.message), None
            return
        except Exception as exc:
            log.exception("Worklist query from %s could not be read", calling)
            self._safely(worklist.record_query_failure, calling, f"the query could not be read ({exc})", identifier)
            yield _status(UNABLE_TO_PROCESS, "The query could not be read"), None
            return
        pending = PENDING_WITH_UNSUPPORTED_KEYS if query.unsupported else PENDING
        count = 0
        try:
            for item in worklist.answer(query):
                if event.is_cancelled:
                    log.info("Worklist query from %s cancelled after %d items", calling, count)
                    yield CANCELLED, None
                    return
                count += 1
                yield pending, item
        except Exception as exc:
            log.exception("Worklist query from %s failed", calling)
            self._safely(worklist.record_query_failure, calling, f"InScope could not answer it ({exc})", identifier)
            yield _status(UNABLE_TO_PROCESS, "InScope could not answer the query"), None
            return
        log.info("Worklist query from %s: %d item%s in %.1f ms", calling, count, "" if count == 1 else "s",
                 (time.perf_counter() - started) * 1000)
        yield SUCCESS, None

    def _on_n_create(self, event: Any) -> tuple[Dataset, Dataset | None]:
        close_old_connections()
        try:
            return mpps.handle_n_create(event)
        except Exception:
            log.exception("MPPS N-CREATE from %s failed", _calling_ae(event))
            return _status(mpps.PROCESSING_FAILURE, "InScope could not process the MPPS"), None

    def _on_n_set(self, event: Any) -> tuple[Dataset, Dataset | None]:
        close_old_connections()
        try:
            return mpps.handle_n_set(event)
        except Exception:
            log.exception("MPPS N-SET from %s failed", _calling_ae(event))
            return _status(mpps.PROCESSING_FAILURE, "InScope could not process the MPPS"), None

    def _on_store(self, event: Any) -> int | Dataset:
        """Store the object durably, then answer; its dose is read afterwards on the processing thread."""
        from inscope.dicom import inbox

        calling = _calling_ae(event)
        sop_instance_uid = str(event.request.AffectedSOPInstanceUID or "")
        close_old_connections()
        try:
            data = event.encoded_dataset()
            obj, created = inbox.store_received(data, source="listener", calling_ae_title=calling)
        except DomainError as exc:
            log.warning("C-STORE of %s from %s refused: %s", sop_instance_uid, calling, exc.message)
            self._safely(self._record_store_failure, calling, sop_instance_uid, exc.message)
            return _status(UNABLE_TO_PROCESS, exc.message)
        except Exception as exc:
            log.exception("C-STORE of %s from %s could not be stored", sop_instance_uid, calling)
            self._safely(self._record_store_failure, calling, sop_instance_uid, f"it could not be stored ({exc})")
            return _status(OUT_OF_RESOURCES, "InScope could not store the object")
        if created and self.processor is not None:
            self.processor.enqueue(obj.pk)
        if created:
            what = "stored"
        elif obj.state == ReceivedObject.State.QUARANTINED:
            what = f"stored and quarantined: {obj.reason}"
        else:
            what = "a copy of an object already stored"
        log.info("C-STORE from %s: %s %s", calling, sop_instance_uid, what)
        return SUCCESS

    @staticmethod
    def _record_store_failure(calling: str, sop_instance_uid: str, reason: str) -> None:
        InterfaceMessage.objects.create(
            channel=InterfaceMessage.Channel.STORAGE, calling_ae_title=calling[:16],
            summary=f"C-STORE of {sop_instance_uid or 'an object'} from {calling or '?'} failed: {reason}"[:300],
            detail={"sop_instance_uid": sop_instance_uid},
        )

    @staticmethod
    def _safely(func: Any, *args: Any) -> None:
        """Record an interface message without letting a failure to record it break the answer."""
        try:
            func(*args)
        except Exception:
            log.exception("Could not record an interface message")
