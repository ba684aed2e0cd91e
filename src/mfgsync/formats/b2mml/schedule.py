"""ProductionSchedule (V0600) / OperationsSchedule (V0700) <-> ProductionOrders.

Each production order is one request: its item and quantity are the material produced
requirement of its one segment requirement; its BOM revision travels as a property of it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from mfgsync.formats.b2mml.xml import (V0600, V0700, child, children, required_text, root_element, scope, serialize, split_tag,
                                       sub, text_of, timestamp, timestamp_text)
from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.formats.values import decimal
from mfgsync.model.entities import ProductionOrder

_STATES = {V0600: {"planned": "Forecast", "released": "Released"},
           V0700: {"planned": "Forecast", "released": "Released", "in_process": "Running",
                   "completed": "Completed", "closed": "Closed"}}
_REQUEST = {V0600: "ProductionRequest", V0700: "OperationsRequest"}
_PRODUCED = {V0600: "MaterialProducedRequirement", V0700: "MaterialRequirement"}
_PROPERTY = {V0600: "MaterialProducedRequirementProperty", V0700: "MaterialRequirementProperty"}
_BOM_REVISION = "BomRevision"


def read(root: ET.Element) -> list[ProductionOrder]:
    ns = split_tag(root)[0]
    plant = text_of(root, "HierarchyScope/EquipmentID", ns)
    orders = []
    for request in children(root, _REQUEST[ns], ns):
        produced = _produced(request, ns)
        state = child(request, "RequestState", ns)
        states = {v: k for k, v in _STATES[ns].items()}
        status = (state.get("OtherValue") or "") if state is not None and state.text == "Other" else None
        status = status or (states.get((state.text or "").strip()) if state is not None else None) or "planned"
        order: dict[str, Any] = {
            "order_id": required_text(request, "ID", ns),
            "item_id": required_text(produced, "MaterialDefinitionID", ns),
            "qty": decimal(required_text(produced, "Quantity/QuantityString", ns), "QuantityString"),
            "plant_id": text_of(request, "HierarchyScope/EquipmentID", ns) or plant, "status": status,
            "start_date": _day(text_of(request, "StartTime", ns)), "due_date": _day(text_of(request, "EndTime", ns))}
        for prop in children(produced, _PROPERTY[ns], ns):
            if text_of(prop, "ID", ns) == _BOM_REVISION:
                order["bom_revision"] = text_of(prop, "Value/ValueString", ns)
        orders.append(build(ProductionOrder, order))
    return orders


def _produced(request: ET.Element, ns: str) -> ET.Element:
    """The requirement for the order's product. A request of several segments produces
    intermediates on the way: the product is the one ProductProductionRuleID names, else the
    material the last segment produces."""
    produced = [r for r in request.iter(f"{{{ns}}}{_PRODUCED[ns]}")
                if ns == V0600 or text_of(r, "MaterialUse", ns) in (None, "Produced")]
    if not produced:
        raise FormatError("B2MML_MISSING_ELEMENT", f"request {text_of(request, 'ID', ns)} has no produced material")
    product = product_of_rule(next((e.text for e in request.iter(f"{{{ns}}}ProductProductionRuleID") if e.text), None))
    named = [r for r in produced if text_of(r, "MaterialDefinitionID", ns) == product]
    return (named or produced)[-1]


def product_of_rule(rule: str | None) -> str | None:
    """The item a ProductProductionRuleID names: `<item_id> rev <revision>` (as the hub's
    product definitions are named) or the item id alone."""
    if rule is None or not rule.strip():
        return None
    return rule.strip().split(" rev ")[0].strip()


def _day(text: str | None):
    value = timestamp(text)
    return value.date() if value else None


def write(orders: list[ProductionOrder], schedule_id: str, version: str = "V0600") -> str:
    ns = V0600 if version == "V0600" else V0700
    root = root_element("ProductionSchedule" if ns == V0600 else "OperationsSchedule", ns)
    sub(root, "ID", ns, schedule_id)
    if ns == V0700:
        sub(root, "OperationsType", ns, "Production")
    for order in orders:
        request = sub(root, _REQUEST[ns], ns)
        sub(request, "ID", ns, order.order_id)
        if ns == V0600:  # the versions place the scope on either side of the times
            scope(request, ns, order.plant_id)
        if order.start_date:
            sub(request, "StartTime", ns, timestamp_text(order.start_date))
        if order.due_date:
            sub(request, "EndTime", ns, timestamp_text(order.due_date))
        if ns == V0700:
            scope(request, ns, order.plant_id)
            sub(request, "OperationsType", ns, "Production")
            _state(request, ns, order.status)
        requirement = sub(request, "SegmentRequirement", ns)
        sub(requirement, "ID", ns, f"{order.order_id}-1")
        if ns == V0700:
            for name in ("ProcessSegmentID", "OperationsDefinitionID", "OperationsSegmentID"):  # mandatory in V0700
                sub(requirement, name, ns, "production")
        produced = sub(requirement, _PRODUCED[ns], ns)
        if ns == V0700:
            sub(produced, "ID", ns, order.item_id)  # mandatory in V0700
        sub(produced, "MaterialDefinitionID", ns, order.item_id)
        if ns == V0700:
            sub(produced, "MaterialUse", ns, "Produced")
        quantity = sub(produced, "Quantity", ns)
        sub(quantity, "QuantityString", ns, format(order.qty.normalize(), "f"))
        if order.bom_revision:
            prop = sub(produced, _PROPERTY[ns], ns)
            sub(prop, "ID", ns, _BOM_REVISION)
            sub(sub(prop, "Value", ns), "ValueString", ns, order.bom_revision)
        if ns == V0600:
            _state(request, ns, order.status)
    return serialize(root, ns)


def _state(request: ET.Element, ns: str, status: str) -> None:
    code = _STATES[ns].get(status)
    if code:
        sub(request, "RequestState", ns, code)
    else:
        sub(request, "RequestState", ns, "Other", OtherValue=str(status))
