"""ProductDefinition (V0600) <-> Bom: a revision's bill of materials, as MES learns it.

Where each field of the BOM goes in the V0600 schema (which has no place for effectivity on a
product definition, nor for line numbers, scrap or alternates on a material specification, so
those travel as the parameters and properties ISA-95 provides for such attributes):

- ProductDefinition ID and BillOfMaterialsID: `<item_id> rev <revision>`; Version: the revision;
  HierarchyScope: the plant (site), when the BOM is a plant's.
- One ProductSegment of the same ID: its Parameters `EffectiveFrom`, `EffectiveTo` (DataType
  date) and `Status`; one MaterialSpecification `Produced` for the item, quantity 1 (every
  `qty_per` is per one of it); one MaterialSpecification `Consumed` per line: the component as
  MaterialDefinitionID, Quantity `qty_per` in its Rec 20 unit, and the properties `LineNumber`,
  `ScrapPercent` (unit P1), `AlternateGroup`, `AlternatePriority`, `EffectiveFrom`, `EffectiveTo`
  of the lines that have them.

A routing revision is a ProductDefinition of the same ID whose BillOfResourcesID names it: one
ProductSegment of that ID carrying the routing's `EffectiveFrom`, `EffectiveTo` and `Status`
parameters, and in it one ProductSegment per operation, in op_no order (ID `<definition> op
<op_no>`, the description, the parameters `OperationNumber`, `SetupMinutes` and
`RunMinutesPerUnit` (unit MIN) and `WorkInstruction`, the work center as the EquipmentClassID of
its EquipmentSpecification, and a SegmentDependency `AfterEnd` on the operation before it).

The orders an applied ECO moves to a revision go to MES as a ProductionSchedule (schedule.write):
each order with its new `BomRevision`. The schedule needs each order's quantity; a moves notice
that does not carry it cannot be rendered (`orders_moved` says which order lacks it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from typing import Any

from mfgsync.formats.b2mml import schedule
from mfgsync.formats.b2mml.xml import (V0600, children, required_text, root_element, scope, serialize, split_tag, sub,
                                       text_of)
from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.formats.values import number_text
from mfgsync.model.entities import Bom, BomLine, Operation, ProductionOrder, Routing

_SPECIFICATION = "MaterialSpecification"
_PROPERTY = "MaterialSpecificationProperty"
# the line fields carried as properties: (property ID, field, DataType, unit)
_LINE_PROPERTIES = (("LineNumber", "line_no", "integer", None), ("ScrapPercent", "scrap_pct", "decimal", "P1"),
                    ("AlternateGroup", "alternate_group", "string", None),
                    ("AlternatePriority", "alternate_priority", "integer", None),
                    ("EffectiveFrom", "effective_from", "date", None), ("EffectiveTo", "effective_to", "date", None))
_BOM_PARAMETERS = (("EffectiveFrom", "effective_from", "date"), ("EffectiveTo", "effective_to", "date"),
                   ("Status", "status", "string"))
# the operation fields carried as parameters: (parameter ID, field, DataType, unit)
_OPERATION_PARAMETERS = (("OperationNumber", "op_no", "integer", None), ("SetupMinutes", "setup_minutes", "decimal", "MIN"),
                         ("RunMinutesPerUnit", "run_minutes_per_unit", "decimal", "MIN"),
                         ("WorkInstruction", "instruction_ref", "string", None))


def definition_id(item_id: str, revision: str) -> str:
    """The name a revision is known by in every target: `<item_id> rev <revision>`."""
    return f"{item_id} rev {revision}"


def write(bom: Bom, plant_id: str | None = None) -> str:
    """The ProductDefinition of `bom`, scoped to `plant_id` (default: the BOM's own plant)."""
    root, segment = _definition(bom, plant_id or bom.plant_id, "BillOfMaterialsID")
    _specification(segment, bom.item_id, "Produced", Decimal(1), None)
    for line in bom.lines:
        _line(segment, line)
    return serialize(root, V0600)


def _definition(revision: Bom | Routing, plant: str | None, bill: str) -> tuple[ET.Element, ET.Element]:
    """A revision's ProductDefinition and its one ProductSegment, both named `<item_id> rev
    <revision>`, the revision's effectivity and status the segment's parameters."""
    ns, name = V0600, definition_id(revision.item_id, revision.revision)
    root = root_element("ProductDefinition", ns)
    sub(root, "ID", ns, name)
    sub(root, "Version", ns, revision.revision)
    if plant:
        scope(root, ns, plant)
    sub(root, bill, ns, name)
    segment = sub(root, "ProductSegment", ns)
    sub(segment, "ID", ns, name)
    for parameter_id, field, data_type in _BOM_PARAMETERS:
        value = getattr(revision, field)
        if value is not None:
            _value(_named(segment, "Parameter", parameter_id), _text(value), data_type)
    return root, segment


def write_routing(routing: Routing) -> str:
    """The ProductDefinition of a routing revision: its operations as product segments."""
    root, segment = _definition(routing, routing.plant_id, "BillOfResourcesID")
    name, before = definition_id(routing.item_id, routing.revision), None
    for op in sorted(routing.operations, key=lambda op: op.op_no):
        before = _operation(segment, name, op, before)
    return serialize(root, V0600)


def _operation(parent: ET.Element, name: str, op: Operation, before: str | None) -> str:
    ns, segment_id = V0600, f"{name} op {op.op_no}"
    segment = sub(parent, "ProductSegment", ns)
    sub(segment, "ID", ns, segment_id)
    if op.description:
        sub(segment, "Description", ns, op.description)
    for parameter_id, field, data_type, unit in _OPERATION_PARAMETERS:
        value = getattr(op, field)
        if value is not None:
            _value(_named(segment, "Parameter", parameter_id), _text(value), data_type, unit)
    sub(sub(segment, "EquipmentSpecification", ns), "EquipmentClassID", ns, op.work_center)
    if before:
        dependency = _named(segment, "SegmentDependency", f"{segment_id} after {before}")
        sub(dependency, "Dependency", ns, "AfterEnd")
        sub(dependency, "ProductSegmentID", ns, before)
    return segment_id


def _line(segment: ET.Element, line: BomLine) -> None:
    specification = _specification(segment, line.component_id, "Consumed", line.qty_per, line.uom)
    for property_id, field, data_type, unit in _LINE_PROPERTIES:
        value = getattr(line, field)
        if value is not None and not (field == "scrap_pct" and value == 0):
            _value(_named(specification, _PROPERTY, property_id), _text(value), data_type, unit)


def _specification(segment: ET.Element, material: str, use: str, qty: Decimal, unit: str | None) -> ET.Element:
    specification = sub(segment, _SPECIFICATION, V0600)
    sub(specification, "MaterialDefinitionID", V0600, material)
    sub(specification, "MaterialUse", V0600, use)
    quantity = sub(specification, "Quantity", V0600)
    sub(quantity, "QuantityString", V0600, number_text(qty))
    if unit:
        sub(quantity, "UnitOfMeasure", V0600, unit)
    return specification


def _named(parent: ET.Element, name: str, element_id: str) -> ET.Element:
    element = sub(parent, name, V0600)
    sub(element, "ID", V0600, element_id)
    return element


def _value(parent: ET.Element, text: str, data_type: str, unit: str | None = None) -> None:
    value = sub(parent, "Value", V0600)
    sub(value, "ValueString", V0600, text)
    sub(value, "DataType", V0600, data_type)
    if unit:
        sub(value, "UnitOfMeasure", V0600, unit)


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def orders_moved(notice: dict[str, Any]) -> str:
    """The ProductionSchedule of the orders a notice moved to its revision, named by its ECO.

    A notice's orders carry `order_id`, `to_revision` and `start_date`, and need `qty`; their
    `plant_id`, `status` and `due_date` are taken when present (plant: the notice's)."""
    orders = [_moved_order(notice, order) for order in notice["orders"]]
    return schedule.write(orders, f"{notice['eco_id']} {definition_id(notice['item_id'], notice['to_revision'])}")


def _moved_order(notice: dict[str, Any], order: dict[str, Any]) -> ProductionOrder:
    if order.get("qty") is None:
        raise FormatError("MISSING_ATTRIBUTE", f"order {order.get('order_id')} of ECO {notice.get('eco_id')} carries "
                                               f"no qty: a ProductionSchedule needs each order's quantity")
    return build(ProductionOrder, {
        "order_id": order["order_id"], "item_id": notice["item_id"], "qty": order["qty"],
        "plant_id": order.get("plant_id") or notice.get("plant_id"), "bom_revision": order["to_revision"],
        "status": order.get("status", "planned"), "start_date": order.get("start_date"),
        "due_date": order.get("due_date")})


def read(root: ET.Element) -> Bom:
    """The Bom of a ProductDefinition written as above (its first product segment)."""
    ns = split_tag(root)[0]
    segment = next(iter(children(root, "ProductSegment", ns)), None)
    if ns != V0600 or segment is None:
        raise FormatError("B2MML_MISSING_ELEMENT", "a V0600 ProductDefinition with a ProductSegment is needed")
    specifications = children(segment, _SPECIFICATION, ns)
    produced = [s for s in specifications if text_of(s, "MaterialUse", ns) == "Produced"]
    if not produced:
        raise FormatError("B2MML_MISSING_ELEMENT", f"{required_text(root, 'ID', ns)} names no produced material")
    bom: dict[str, Any] = {
        "item_id": required_text(produced[0], "MaterialDefinitionID", ns), "revision": required_text(root, "Version", ns),
        "plant_id": text_of(root, "HierarchyScope/EquipmentID", ns),
        **_named_values(segment, "Parameter", ns, {p: f for p, f, _ in _BOM_PARAMETERS}),
        "lines": [_read_line(s, ns) for s in specifications if text_of(s, "MaterialUse", ns) == "Consumed"]}
    return build(Bom, bom)


def read_routing(root: ET.Element) -> Routing:
    """The Routing of a ProductDefinition written by write_routing."""
    ns = split_tag(root)[0]
    segment = next(iter(children(root, "ProductSegment", ns)), None)
    if ns != V0600 or segment is None or text_of(root, "BillOfResourcesID", ns) is None:
        raise FormatError("B2MML_MISSING_ELEMENT", "a V0600 ProductDefinition with a BillOfResourcesID and a "
                                                   "ProductSegment is needed")
    name = required_text(root, "ID", ns)
    item_id = name.rsplit(" rev ", 1)[0]
    return build(Routing, {
        "item_id": item_id, "revision": required_text(root, "Version", ns),
        "plant_id": text_of(root, "HierarchyScope/EquipmentID", ns),
        **_named_values(segment, "Parameter", ns, {p: f for p, f, _ in _BOM_PARAMETERS}),
        "operations": [{"work_center": required_text(op, "EquipmentSpecification/EquipmentClassID", ns),
                        "description": text_of(op, "Description", ns),
                        **_named_values(op, "Parameter", ns, {p: f for p, f, _, _ in _OPERATION_PARAMETERS})}
                       for op in children(segment, "ProductSegment", ns)]})


def _read_line(specification: ET.Element, ns: str) -> dict[str, Any]:
    return {"component_id": required_text(specification, "MaterialDefinitionID", ns),
            "qty_per": required_text(specification, "Quantity/QuantityString", ns),
            "uom": required_text(specification, "Quantity/UnitOfMeasure", ns),
            **_named_values(specification, _PROPERTY, ns, {p: f for p, f, _, _ in _LINE_PROPERTIES})}


def _named_values(parent: ET.Element, name: str, ns: str, fields: dict[str, str]) -> dict[str, str]:
    """{field: ValueString} of the parameters (properties) whose ID names a field."""
    found = {}
    for element in children(parent, name, ns):
        field = fields.get(text_of(element, "ID", ns) or "")
        value = text_of(element, "Value/ValueString", ns)
        if field and value is not None:
            found[field] = value
    return found
