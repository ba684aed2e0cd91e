"""System-of-record ownership: which system may change which field domain.

Ownership comes from configuration (`ownership:` maps a domain to its owning system). A message
from any other system that changes an owned field is an exception, NOT_SYSTEM_OF_RECORD.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from mfgsync.envelope import EventType
from mfgsync.model.base import Canonical
from mfgsync.model.entities import Item, UomConversion
from mfgsync.model.ordering import WHOLE
from mfgsync.rules.findings import Finding

DEFAULT_OWNERSHIP: dict[str, str] = {
    "item.engineering": "plm",
    "item.planning": "erp",
    "inventory": "wms",
    "production.execution": "mes",
    "supplier": "supplier",
}


@dataclass(frozen=True)
class Domain:
    events: frozenset[EventType]
    item_fields: frozenset[str] = frozenset()  # the Item fields it owns, for item.upserted


E = EventType
DOMAINS: dict[str, Domain] = {
    "item.engineering": Domain(
        frozenset({E.bom_released, E.routing_released, E.eco_approved, E.uom_conversion_upserted}),
        frozenset({"description", "base_uom", "item_type", "revision", "status", "lot_tracked"}),
    ),
    "item.planning": Domain(
        frozenset({E.sourcing_updated, E.po_created, E.po_changed, E.production_released}),
        frozenset({"lead_time_days", "lot_rule", "fixed_lot", "order_min", "order_multiple",
                   "safety_stock", "reorder_point"}),
    ),
    "inventory": Domain(frozenset({E.inventory_moved, E.inventory_snapshot, E.quality_hold, E.quality_released})),
    "production.execution": Domain(frozenset({E.production_reported})),
    "supplier": Domain(frozenset({E.po_acknowledged, E.asn_received, E.invoice_received, E.interchange_received})),
}

# A domain's owner is one system name or several (e.g. one per supplier EDI channel).
Owners = Mapping[str, "str | Collection[str]"]


def ownership_findings(event_type: EventType, source: str, incoming: Canonical, fields_set: set[str],
                       current: Canonical | None, ownership: Owners) -> list[Finding]:
    """NOT_SYSTEM_OF_RECORD findings for what `source` changes but does not own.

    Domains missing from `ownership` keep their default owner. For item.upserted only the fields
    the message set count, and a non-owner may repeat an owned field's current value (or, for a
    new item, leave it at its default): only a change is an exception.
    """
    event_type = EventType(event_type)
    if event_type == E.item_upserted:
        return list(_item_field_findings(source, incoming, fields_set, current, {**DEFAULT_OWNERSHIP, **ownership}))
    domain = _event_domain(event_type, incoming)
    owner = ownership.get(domain, DEFAULT_OWNERSHIP.get(domain)) if domain else None
    if domain is None or _owns(owner, source):
        return []
    return [Finding("NOT_SYSTEM_OF_RECORD",
                    f"{source} may not send {event_type}: {domain} is owned by {_owner_text(owner)}")]


def _event_domain(event_type: EventType, incoming: Canonical) -> str | None:
    if event_type == E.uom_conversion_upserted and isinstance(incoming, UomConversion) and incoming.item_id is None:
        return None  # a global conversion is physics, not any one system's data
    return _DOMAIN_OF_EVENT.get(event_type)


_DOMAIN_OF_EVENT = {event: name for name, domain in reversed(DOMAINS.items()) for event in domain.events}


def _item_field_findings(source: str, incoming: Canonical, fields_set: set[str], current: Canonical | None,
                         owners: Owners) -> Iterator[Finding]:
    for name, domain in DOMAINS.items():
        owner = owners.get(name)
        if _owns(owner, source):
            continue
        for field in sorted(fields_set & domain.item_fields):
            sent, held = getattr(incoming, field, None), _current_value(current, field)
            if sent != held:
                yield Finding("NOT_SYSTEM_OF_RECORD",
                              f"{source} may not change {field} of item {getattr(incoming, 'item_id', '?')} "
                              f"from {held} to {sent}: {name} is owned by {_owner_text(owner)}", field)


def _current_value(current: Canonical | None, field: str) -> object:
    """The value held now; for a new item, the value an unset field takes."""
    if current is not None:
        return getattr(current, field, None)
    return Item.model_fields[field].get_default(call_default_factory=True)


def _owns(owner: str | Collection[str] | None, source: str) -> bool:
    if owner is None:
        return True  # an unowned domain is open to every source
    return source == owner if isinstance(owner, str) else source in owner


def _owner_text(owner: str | Collection[str] | None) -> str:
    return owner if isinstance(owner, str) else " or ".join(sorted(owner or ()))


def field_domains(event_type: EventType, fields_set: set[str]) -> set[str]:
    """The field domains a message writes, which its staleness is judged in: an item upsert
    writes the domains of the fields it sends; every other event writes its entity whole."""
    if event_type == E.item_upserted:
        touched = {name for name, domain in DOMAINS.items() if fields_set & domain.item_fields}
        if touched:
            return touched
    return {WHOLE}


def fields_in_domains(fields_set: set[str], domains: set[str]) -> set[str]:
    """The fields of a message that belong to `domains` (and those no domain owns)."""
    excluded = {f for name, domain in DOMAINS.items() if name not in domains for f in domain.item_fields}
    return fields_set - excluded
