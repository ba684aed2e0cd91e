"""Safe XML for B2MML: hostile constructs refused, namespaces matched, verb wrappers unwrapped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mfgsync.formats.errors import FormatError, check_size
from mfgsync.formats.values import decimal
from mfgsync.model.timestamps import TimestampOutOfRange, as_utc

V0600 = "http://www.mesa.org/xml/B2MML-V0600"
V0700 = "http://www.mesa.org/xml/B2MML"
NAMESPACES = {V0600: "V0600", V0700: "V0700"}
VERBS = ("Process", "Sync", "Show", "Get", "Acknowledge", "Change", "Cancel", "Respond")


def parse(text: str) -> ET.Element:
    """The root element; any DTD, entity or external reference is refused as hostile."""
    check_size(text)
    try:
        return fromstring(text.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FormatError("XML_HOSTILE", f"refused: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise FormatError("XML_MALFORMED", f"not well-formed XML: {exc}", line=line) from None
    except (ValueError, LookupError, RecursionError) as exc:  # LookupError: an unknown declared encoding
        raise FormatError("XML_MALFORMED", f"not well-formed XML: {exc}") from None


def split_tag(element: ET.Element) -> tuple[str, str]:
    """(namespace, local name) of an element."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def document(root: ET.Element) -> tuple[str, str, ET.Element]:
    """(version, noun, element) of a B2MML document, bare or wrapped in a verb with a DataArea."""
    namespace, local = split_tag(root)
    if namespace not in NAMESPACES:
        raise FormatError("B2MML_UNSUPPORTED_DOCUMENT", f"namespace {namespace!r} is not B2MML V0600 or V0700")
    if local.startswith(VERBS):
        area = child(root, "DataArea", namespace)
        nouns = [e for e in (area if area is not None else []) if split_tag(e)[1] not in VERBS]
        if not nouns:
            raise FormatError("B2MML_MISSING_ELEMENT", f"{local} has no DataArea document")
        root, local = nouns[0], split_tag(nouns[0])[1]
    return NAMESPACES[namespace], local, root


def child(element: ET.Element, name: str, namespace: str) -> ET.Element | None:
    return element.find(f"{{{namespace}}}{name}")


def children(element: ET.Element, name: str, namespace: str) -> list[ET.Element]:
    return element.findall(f"{{{namespace}}}{name}")


def text_of(element: ET.Element | None, path: str, namespace: str) -> str | None:
    """Stripped text at `path` (slash-separated local names), None when absent or empty."""
    node = element
    for name in path.split("/"):
        if node is None:
            return None
        node = child(node, name, namespace)
    value = (node.text or "").strip() if node is not None else ""
    return value or None


def required_text(element: ET.Element, path: str, namespace: str) -> str:
    value = text_of(element, path, namespace)
    if value is None:
        raise FormatError("B2MML_MISSING_ELEMENT", f"{split_tag(element)[1]}/{path} is missing or empty")
    return value


def quantity(element: ET.Element, namespace: str) -> tuple[Decimal, str | None]:
    """(value, unit) of the element's Quantity."""
    raw = required_text(element, "Quantity/QuantityString", namespace)
    return decimal(raw, "QuantityString"), text_of(element, "Quantity/UnitOfMeasure", namespace)


def timestamp(text: str | None) -> datetime | None:
    """An xsd:dateTime as UTC; one without a zone is taken as UTC (MES clocks report plant UTC)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FormatError("EDI_INVALID_DATE", f"{text[:60]!r} is not an xsd:dateTime") from None
    try:
        return as_utc(value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value)
    except TimestampOutOfRange as exc:
        raise FormatError(exc.code, str(exc)) from None


def timestamp_text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def root_element(name: str, namespace: str) -> ET.Element:
    """The root of a document to write: children are written unqualified, in its default namespace."""
    return ET.Element(name, {"xmlns": namespace})


def sub(parent: ET.Element, name: str, namespace: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, name, attrs)
    if text is not None:
        element.text = text
    return element


def serialize(root: ET.Element, namespace: str) -> str:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def scope(parent: ET.Element, ns: str, plant_id: str) -> None:
    """A HierarchyScope naming the plant (site)."""
    element = sub(parent, "HierarchyScope", ns)
    sub(element, "EquipmentID", ns, plant_id)
    sub(element, "EquipmentElementLevel", ns, "Site")
