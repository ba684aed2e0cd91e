"""The hub's stock movements as Tryton stock moves (the `stock.move` command).

Payload (workflows/inventory.py): `{"movement": <canonical InventoryMovement>, "qty": "<in the
item's base unit>", "uom": "<its Rec 20 code>", "code": "<ERP product code>", "warehouse":
"<the plant's erp_warehouse code, default WH>"}`.

Where each kind moves, with the hub's locations as storage locations under the warehouse's
storage (code `<warehouse>/<location>`, made on first use): a receipt from the supplier
location, a consumption into the warehouse's production location and a completion out of it,
a transfer between two hub locations, an issue or scrap into lost and found, an adjustment from
or into lost and found by its sign. A hub location is the storage location of that code under
the warehouse's storage (made on first use), as reconciliation reads it back. The move is created in draft (stock leaving storage inside a
production or an internal shipment, which Tryton assigns), tagged with an attachment named
`mfgsync:<movement id>`, then done; a retry finds it by that tag and only finishes it, so
a movement delivered twice moves stock once (a crash between creating and tagging leaves a
draft move, which counts for nothing). Done only once it reads back done. Stock arriving on a
quality hold (`"held": true`, with `"quarantine"`) goes into its hub location's quarantine
instead.

`stock.hold` — what a quality hold moves of one balance (workflows/inventory.py): `{"move_id":
"hold:<hold>:<status>:<balance>@<time>", "hold_id", "status": "held/released/rejected",
"item_id", "lot_id", "location": "<hub location>", "qty": "<in the base unit>", "uom", "code",
"warehouse", "quarantine": "<the plant's erp_quarantine code, default QUARANTINE>"}`. Held moves
the quantity from the hub location into that location's quarantine, released moves it back,
rejected moves it from quarantine into lost and found (scrap). The warehouse's quarantine
location is a storage location of the plant's code directly under the warehouse, beside (not
inside) its storage, so Tryton neither counts it as the warehouse's stock nor assigns from it;
under it, each hub location has its own quarantine of the same code (both made on first use), so
reconciliation reads held stock back at the place the hub keeps it. The move is made,
tagged (`mfgsync:<move_id>`) and done the way a movement's is, so a re-delivery moves nothing.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, Callable

from mfgsync.connectors.base import PermanentError, TransientError
from mfgsync.connectors.tryton_rpc import TrytonSession
from mfgsync.model import entities as m

_K = m.MovementKind
TAG = "mfgsync:"
_PRICED_FROM = {"supplier", "production"}
QUARANTINE = "QUARANTINE"  # the quarantine location's code when the plant names none


class TrytonStock:
    def __init__(self, session: TrytonSession, reader: Any):
        self.session, self.read = session, reader
        self._locations: dict[str | tuple[str, ...], int] = {}

    def move(self, document: dict[str, Any]) -> None:
        try:
            mv = m.InventoryMovement.model_validate(document.get("movement"))
            qty = Decimal(str(document["qty"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentError(f"stock.move payload is not a movement: {exc}"[:500]) from None
        self._carry_out(TAG + mv.movement_id, lambda tag: self._create(mv, qty, document, tag))

    def hold(self, document: dict[str, Any]) -> None:
        """A quality hold's move of one balance into quarantine, back, or out to scrap."""
        try:
            move_id, status = str(document["move_id"]), str(document["status"])
            qty, code = Decimal(str(document["qty"])), str(document["code"])
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise PermanentError(f"stock.hold payload is not a hold's move: {exc}"[:500]) from None
        if status not in ("held", "released", "rejected") or qty <= 0:
            raise PermanentError(f"stock.hold {move_id} has status {status!r} and quantity {qty}: nothing to move")
        self._carry_out(TAG + move_id, lambda tag: self._create_hold(status, qty, code, document, tag))

    def _create_hold(self, status: str, qty: Decimal, code: str, document: dict[str, Any], tag: str) -> int:
        warehouse = document.get("warehouse") or "WH"
        location = document.get("location") or "MAIN"
        place, quarantine = self._hub_location(warehouse, location), self._quarantine(
            warehouse, document.get("quarantine"), location)
        source, target = {"held": (place, quarantine), "released": (quarantine, place),
                          "rejected": (quarantine, self._warehouse_field(warehouse, "lost_found_location"))}[status]
        return self._book(self.read.product(code), qty, source, target, warehouse, tag)

    def _carry_out(self, tag: str, create: Callable[[str], int]) -> None:
        """The move tagged `tag` done: found by its tag when an earlier delivery made it, else made."""
        move_id = self._tagged(tag)
        if move_id is None:
            move_id = create(tag)
        self._finish(move_id)
        if self.session.model("stock.move", "read", [move_id], ["state"])[0]["state"] != "done":
            raise TransientError(f"stock move {tag} does not read back as done")

    def _tagged(self, tag: str) -> int | None:
        found = self.session.model("ir.attachment", "search_read", [["name", "=", tag]], 0, 1, [["id", "ASC"]],
                                   ["resource"])
        if not found or not found[0]["resource"]:
            return None
        return int(found[0]["resource"].split(",")[1])

    def _create(self, mv: m.InventoryMovement, qty: Decimal, document: dict[str, Any], tag: str) -> int:
        if qty == 0:
            raise PermanentError(f"movement {mv.movement_id} moves nothing")
        product = self.read.product(document.get("code") or mv.item_id)
        warehouse = document.get("warehouse") or "WH"
        source, target = self._places(mv, warehouse, qty)
        if document.get("held"):  # it arrives on a quality hold: into quarantine, where its release takes it from
            place = mv.to_location or mv.from_location or "MAIN"
            target = self._quarantine(warehouse, document.get("quarantine"), place)
        return self._book(product, qty, source, target, warehouse, tag, by_production=mv.kind == _K.consumption)

    def _book(self, product: dict[str, Any], qty: Decimal, source: int, target: int, warehouse: str, tag: str,
              by_production: bool = False) -> int:
        """A draft move of `qty` from `source` to `target`, tagged; the move's id."""
        values: dict[str, Any] = {"product": product["id"], "unit": product["default_uom"], "quantity": abs(qty),
                                  "from_location": source, "to_location": target}
        source_type = self._type(source)
        if source_type in _PRICED_FROM:  # Tryton values stock arriving from these
            values.update(unit_price=Decimal(0), currency=self._currency())
        if source_type not in ("storage", "view"):
            move_id, = self.session.model("stock.move", "create", [values])
        elif by_production:  # stock leaving storage is assigned first: by a production
            production, = self.session.model("production", "create", [{
                "warehouse": self._warehouse(warehouse)["id"], "location": target, "reference": tag,
                "inputs": [["create", [values]]]}])
            move_id = self.session.model("production", "read", [production], ["inputs"])[0]["inputs"][0]
        else:  # ... or by an internal shipment
            shipment, = self.session.model("stock.shipment.internal", "create", [{
                "from_location": source, "to_location": target, "reference": tag, "moves": [["create", [values]]]}])
            move_id = self.session.model("stock.shipment.internal", "read", [shipment], ["moves"])[0]["moves"][0]
        self.session.model("ir.attachment", "create", [{"name": tag, "resource": f"stock.move,{move_id}",
                                                        "type": "link", "link": tag}])
        return move_id

    def _finish(self, move_id: int) -> None:
        """Carry the move (or the production or shipment it belongs to) through to done."""
        move = self.session.model("stock.move", "read", [move_id], ["state", "from_location.type", "shipment",
                                                                    "production_input"])[0]
        if move["state"] == "done":
            return
        if move["production_input"]:
            self._advance("production", move["production_input"], {"draft": "wait", "waiting": "assign_force",
                                                                   "assigned": "run"})
        elif move["shipment"]:
            self._advance("stock.shipment.internal", int(move["shipment"].split(",")[1]),
                          {"draft": "wait", "waiting": "assign_force", "assigned": "do"})
        else:
            if move["from_location."]["type"] == "supplier":
                self._skip_origin_warning(move_id)
            self.session.model("stock.move", "do", [move_id])

    def _advance(self, model: str, record: int, steps: dict[str, str]) -> None:
        for _ in range(len(steps)):
            state = self.session.model(model, "read", [record], ["state"])[0]["state"]
            if state not in steps:
                return
            self.session.model(model, steps[state], [record])

    def _places(self, mv: m.InventoryMovement, warehouse: str, qty: Decimal) -> tuple[int, int]:
        here = lambda name: self._hub_location(warehouse, name or "MAIN")  # noqa: E731
        if mv.kind == _K.receipt:
            return self._of_type("supplier"), here(mv.to_location)
        if mv.kind == _K.consumption:
            return here(mv.from_location or mv.to_location), self._warehouse_field(warehouse, "production_location")
        if mv.kind == _K.completion:
            return self._warehouse_field(warehouse, "production_location"), here(mv.to_location or mv.from_location)
        if mv.kind == _K.transfer:
            return here(mv.from_location), here(mv.to_location)
        lost = self._warehouse_field(warehouse, "lost_found_location")
        if mv.kind in (_K.issue, _K.scrap):
            return here(mv.from_location or mv.to_location), lost
        place = here(mv.to_location or mv.from_location)  # an adjustment, by its sign
        return (lost, place) if qty > 0 else (place, lost)

    def _warehouse(self, code: str) -> dict[str, Any]:
        found = self.session.model("stock.location", "search_read", [["type", "=", "warehouse"], ["code", "=", code]],
                                   0, 1, None, ["id", "storage_location", "lost_found_location", "production_location"])
        if not found:
            raise PermanentError(f"Tryton has no warehouse with code {code!r}")
        return found[0]

    def _warehouse_field(self, code: str, name: str) -> int:
        value = self._warehouse(code)[name]
        if not value:
            raise PermanentError(f"warehouse {code} has no {name.replace('_', ' ')} in Tryton")
        return value

    def _of_type(self, location_type: str) -> int:
        if location_type not in self._locations:
            found = self.session.model("stock.location", "search", [["type", "=", location_type]], 0, 1, [["id", "ASC"]])
            if not found:
                raise PermanentError(f"Tryton has no {location_type} location")
            self._locations[location_type] = found[0]
        return self._locations[location_type]

    def _type(self, location_id: int) -> str:
        return self.session.model("stock.location", "read", [location_id], ["type"])[0]["type"]

    def _hub_location(self, warehouse: str, location_id: str) -> int:
        """The storage location of that code under the warehouse's storage, made once."""
        key = f"{warehouse}/{location_id}"
        if key not in self._locations:
            self._locations[key] = self._storage(self._warehouse_field(warehouse, "storage_location"), location_id)
        return self._locations[key]

    def _quarantine(self, warehouse: str, code: str | None, location_id: str) -> int:
        """Where stock of a hub location sits on hold: the storage location of its code under the
        warehouse's quarantine location (of the plant's code, directly under the warehouse and
        outside its storage), both made once."""
        code = code or QUARANTINE
        root, key = ("quarantine", warehouse, code), ("quarantine", warehouse, code, location_id)
        if root not in self._locations:
            self._locations[root] = self._storage(self._warehouse(warehouse)["id"], code, f"Quality hold ({code})")
        if key not in self._locations:
            self._locations[key] = self._storage(self._locations[root], location_id)
        return self._locations[key]

    def _storage(self, parent: int, code: str, name: str | None = None) -> int:
        """The storage location of that code under `parent`, made when there is none."""
        found = self.session.model("stock.location", "search", [["code", "=", code], ["parent", "=", parent]],
                                   0, 1, [["id", "ASC"]])
        if not found:
            found = self.session.model("stock.location", "create", [{"name": name or code, "code": code,
                                                                     "type": "storage", "parent": parent}])
        return found[0]

    def _currency(self) -> int:
        company = self.session.preference("company")
        return self.session.model("company.company", "read", [company], ["currency"])[0]["currency"]

    def _skip_origin_warning(self, move_id: int) -> None:
        """A receipt from a supplier without a purchase as origin asks for confirmation; the hub
        confirms it, as a user would, for this move only."""
        name = hashlib.md5(f"stock.move,{move_id}".encode()).hexdigest() + ".done"
        user, = self.session.model("res.user", "search", [["login", "=", self.session.user]], 0, 1, None)
        if not self.session.model("res.user.warning", "search", [["name", "=", name]], 0, 1, None):
            self.session.model("res.user.warning", "create", [{"user": user, "name": name, "always": True}])

