"""REST endpoints for the interfaces: received objects (quarantined, ignored, processed), interface messages,
re-processing and marking messages dealt with.

Mounted at /api/v1/interfaces/. Everything needs MANAGE_INTERFACES; changes go through ``inscope.dicom.inbox``,
as the interface messages screen's do. Errors become responses in one place, inscope/api.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from inscope.dicom import inbox
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.exams.schemas import ErrorOut, ValidationErrorOut
from inscope.staff.models import User
from inscope.staff.permissions import Action, require

router = Router(tags=["Interfaces"])
SOURCE = "api"
MAX_LIMIT = 500

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                           422: ValidationErrorOut}


def _responses(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    table = {ok: schema, 401: ErrorOut, 403: ErrorOut}
    table.update({code: _ERRORS[code] for code in errors})
    return dict(sorted(table.items()))


class ReceivedObjectOut(Schema):
    id: int
    sop_instance_uid: str
    sop_class_uid: str
    study_instance_uid: str
    modality: str
    source: str = Field(description="listener or import")
    calling_ae_title: str
    origin: str = Field(description="the file path, for an import")
    size: int
    sha256: str
    received_at: dt.datetime
    state: str = Field(description="received (waiting), processed, ignored or quarantined")
    outcome: str = Field(description="imported, updated, duplicate, ignored or error; empty while waiting")
    reason: str = Field(description="why it was ignored or quarantined")
    attempts: int
    processed_at: dt.datetime | None
    dose_study_id: int | None
    pruned_at: dt.datetime | None = Field(
        description="When the stored bytes were cleared under INSCOPE_DICOM_RETAIN_DAYS; null while kept.")


class ReceivedObjectsOut(Schema):
    count: int
    objects: list[ReceivedObjectOut]


class InterfaceMessageOut(Schema):
    id: int
    at: dt.datetime
    channel: str = Field(description="worklist, mpps, storage, import or association")
    level: str = Field(description="error or warning")
    calling_ae_title: str
    summary: str
    detail: dict[str, Any]
    received_object_id: int | None
    performed_step_id: int | None
    dealt_with_at: dt.datetime | None
    dealt_with_by: str


class InterfaceMessagesOut(Schema):
    count: int
    messages: list[InterfaceMessageOut]


class ObjectsQuery(Schema):
    state: Literal["received", "processed", "ignored", "quarantined"] | None = None
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT)


class MessagesQuery(Schema):
    open: bool = Field(default=True, description="only messages not yet dealt with")
    channel: Literal["worklist", "mpps", "storage", "import", "association"] | None = None
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT)


class ReprocessOut(Schema):
    status: str = Field(description="imported, updated, duplicate, ignored or error (still quarantined)")
    message: str
    object: ReceivedObjectOut


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    require(user, Action.MANAGE_INTERFACES)
    return user


def _object(pk: int) -> ReceivedObject:
    obj = ReceivedObject.objects.defer("data").filter(pk=pk).first()
    if obj is None:
        raise Http404("No such received object.")
    return obj


@router.get("/objects", response=_responses(200, ReceivedObjectsOut, 422), summary="List received objects")
def list_objects(request: HttpRequest, query: Query[ObjectsQuery]) -> dict[str, Any]:
    """Received objects, newest first, optionally in one state (e.g. ``quarantined``)."""
    _user(request)
    objects = ReceivedObject.objects.defer("data").order_by("-received_at", "-id")
    if query.state:
        objects = objects.filter(state=query.state)
    return {"count": objects.count(), "objects": list(objects[: query.limit])}


@router.get("/objects/{object_id}", response=_responses(200, ReceivedObjectOut, 404), summary="One received object")
def get_object(request: HttpRequest, object_id: int) -> ReceivedObject:
    _user(request)
    return _object(object_id)


@router.post("/objects/{object_id}/reprocess", response=_responses(200, ReprocessOut, 404, 409),
             summary="Re-process a quarantined or ignored object")
def reprocess_object(request: HttpRequest, object_id: int) -> dict[str, Any]:
    """Put the object back in the inbox and process it again; ``status`` says what it came to."""
    user = _user(request)
    obj = _object(object_id)
    outcome = inbox.reprocess(obj, by=user, channel=SOURCE)
    return {"status": outcome.status, "message": outcome.message, "object": obj}


@router.get("/messages", response=_responses(200, InterfaceMessagesOut, 422), summary="List interface messages")
def list_messages(request: HttpRequest, query: Query[MessagesQuery]) -> dict[str, Any]:
    """Interface messages, newest first: by default those not yet dealt with."""
    _user(request)
    messages = InterfaceMessage.objects.order_by("-at", "-id")
    if query.open:
        messages = messages.filter(dealt_with_at__isnull=True)
    if query.channel:
        messages = messages.filter(channel=query.channel)
    return {"count": messages.count(), "messages": list(messages[: query.limit])}


@router.post("/messages/{message_id}/dealt-with", response=_responses(200, InterfaceMessageOut, 404, 409),
             summary="Mark an interface message as dealt with")
def message_dealt_with(request: HttpRequest, message_id: int) -> InterfaceMessage:
    user = _user(request)
    message = InterfaceMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise Http404("No such interface message.")
    return inbox.mark_dealt_with(message, by=user, channel=SOURCE)
