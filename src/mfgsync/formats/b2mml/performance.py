"""ProductionPerformance (V0600) / OperationsPerformance (V0700) <-> ProductionReport.

Each production (operations) response is one report for its request (the production order):
material actuals become consumption, completion or scrap movements, personnel and equipment
actuals labour and machine hours. ISA-95 has no "scrap" use: the partner profile says which
MaterialUse values (with their OtherValue) are scrap and which property carries its reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

from mfgsync.formats.b2mml.schedule import product_of_rule
from mfgsync.formats.b2mml.xml import (V0600, V0700, child, children, quantity, required_text, root_element,
                                       scope as _scope,
                                       serialize, split_tag, sub, text_of, timestamp, timestamp_text)
from mfgsync.formats.canonical import build
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile
from mfgsync.formats.values import uom
from mfgsync.model.entities import ProductionReport

_KINDS = {"Consumed": "consumption", "Consumable": "consumption", "Material Consumed": "consumption",
          "Produced": "completion", "Co-product Produced": "completion", "By-product Produced": "completion",
          "Yield Produced": "completion", "Material Produced": "completion"}
_HOURS_PER_UNIT = {"HUR": Decimal(1), "MIN": Decimal(1) / 60, "SEC": Decimal(1) / 3600}
_NAMES = {V0600: ("ProductionResponse", "ProductionRequestID"), V0700: ("OperationsResponse", "OperationsRequestID")}


def read(root: ET.Element, profile: PartnerProfile = DEFAULT_PROFILE) -> list[ProductionReport]:
    namespace = split_tag(root)[0]
    response_name, request_name = _NAMES[namespace]
    plant = text_of(root, "HierarchyScope/EquipmentID", namespace) or text_of(root, "Location/EquipmentID", namespace)
    published = timestamp(text_of(root, "PublishedDate", namespace))
    reports = []
    for response in children(root, response_name, namespace):
        report_id = required_text(response, "ID", namespace)
        report: dict[str, Any] = {
            "report_id": report_id, "order_id": required_text(response, request_name, namespace),
            "plant_id": text_of(response, "HierarchyScope/EquipmentID", namespace) or plant,
            "reported_at": published or timestamp(text_of(response, "EndTime", namespace)),
            "movements": [], "resource_actuals": []}
        for segment in response.iter(f"{{{namespace}}}SegmentResponse"):
            _read_segment(segment, namespace, report, profile)
        rule = next((e.text for e in response.iter(f"{{{namespace}}}ProductProductionRuleID") if e.text), None)
        report["movements"] = _without_intermediates(report["movements"], product_of_rule(rule))
        reports.append(build(ProductionReport, report))
    if not reports:
        raise FormatError("B2MML_MISSING_ELEMENT", f"{split_tag(root)[1]} has no {response_name}")
    return reports


def _without_intermediates(movements: list[dict[str, Any]], product: str | None) -> list[dict[str, Any]]:
    """A response of several segments makes intermediates that a later segment uses up: what one
    segment produces and a later one consumes (the same item, quantity and unit) never reaches
    stock. The product (the one ProductProductionRuleID names, else the last segment's) stays."""
    completions = [mv for mv in movements if mv["kind"] == "completion"]
    product = product or (completions[-1]["item_id"] if completions else None)
    dropped: set[int] = set()
    for n, made in enumerate(movements):
        if made["kind"] != "completion" or made["item_id"] == product:
            continue
        used = next((k for k in range(n + 1, len(movements)) if k not in dropped
                     and movements[k]["kind"] == "consumption"
                     and (movements[k]["item_id"], movements[k]["qty"], movements[k]["uom"])
                     == (made["item_id"], made["qty"], made["uom"])), None)
        if used is not None:
            dropped.update((n, used))
    return [mv for k, mv in enumerate(movements) if k not in dropped]


def _read_segment(segment: ET.Element, ns: str, report: dict[str, Any], profile: PartnerProfile) -> None:
    ended = timestamp(text_of(segment, "ActualEndTime", ns))
    for actual in children(segment, "MaterialActual", ns):
        qty, unit = quantity(actual, ns)
        kind, reason = _kind(actual, ns, profile)
        number = len(report["movements"]) + 1
        report["movements"].append({
            "movement_id": text_of(actual, "ID", ns) or f"{report['report_id']}-{number}",
            "kind": kind, "item_id": required_text(actual, "MaterialDefinitionID", ns), "qty": qty,
            "uom": uom(unit or "", {}), "plant_id": report["plant_id"], "lot_id": text_of(actual, "MaterialLotID", ns),
            "production_order_id": report["order_id"], "occurred_at": ended, "reason": reason})
    for kind, name, id_names in (("labor", "PersonnelActual", ("PersonID", "PersonnelClassID")),
                                 ("machine", "EquipmentActual", ("EquipmentID", "EquipmentClassID"))):
        for actual in children(segment, name, ns):
            resource = next((v for v in (text_of(actual, n, ns) for n in id_names) if v), None)
            qty, unit = quantity(actual, ns)
            factor = _HOURS_PER_UNIT.get(uom(unit or "HUR", {}))
            if resource is None or factor is None:
                raise FormatError("B2MML_MISSING_ELEMENT", f"{name} needs an ID and a time quantity")
            report["resource_actuals"].append({"kind": kind, "resource_id": resource, "hours": qty * factor})


def _kind(actual: ET.Element, ns: str, profile: PartnerProfile) -> tuple[str, str | None]:
    use = child(actual, "MaterialUse", ns)
    value = (use.text or "").strip() if use is not None else ""
    other = use.get("OtherValue", "") if use is not None else ""
    reason = None
    for prop in children(actual, "MaterialActualProperty", ns):
        if text_of(prop, "ID", ns) in profile.b2mml_scrap_reason_properties:
            reason = text_of(prop, "Value/ValueString", ns)
    if value in profile.b2mml_scrap_uses and (value != "Other" or other.lower() == "scrap" or reason):
        return "scrap", reason
    if value not in _KINDS:
        raise FormatError("EDI_UNKNOWN_CODE", f"MaterialUse {value!r} is not consumption, production or scrap")
    return _KINDS[value], reason


def write(report: ProductionReport, version: str = "V0600") -> str:
    ns = V0600 if version == "V0600" else V0700
    response_name, request_name = _NAMES[ns]
    root = root_element("ProductionPerformance" if ns == V0600 else "OperationsPerformance", ns)
    sub(root, "ID", ns, report.report_id)
    if ns == V0600:  # the two versions order these elements differently
        _scope(root, ns, report.plant_id)
    if report.reported_at:
        sub(root, "PublishedDate", ns, timestamp_text(report.reported_at))
    if ns == V0700:
        _scope(root, ns, report.plant_id)
        sub(root, "OperationsType", ns, "Production")
    response = sub(root, response_name, ns)
    sub(response, "ID", ns, report.report_id)
    if ns == V0600:
        sub(response, request_name, ns, report.order_id)
    else:
        sub(response, "OperationsType", ns, "Production")
        sub(response, request_name, ns, report.order_id)
    if report.resource_actuals:
        segment = sub(response, "SegmentResponse", ns)
        sub(segment, "ID", ns, "resources")
        for resource in report.resource_actuals:
            name, id_name = ("PersonnelActual", "PersonID") if resource.kind == "labor" else ("EquipmentActual", "EquipmentID")
            actual = sub(segment, name, ns)
            if ns == V0700:
                sub(actual, "ID", ns, resource.resource_id)  # mandatory in V0700
            sub(actual, id_name, ns, resource.resource_id)
            _quantity(actual, ns, resource.hours, "HUR")
    for number, movement in enumerate(report.movements, 1):
        segment = sub(response, "SegmentResponse", ns)
        sub(segment, "ID", ns, str(number))
        if movement.occurred_at:
            sub(segment, "ActualEndTime", ns, timestamp_text(movement.occurred_at))
        _material(segment, ns, movement)
    return serialize(root, ns)


def _material(segment: ET.Element, ns: str, movement: Any) -> None:
    actual = sub(segment, "MaterialActual", ns)
    if ns == V0700:
        sub(actual, "ID", ns, movement.movement_id)
    sub(actual, "MaterialDefinitionID", ns, movement.item_id)
    if movement.lot_id:
        sub(actual, "MaterialLotID", ns, movement.lot_id)
    if movement.kind == "scrap":
        sub(actual, "MaterialUse", ns, "Other", OtherValue="Scrap")
    else:
        sub(actual, "MaterialUse", ns, "Consumed" if movement.kind == "consumption" else "Produced")
    _quantity(actual, ns, movement.qty, movement.uom)
    if movement.reason:
        prop = sub(actual, "MaterialActualProperty", ns)
        sub(prop, "ID", ns, "ScrapReason")
        sub(sub(prop, "Value", ns), "ValueString", ns, movement.reason)


def _quantity(parent: ET.Element, ns: str, value: Decimal, unit: str) -> None:
    element = sub(parent, "Quantity", ns)
    sub(element, "QuantityString", ns, format(value.normalize(), "f") if value else "0")
    sub(element, "UnitOfMeasure", ns, unit)


