"""The ERP target Tryton: the hub's commands carried out over Tryton's JSON-RPC.

Tryton's side follows DESIGN.md's conventions, which is also how each command finds what it made
before (a retry after a timeout finds the record instead of making a second one):
- an item is a `product.template` whose `code` is the item's ERP code (the item id unless the
  plant maps it), with one variant (`product.product`);
- a BOM revision is a `production.bom` named `<item_id> rev <revision>`, or
  `<item_id> rev <revision> (<plant_id>)` for a plant-specific one, linked to the product's `boms`
  list; the product's default BOM is the first of that list in sequence.

Commands (`Delivery.command`) and their payloads (`Delivery.payload`, JSON):

`item.upsert` — `{"item": <canonical Item>, "code": "P2-PMP-100"}`; `code` is optional (default:
the item id). The template's name is the description (or the id), its unit the item's
`base_uom` (a Rec 20 code, see UNIT_NAMES), `producible` for make and phantom items,
`purchasable` for buy items; an obsolete item is archived.

`bom.upsert` — `{"bom": <canonical Bom>, "item_codes": {"PMP-100": "P2-PMP-100"}}`; `item_codes`
maps hub item ids to ERP codes for the plant (absent ids are their own code). The BOM's output
is one of the parent in its unit; its inputs are the lines' components at `qty_per` in the
line's unit — Tryton's BOM has no scrap or alternates, so scrap is not carried and of each
`alternate_group` only the line of the lowest `alternate_priority` is an input. A new revision
is appended to the product's BOM list: it becomes the default only if it is the first one.

`bom.make_default` — `{"item_id": "PMP-100", "revision": "B", "plant_id": null, "item_codes": {}}`:
that revision's BOM moves to the head of the product's BOM list, the others keep their order.

`routing.upsert` — a routing revision beside its BOM (see connectors/tryton_routing.py).

`stock.move` and `stock.hold` — a movement, or a quality hold's move into or out of quarantine
(see connectors/tryton_moves.py).

Each command reads back what it wrote before it returns: a write that does not read back as
written is a transient failure, so a delivery is marked delivered only once Tryton holds it.

A product or BOM a command builds on and cannot find yet (its own delivery still on its way) is
a transient failure; a payload that cannot be carried out as it is (unknown unit, malformed
document) and Tryton's validation errors are permanent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from pydantic import ValidationError

from mfgsync.connectors.base import Delivery, PermanentError, TransientError
from mfgsync.connectors.tryton_routing import RoutingWriter
from mfgsync.connectors.tryton_moves import TrytonStock
from mfgsync.connectors.tryton_rpc import TrytonSession, truncated
from mfgsync.model import entities as m

# Rec 20 code → the name of Tryton's unit (the units a new Tryton database has).
UNIT_NAMES = {
    "C62": "Unit", "NAR": "Unit",
    "KGM": "Kilogram", "GRM": "Gram", "LBR": "Pound", "ONZ": "Ounce",
    "MTR": "Meter", "CMT": "Centimeter", "MMT": "Millimeter", "KMT": "Kilometer",
    "INH": "Inch", "FOT": "Foot", "YRD": "Yard",
    "LTR": "Liter", "MLT": "Cubic centimeter", "MTQ": "Cubic meter", "GLL": "Gallon",
    "MTK": "Square meter", "FTK": "Square foot",
    "HUR": "Hour", "MIN": "Minute", "SEC": "Second",
}
ANY_ACTIVE = ["active", "in", [True, False]]  # archived records are found too
SEQUENCE_STEP = 10


# --- the pure mapping: payload documents → what Tryton should hold -------------------------


def bom_name(item_id: str, revision: str, plant_id: str | None = None) -> str:
    return f"{item_id} rev {revision}" + (f" ({plant_id})" if plant_id else "")


def unit_name(rec20: str) -> str:
    try:
        return UNIT_NAMES[rec20]
    except KeyError:
        raise PermanentError(f"unit {rec20} has no Tryton unit (known: {', '.join(sorted(UNIT_NAMES))})") from None


@dataclass(frozen=True, order=True)
class Line:
    """One BOM input or output as Tryton should hold it, by product code and unit name."""
    code: str
    quantity: Decimal
    unit: str


def template_fields(item: m.Item) -> dict[str, Any]:
    """The template's fields the hub owns, units by name (ids are resolved against Tryton)."""
    if item.base_uom is None:
        raise PermanentError(f"item {item.item_id} has no base_uom: a Tryton product needs a unit")
    fields: dict[str, Any] = {"name": item.description or item.item_id, "type": "goods",
                              "default_uom": unit_name(item.base_uom),
                              "active": item.status != m.ItemStatus.obsolete}
    if item.item_type is not None:
        fields["producible"] = item.item_type in (m.ItemType.make, m.ItemType.phantom)
        fields["purchasable"] = item.item_type == m.ItemType.buy
        if fields["purchasable"]:
            fields["purchase_uom"] = fields["default_uom"]
    return fields


def bom_inputs(bom: m.Bom, codes: dict[str, str]) -> list[Line]:
    """The lines Tryton consumes: every line outside an alternate group, and the preferred line
    (lowest alternate_priority, then line_no) of each group."""
    preferred: dict[str, m.BomLine] = {}
    for line in bom.lines:
        if line.alternate_group is None:
            continue
        best = preferred.get(line.alternate_group)
        rank = (line.alternate_priority or 0, line.line_no)
        if best is None or rank < (best.alternate_priority or 0, best.line_no):
            preferred[line.alternate_group] = line
    chosen = [line for line in bom.lines if line.alternate_group is None or preferred[line.alternate_group] is line]
    return [Line(codes.get(line.component_id, line.component_id), line.qty_per, unit_name(line.uom))
            for line in sorted(chosen, key=lambda line: line.line_no)]


def _document(delivery: Delivery) -> dict[str, Any]:
    try:
        document = json.loads(delivery.payload)
    except json.JSONDecodeError as exc:
        raise PermanentError(f"{delivery.command} payload is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PermanentError(f"{delivery.command} payload is not a JSON object")
    return document


def _canonical(kind: type[m.Canonical], value: Any, command: str) -> Any:
    try:
        return kind.model_validate(value)
    except ValidationError as exc:
        raise PermanentError(truncated(f"{command} payload: not a canonical {kind.__name__}: {exc}")) from None


# --- reading Tryton ------------------------------------------------------------------------


def _quantity(value: Any) -> Decimal:
    # Tryton's quantities are floats: read through their shortest text, so 2.5 is Decimal("2.5").
    return Decimal(str(value)).normalize()


class TrytonReader:
    def __init__(self, session: TrytonSession):
        self.session = session
        self._unit_ids: dict[str, int] = {}

    def unit_id(self, name: str) -> int:
        if name not in self._unit_ids:
            found = self.session.model("product.uom", "search", [["name", "=", name]], 0, 1, None)
            if not found:
                raise PermanentError(f"Tryton has no unit named {name!r}")
            self._unit_ids[name] = found[0]
        return self._unit_ids[name]

    def template(self, code: str) -> dict[str, Any] | None:
        found = self.session.model("product.template", "search_read", [["code", "=", code], ANY_ACTIVE], 0, 1,
                                   None, ["name", "type", "default_uom", "producible", "purchasable",
                                          "purchase_uom", "active", "products"])
        return found[0] if found else None

    def products(self, codes: set[str]) -> dict[str, dict[str, Any]]:
        """The variant of each code Tryton has (the first, by id), with its unit."""
        rows = self.session.model("product.product", "search_read", [["template.code", "in", sorted(codes)]],
                                  0, None, [["id", "ASC"]], ["template.code", "default_uom", "default_uom.name"])
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            found.setdefault(row["template."]["code"], row)
        return found

    def product(self, code: str) -> dict[str, Any]:
        found = self.products({code}).get(code)
        if found is None:
            raise TransientError(f"product {code} is not in Tryton yet")
        return found

    def bom(self, name: str) -> dict[str, Any] | None:
        found = self.session.model("production.bom", "search_read", [["name", "=", name], ANY_ACTIVE], 0, 1,
                                   [["id", "ASC"]], ["name", "inputs", "outputs"])
        return found[0] if found else None

    def bom_lines(self, model: str, ids: list[int]) -> list[Line]:
        """The inputs or outputs (`model`) of a BOM, sorted, to compare with what they should be."""
        if not ids:
            return []
        rows = self.session.model(model, "read", ids, ["product.code", "quantity", "unit.name"])
        return sorted(Line(row["product."]["code"], _quantity(row["quantity"]), row["unit."]["name"]) for row in rows)

    def bom_links(self, product_id: int) -> list[dict[str, Any]]:
        """The product's BOM list in Tryton's order (first = default)."""
        return self.session.model("product.product-production.bom", "search_read", [["product", "=", product_id]],
                                  0, None, [["sequence", "ASC"], ["id", "ASC"]], ["bom", "bom.name", "sequence"])


def product_bom_names(session: TrytonSession, code: str) -> list[str]:
    """The names of a product's BOMs in sequence order: the first is the default (for checks)."""
    reader = TrytonReader(session)
    product = reader.products({code}).get(code)
    return [link["bom."]["name"] for link in reader.bom_links(product["id"])] if product else []


# --- the commands --------------------------------------------------------------------------


def _codes(document: dict[str, Any]) -> dict[str, str]:
    codes = document.get("item_codes") or {}
    if not isinstance(codes, dict):
        raise PermanentError("item_codes must map hub item ids to ERP codes")
    return codes


def _differs(current: Any, wanted: Any) -> bool:
    # SQLite hands booleans back as 1 and 0.
    return bool(current) != wanted if isinstance(wanted, bool) else current != wanted


class TrytonConnector:
    def __init__(self, session: TrytonSession):
        self.session = session
        self.read = TrytonReader(session)
        self.routings = RoutingWriter(session, self.read)
        stock = TrytonStock(session, self.read)
        self._commands: dict[str, Callable[[dict[str, Any]], None]] = {
            "item.upsert": self.upsert_item, "bom.upsert": self.upsert_bom, "bom.make_default": self.make_default,
            "routing.upsert": self.upsert_routing, "stock.move": stock.move, "stock.hold": stock.hold}

    def deliver(self, delivery: Delivery) -> None:
        command = self._commands.get(delivery.command)
        if command is None:
            raise PermanentError(f"the Tryton target has no command {delivery.command!r} "
                                 f"(it has {', '.join(sorted(self._commands))})")
        command(_document(delivery))

    def upsert_item(self, document: dict[str, Any]) -> None:
        item = _canonical(m.Item, document.get("item"), "item.upsert")
        code = document.get("code") or item.item_id
        wanted = template_fields(item)
        for unit_field in ("default_uom", "purchase_uom"):
            if unit_field in wanted:
                wanted[unit_field] = self.read.unit_id(wanted[unit_field])
        template = self.read.template(code)
        if template is None:
            self.session.model("product.template", "create", [{**wanted, "code": code, "products": [["create", [{}]]]}])
        else:
            changes = {name: value for name, value in wanted.items() if _differs(template[name], value)}
            if not template["products"]:
                changes["products"] = [["create", [{}]]]
            if changes:
                self.session.model("product.template", "write", [template["id"]], changes)
        self._confirm_template(code, wanted)

    def _confirm_template(self, code: str, wanted: dict[str, Any]) -> None:
        """The product read back as written before the delivery counts as confirmed."""
        template = self.read.template(code)
        if template is None or not template["products"] or \
                any(_differs(template[name], value) for name, value in wanted.items()):
            raise TransientError(f"product {code!r} does not read back as written")

    def upsert_bom(self, document: dict[str, Any]) -> None:
        bom = _canonical(m.Bom, document.get("bom"), "bom.upsert")
        codes = _codes(document)
        parent_code = codes.get(bom.item_id, bom.item_id)
        inputs = bom_inputs(bom, codes)
        products = self._products({parent_code, *(line.code for line in inputs)})
        parent = products[parent_code]
        outputs = [Line(parent_code, Decimal(1), parent["default_uom."]["name"])]
        name = bom_name(bom.item_id, bom.revision, bom.plant_id)
        existing = self.read.bom(name)
        if existing is None:
            bom_id, = self.session.model("production.bom", "create", [{
                "name": name, "inputs": [["create", self._rows(inputs, products)]],
                "outputs": [["create", self._rows(outputs, products)]]}])
        else:
            bom_id = existing["id"]
            self._align_lines(existing, {"inputs": inputs, "outputs": outputs}, products)
        self._link(parent["id"], bom_id)
        self._confirm_bom(name, {"inputs": inputs, "outputs": outputs}, parent["id"])

    def _confirm_bom(self, name: str, wanted: dict[str, list[Line]], product_id: int) -> None:
        """Read back what was written before the delivery counts as confirmed: a write Tryton
        did not keep is retried, never taken for done."""
        models = {"inputs": "production.bom.input", "outputs": "production.bom.output"}
        found = self.read.bom(name)
        if found is None or any(self.read.bom_lines(models[f], found[f]) != sorted(lines) for f, lines in wanted.items()):
            raise TransientError(f"BOM {name!r} does not read back as written")
        if not any(link["bom"] == found["id"] for link in self.read.bom_links(product_id)):
            raise TransientError(f"BOM {name!r} is not in its product's BOM list on reading back")

    def upsert_routing(self, document: dict[str, Any]) -> None:
        routing = _canonical(m.Routing, document.get("routing"), "routing.upsert")
        codes = _codes(document)
        self.routings.upsert(routing, bom_name(routing.item_id, routing.revision, routing.plant_id),
                             codes.get(routing.item_id, routing.item_id))

    def make_default(self, document: dict[str, Any]) -> None:
        item_id, revision = document.get("item_id"), document.get("revision")
        if not isinstance(item_id, str) or not isinstance(revision, str):
            raise PermanentError("bom.make_default needs item_id and revision")
        product = self.read.product(_codes(document).get(item_id, item_id))
        name = bom_name(item_id, revision, document.get("plant_id"))
        bom = self.read.bom(name)
        if bom is None:
            raise TransientError(f"BOM {name!r} is not in Tryton yet")
        self._link(product["id"], bom["id"])
        links = self.read.bom_links(product["id"])
        ordered = [link for link in links if link["bom"] == bom["id"]] + \
                  [link for link in links if link["bom"] != bom["id"]]
        moves: list[Any] = []
        for position, link in enumerate(ordered, start=1):
            if link["sequence"] != position * SEQUENCE_STEP:
                moves += [[link["id"]], {"sequence": position * SEQUENCE_STEP}]
        if moves:
            self.session.model("product.product-production.bom", "write", *moves)
        first = min(self.read.bom_links(product["id"]), key=lambda link: link["sequence"] or 0)
        if first["bom"] != bom["id"]:
            raise TransientError(f"BOM {name!r} does not read back as the product's default")

    def _products(self, codes: set[str]) -> dict[str, dict[str, Any]]:
        products = self.read.products(codes)
        missing = sorted(codes - products.keys())
        if missing:
            raise TransientError(f"products {', '.join(missing)} are not in Tryton yet")
        return products

    def _rows(self, lines: list[Line], products: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"product": products[line.code]["id"], "quantity": line.quantity, "unit": self.read.unit_id(line.unit)}
                for line in lines]

    def _align_lines(self, existing: dict[str, Any], wanted: dict[str, list[Line]],
                     products: dict[str, dict[str, Any]]) -> None:
        """Rewrite the inputs or outputs of a BOM found again only where they differ, so a
        repeated delivery writes nothing."""
        models = {"inputs": "production.bom.input", "outputs": "production.bom.output"}
        changes = {field: [["delete", existing[field]], ["create", self._rows(lines, products)]]
                   for field, lines in wanted.items()
                   if self.read.bom_lines(models[field], existing[field]) != sorted(lines)}
        if changes:
            self.session.model("production.bom", "write", [existing["id"]], changes)

    def _link(self, product_id: int, bom_id: int) -> None:
        """The BOM in the product's list, appended after the others (so not the default unless
        it is the only one)."""
        links = self.read.bom_links(product_id)
        if any(link["bom"] == bom_id for link in links):
            return
        last = max((link["sequence"] or 0 for link in links), default=0)
        self.session.model("product.product", "write", [product_id],
                           {"boms": [["create", [{"bom": bom_id, "sequence": last + SEQUENCE_STEP}]]]})
