"""The content tree of a structured report as light ``Node`` objects, read in one pass.

pydicom parses the nested sequences of an SR lazily, one ``Dataset`` per content item, which is slow for large
dose reports (about a second for an 89-event fluoroscopy report). This module reads only what the dose reader
needs straight from the encoded bytes of a content sequence: for each content item its relationship, value type,
concept name, value (text, UID, date-time, code or number with unit) and children. A content item that is not a
container and whose concept the reader never looks at (``codes.READ_CONCEPTS``) is skipped as soon as its concept
name is read. Sequences pydicom has already parsed (undefined-length ones, or a dataset built in memory) are read
from their ``Dataset`` items, and any encoded sequence inside them from its bytes again, so both kinds of input
give the same tree.

Malformed encodings raise ``TreeError`` with the byte offset; callers turn it into a ``DoseReadError``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

from inscope.dicom.extraction.codes import READ_CONCEPTS

Decode = Callable[[bytes], str]
Found = dict[int, Any]  # the tags read from one item: bytes (or pydicom values) for values, lists for sequences

MAX_DEPTH = 48  # content trees are rarely deeper than 6; a deeper one is hostile or corrupt
UNDEFINED = 0xFFFFFFFF
ITEM = 0xFFFEE000
ITEM_END = 0xFFFEE00D
SEQUENCE_END = 0xFFFEE0DD

# Tags read from content items (PS3.3 C.17.3) and from the code and measured-value items inside them.
RELATIONSHIP_TYPE = 0x0040A010
VALUE_TYPE = 0x0040A040
CONCEPT_NAME = 0x0040A043
CONCEPT_CODE = 0x0040A168
MEASURED_VALUE = 0x0040A300
NUMERIC_VALUE = 0x0040A30A
FLOATING_POINT_VALUE = 0x0040A161
UNITS = 0x004008EA
TEXT_VALUE = 0x0040A160
UID = 0x0040A124
DATETIME = 0x0040A120
DATE = 0x0040A121
TIME = 0x0040A122
PERSON_NAME = 0x0040A123
CONTENT = 0x0040A730
CODE_VALUE = 0x00080100
CODING_SCHEME = 0x00080102
CODE_MEANING = 0x00080104
LONG_CODE_VALUE = 0x00080119
URN_CODE_VALUE = 0x00080120

SEQUENCES = frozenset({CONCEPT_NAME, CONCEPT_CODE, MEASURED_VALUE, UNITS, CONTENT})
CODE_SEQUENCES = frozenset({CONCEPT_NAME, CONCEPT_CODE, UNITS})
VALUES = frozenset({RELATIONSHIP_TYPE, VALUE_TYPE, NUMERIC_VALUE, FLOATING_POINT_VALUE, TEXT_VALUE, UID, DATETIME,
                    DATE, TIME, PERSON_NAME, CODE_VALUE, CODING_SCHEME, CODE_MEANING, LONG_CODE_VALUE,
                    URN_CODE_VALUE})
DECODED = frozenset({TEXT_VALUE, CODE_MEANING, PERSON_NAME})  # text in the dataset's character set
TEXT_TAGS = {"TEXT": TEXT_VALUE, "UIDREF": UID, "DATETIME": DATETIME, "DATE": DATE, "TIME": TIME,
             "PNAME": PERSON_NAME}

# Explicit VRs whose length field is 4 bytes (after 2 reserved bytes), and those whose length field is 2 bytes.
LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"})
SHORT_VRS = frozenset({b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"PN",
                       b"SH", b"SL", b"SS", b"ST", b"TM", b"UI", b"UL", b"US"})
# Scheme designators that name the same code system (SNOMED RT was written SRT, SNM3 and 99SDM).
SCHEME_ALIASES = {"SNM3": "SRT", "99SDM": "SRT", "SNOMED-CT": "SCT", "SNOMED": "SCT"}


def _wanted() -> frozenset[tuple[bytes, bytes]]:
    aliases: dict[str, list[str]] = {}
    for alias, scheme in SCHEME_ALIASES.items():
        aliases.setdefault(scheme, []).append(alias)
    wanted: set[tuple[bytes, bytes]] = set()
    for scheme, value in READ_CONCEPTS:
        for name in [scheme, *aliases.get(scheme, [])]:
            wanted.add((name.encode(), value.encode()))
    return frozenset(wanted)


WANTED = _wanted()


class TreeError(ValueError):
    """The encoded content tree is malformed."""


class Node:
    """One content item."""

    __slots__ = ("relationship", "value_type", "concept", "meaning", "text", "code", "number", "unit",
                 "has_measured_value", "children")

    def __init__(self) -> None:
        self.relationship = ""
        self.value_type = ""
        self.concept: tuple[str, str] | None = None  # (scheme, code value)
        self.meaning = ""
        self.text: str | None = None  # TEXT, UIDREF, DATETIME, DATE, TIME, PNAME value
        self.code: tuple[str, str, str] | None = None  # CODE value: (scheme, code value, meaning)
        self.number: str | None = None  # NUM value as written (a decimal string, perhaps several)
        self.unit: str | None = None  # the NUM value's unit code (or its meaning when the code is empty)
        self.has_measured_value = False
        self.children: list[Node] = []

    def label(self) -> str:
        """How a message names this item: its meaning and code, e.g. "DLP (DCM 113838)"."""
        if self.concept is None:
            return f"a {self.value_type or 'content'} item with no concept name"
        scheme, value = self.concept
        return f"{self.meaning or value} ({scheme} {value})"

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Node {self.value_type} {self.concept} {self.text or self.code or self.number}>"


def skip(found: Found) -> bool:
    """Whether a content item can be left unread: not a container, and a concept the reader does not look at."""
    value_type = found.get(VALUE_TYPE)
    if value_type is not None:
        if isinstance(value_type, bytes):
            if value_type[:9] == b"CONTAINER":
                return False
        elif str(value_type).strip() == "CONTAINER":
            return False
    names = found.get(CONCEPT_NAME)
    if not names:
        return True
    name = names[0]
    value, scheme = name.get(CODE_VALUE, b""), name.get(CODING_SCHEME, b"")
    if not isinstance(value, bytes):
        value = str(value).encode("ascii", "replace")
    if not isinstance(scheme, bytes):
        scheme = str(scheme).encode("ascii", "replace")
    return (scheme.strip(b" \x00").upper(), value.strip(b" \x00")) not in WANTED


# --- Reading encoded bytes ----------------------------------------------------------------------------------------


class _Reader:
    """Reads sequence items from encoded bytes, keeping only the tags above."""

    def __init__(self, data: bytes, *, little_endian: bool) -> None:
        self.data = data
        self.size = len(data)
        endian = "<" if little_endian else ">"
        self.header = struct.Struct(endian + "HH2sH").unpack_from  # tag, explicit VR, short length
        self.u32 = struct.Struct(endian + "I").unpack_from
        self.tag_length = struct.Struct(endian + "HHI").unpack_from  # tag, 4-byte length (items, implicit VR)
        self.u16 = struct.Struct(endian + "H").unpack_from
        tag = struct.Struct(endian + "HH").pack
        self.item_tag = tag(0xFFFE, 0xE000)
        self.code_value_header = tag(0x0008, 0x0100) + b"SH"
        self.scheme_header = tag(0x0008, 0x0102) + b"SH"

    def sequence(self, pos: int, length: int, depth: int, implicit: bool,  # noqa: C901
                 content: bool = False) -> tuple[list[Found], int]:
        """The items of the sequence whose value starts at ``pos``; with ``content``, the content items the
        reader does not look at are left out. (One loop, kept whole: it runs for every item of a large report.)"""
        if depth > MAX_DEPTH:
            raise TreeError(f"content nested more than {MAX_DEPTH} levels deep at byte {pos}")
        data, size, tag_length = self.data, self.size, self.tag_length
        end = None if length == UNDEFINED else pos + length
        if end is not None and end > size:
            raise TreeError(f"a sequence at byte {pos} says it is {length} bytes long, past the end of the data")
        items: list[Found] = []
        while end is None or pos < end:
            if pos + 8 > size:
                raise TreeError(f"the data ends inside a sequence (byte {pos})")
            group, element, item_length = tag_length(data, pos)
            tag = group << 16 | element
            pos += 8
            if tag == SEQUENCE_END:
                if end is not None:
                    raise TreeError(f"a sequence delimiter inside a sequence of defined length (byte {pos - 8})")
                return items, pos
            if tag != ITEM:
                raise TreeError(f"expected a sequence item at byte {pos - 8}, found tag ({group:04X},{element:04X})")
            if item_length == UNDEFINED:
                item, pos = self.dataset(pos, None, depth, implicit, content)
                if item is not None and content and skip(item):
                    item = None
            else:
                item_end = pos + item_length
                if item_end > (size if end is None else end):
                    raise TreeError(f"an item at byte {pos - 8} runs past the end of its sequence")
                item, stop = self.dataset(pos, item_end, depth, implicit, content)
                if item is not None and stop != item_end:
                    raise TreeError(f"an item at byte {pos - 8} does not end where its length says")
                pos = item_end
            if item is not None:
                items.append(item)
        if pos != end:
            raise TreeError(f"a sequence does not end where its length says (byte {pos})")
        return items, pos

    def dataset(self, pos: int, end: int | None, depth: int, implicit: bool,  # noqa: C901
                content: bool = False) -> tuple[Found | None, int]:
        """The wanted tags of the item whose elements start at ``pos`` (up to ``end``, or its delimiter). A content
        item of defined length the reader does not look at is skipped as soon as its concept name is read: None.
        (One loop, kept whole: it runs for every element of a large report, where a call per element costs.)"""
        data = self.data
        header, u32, tag_length = self.header, self.u32, self.tag_length
        found: Found = {}
        limit = self.size if end is None else end
        start = pos
        while end is None or pos < end:
            if pos + 8 > limit:
                raise TreeError(f"the data ends inside a sequence item (byte {pos})")
            if implicit:
                group, element, length = tag_length(data, pos)
                vr = b""
                pos += 8
            else:
                group, element, vr, length = header(data, pos)
                if group == 0xFFFE:
                    group, element, length = tag_length(data, pos)
                    vr = b""
                    pos += 8
                elif vr in SHORT_VRS:
                    pos += 8
                elif vr in LONG_VRS:
                    if pos + 12 > limit:
                        raise TreeError(f"the data ends inside an element header (byte {pos})")
                    (length,) = u32(data, pos + 8)
                    pos += 12
                elif pos == start:
                    # Some writers switch to implicit VR inside the sequences of an explicit VR file: read the
                    # item again that way (only from its start, so a garbled element is not misread).
                    return self.dataset(start, end, depth, True, content)
                else:
                    raise TreeError(f"unknown value representation {vr!r} for ({group:04X},{element:04X}) at "
                                    f"byte {pos}")
            tag = group << 16 | element
            if group == 0xFFFE:
                if tag == ITEM_END and end is None:
                    return found, pos
                raise TreeError(f"unexpected delimiter ({group:04X},{element:04X}) at byte {pos - 8}")
            if vr == b"SQ" or length == UNDEFINED or (tag in SEQUENCES and (not vr or vr == b"UN")):
                # A sequence; one encoded as UN (or of undefined length) is implicit VR little endian inside.
                if tag in CODE_SEQUENCES and vr == b"SQ" and length != UNDEFINED:
                    if content and tag == CONCEPT_NAME and end is not None and self.unwanted(found, pos, length):
                        return None, end
                    items = self.codes(pos, length, depth + 1)
                    pos += length
                else:
                    items, pos = self.sequence(pos, length, depth + 1, implicit or vr == b"UN", tag == CONTENT)
                if tag in SEQUENCES and tag not in found:
                    found[tag] = items
                    if content and tag == CONCEPT_NAME and end is not None and skip(found):
                        return None, end
                continue
            if pos + length > limit:
                raise TreeError(f"the value of ({group:04X},{element:04X}) at byte {pos} runs past the end of "
                                "its item")
            if tag in VALUES and tag not in found:
                found[tag] = data[pos:pos + length]
            pos += length
        return found, pos

    def unwanted(self, found: Found, pos: int, length: int) -> bool:
        """Whether a content item can be skipped, judged from the bytes of its concept name where they are laid out
        as usual (an item of defined length starting with Code Value, then Coding Scheme Designator); False when
        they are not, or the item is wanted (the concept name is then read in full)."""
        value_type = found.get(VALUE_TYPE)
        if not isinstance(value_type, bytes) or value_type[:9] == b"CONTAINER" or length < 24:
            return False
        data, start = self.data, pos + 8
        if data[pos:pos + 4] != self.item_tag or data[start:start + 6] != self.code_value_header:
            return False
        (value_length,) = self.u16(data, start + 6)
        value = data[start + 8:start + 8 + value_length]
        start += 8 + value_length
        if data[start:start + 6] != self.scheme_header or start + 8 > pos + length:
            return False
        (scheme_length,) = self.u16(data, start + 6)
        scheme = data[start + 8:start + 8 + scheme_length]
        return (scheme.strip(b" \x00").upper(), value.strip(b" \x00")) not in WANTED

    def codes(self, pos: int, length: int, depth: int) -> list[Found]:
        """A code sequence (explicit VR, defined length) read flat; by ``sequence`` if it holds anything but
        simple elements in defined-length items."""
        data, header, tag_length, u32 = self.data, self.header, self.tag_length, self.u32
        end = pos + length
        if end > self.size:
            raise TreeError(f"a sequence at byte {pos} says it is {length} bytes long, past the end of the data")
        items: list[Found] = []
        start = pos
        while pos < end:
            if pos + 8 > end:
                raise TreeError(f"the data ends inside a sequence (byte {pos})")
            group, element, item_length = tag_length(data, pos)
            if (group << 16 | element) != ITEM or item_length == UNDEFINED or pos + 8 + item_length > end:
                return self.sequence(start, length, depth, False)[0]
            pos += 8
            item_end = pos + item_length
            found: Found = {}
            while pos < item_end:
                if pos + 8 > item_end:
                    raise TreeError(f"the data ends inside a sequence item (byte {pos})")
                group, element, vr, value_length = header(data, pos)
                if vr not in SHORT_VRS:
                    if vr in LONG_VRS and vr != b"SQ" and pos + 12 <= item_end:
                        (value_length,) = u32(data, pos + 8)
                        if value_length == UNDEFINED:
                            return self.sequence(start, length, depth, False)[0]
                        pos += 12 + value_length
                        continue
                    return self.sequence(start, length, depth, False)[0]
                pos += 8
                tag = group << 16 | element
                if tag in VALUES and tag not in found:
                    found[tag] = data[pos:pos + value_length]
                pos += value_length
            if pos != item_end:
                raise TreeError(f"an item at byte {item_end - item_length - 8} does not end where its length says")
            items.append(found)
        return items


# --- From found values to nodes ---------------------------------------------------------------------------------


def _as_text(value: Any, decode: Decode | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            text = decode(raw) if decode else raw.decode("latin-1")
        return text.strip(" \x00")
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(_as_text(v) for v in value)
    return str(value).strip(" \x00")


def _code(found: Found, decode: Decode) -> tuple[str, str, str] | None:
    value = _as_text(found.get(CODE_VALUE)) or _as_text(found.get(LONG_CODE_VALUE)) or _as_text(
        found.get(URN_CODE_VALUE))
    scheme = _as_text(found.get(CODING_SCHEME)).upper()
    meaning = _as_text(found.get(CODE_MEANING), decode)
    if not (value or meaning):
        return None
    return SCHEME_ALIASES.get(scheme, scheme), value, meaning


def _first(items: Any) -> Found | None:
    return items[0] if isinstance(items, list) and items else None


def _floating(value: Any, little_endian: bool) -> str:
    if isinstance(value, bytes | bytearray):
        if len(value) < 8:
            return ""
        (number,) = struct.unpack_from("<d" if little_endian else ">d", value, 0)
        return repr(number)
    return _as_text(value)


def _node(found: Found, decode: Decode, little_endian: bool, depth: int) -> Node:
    node = Node()
    node.relationship = _as_text(found.get(RELATIONSHIP_TYPE)).upper()
    node.value_type = value_type = _as_text(found.get(VALUE_TYPE)).upper()
    name = _first(found.get(CONCEPT_NAME))
    if name is not None:
        code = _code(name, decode)
        if code is not None:
            node.concept = (code[0], code[1])
            node.meaning = code[2]
    if value_type == "NUM":
        _measured_value(node, found.get(MEASURED_VALUE), decode, little_endian)
    elif value_type == "CODE":
        concept = _first(found.get(CONCEPT_CODE))
        if concept is not None:
            node.code = _code(concept, decode)
    elif value_type in TEXT_TAGS:
        tag = TEXT_TAGS[value_type]
        if tag in found:
            node.text = _as_text(found[tag], decode if tag in DECODED else None)
    children = found.get(CONTENT)
    if isinstance(children, list) and children:
        if depth > MAX_DEPTH:
            raise TreeError(f"content nested more than {MAX_DEPTH} levels deep")
        node.children = [_node(child, decode, little_endian, depth + 1) for child in children]
    return node


def _measured_value(node: Node, measured: Any, decode: Decode, little_endian: bool) -> None:
    node.has_measured_value = bool(measured)
    first = _first(measured)
    if first is None:
        return
    if NUMERIC_VALUE in first:
        node.number = _as_text(first[NUMERIC_VALUE])
    elif FLOATING_POINT_VALUE in first:
        node.number = _floating(first[FLOATING_POINT_VALUE], little_endian)
    unit = _first(first.get(UNITS))
    if unit is not None:
        unit_code = _code(unit, decode)
        if unit_code is not None:
            node.unit = unit_code[1] or unit_code[2]


# --- From pydicom datasets ------------------------------------------------------------------------------------------


def get_element(ds: Dataset, tag: int) -> DataElement | RawDataElement | None:
    """An element as stored, without pydicom converting its value (so a malformed one cannot raise here); a value
    whose read was deferred (``dcmread(defer_size=...)``) is read now, or counts as absent if it cannot be."""
    element = ds.get_item(tag, keep_deferred=True)
    if isinstance(element, RawDataElement) and element.value is None and element.length:
        try:
            return ds[tag]
        except Exception:  # noqa: BLE001 - an unreadable deferred value counts as absent
            return None
    return element


def _found_from_dataset(ds: Dataset, depth: int, content: bool) -> Found | None:
    """The tags above from a pydicom dataset item, its encoded sequences read from their bytes; None for a content
    item the reader does not look at."""
    found: Found = {}
    if content:
        for tag in (VALUE_TYPE, CONCEPT_NAME):
            element = get_element(ds, tag)
            if element is not None:
                found[tag] = _items(element, depth + 1, False) if tag == CONCEPT_NAME else element.value
        if skip(found):
            return None
    for key in tuple(ds.keys()):
        tag = int(key)
        if tag in found or (tag not in VALUES and tag not in SEQUENCES):
            continue
        element = get_element(ds, tag)
        if element is not None:
            found[tag] = _items(element, depth + 1, tag == CONTENT) if tag in SEQUENCES else element.value
    return found


def _items(element: DataElement | RawDataElement, depth: int, content: bool) -> list[Found]:
    if depth > MAX_DEPTH:
        raise TreeError(f"content nested more than {MAX_DEPTH} levels deep")
    if isinstance(element, RawDataElement):
        value = element.value
        if not value:
            return []
        if not isinstance(value, bytes | bytearray):
            raise TreeError("a sequence element holds no encoded items")
        implicit = bool(element.is_implicit_VR) or element.VR == "UN"
        reader = _Reader(bytes(value), little_endian=bool(element.is_little_endian))
        items, _ = reader.sequence(0, len(value), depth, implicit, content)
        return items
    value = element.value
    if isinstance(value, Sequence | list):
        found = (_found_from_dataset(item, depth, content) for item in value if isinstance(item, Dataset))
        return [item for item in found if item is not None]
    return []


def _little_endian(ds: Dataset, element: DataElement | RawDataElement) -> bool:
    if isinstance(element, RawDataElement):
        return bool(element.is_little_endian)
    encoding = getattr(ds, "original_encoding", None)
    return bool(encoding[1]) if encoding and encoding[1] is not None else True


def content_nodes(ds: Dataset, decode: Decode) -> list[Node]:
    """The content items directly under the dataset (its Content Sequence), each with its subtree."""
    element = get_element(ds, CONTENT)
    if element is None:
        return []
    little_endian = _little_endian(ds, element)
    return [_node(found, decode, little_endian, 1) for found in _items(element, 1, True)]


def concept_name(ds: Dataset, decode: Decode) -> tuple[str, str, str] | None:
    """The document title (Concept Name Code Sequence) of an SR, as (scheme, code value, meaning)."""
    element = get_element(ds, CONCEPT_NAME)
    if element is None:
        return None
    first = _first(_items(element, 1, False))
    return _code(first, decode) if first is not None else None
