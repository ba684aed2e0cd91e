"""Stock pulled live from Tryton: the quantity of every goods product in every storage location
of a plant's warehouse, as InventoryBalance rows for reconciliation.

A plant's warehouse is the `stock.location` of type warehouse whose code is the plant's
`erp_warehouse`; its locations are the storage locations under the warehouse's storage location
(the storage location itself included). Quantities are Tryton's own per location, children
excluded (`with_childs` false), in the product's default unit, read back as its Rec 20 code.
A location is named by its code (its name when it has none); an item by the product's code.
Tryton keeps no lot on a plain quantity, so rows carry none; status is `available`. Stock on
quality hold sits in the warehouse's quarantine location (connectors/tryton_moves.py), outside its
storage: each location under it reads back as the hub location of its code, status
`quality_hold`.
"""

from __future__ import annotations

from typing import Any, Mapping

from mfgsync.connectors.base import PermanentError
from mfgsync.connectors.tryton import UNIT_NAMES
from mfgsync.connectors.tryton_moves import QUARANTINE
from mfgsync.connectors.tryton_rpc import TrytonSession

# Tryton unit name → Rec 20 code (the first code of UNIT_NAMES that names it).
REC20_OF = {}
for _code, _name in UNIT_NAMES.items():
    REC20_OF.setdefault(_name, _code)


def stock_balances(session: TrytonSession, warehouses: Mapping[str, str],
                   quarantines: Mapping[str, str | None] | None = None) -> list[dict[str, Any]]:
    """Rows for every plant in `warehouses` (plant id → ERP warehouse code); `quarantines` names a
    plant's quarantine location code where it is not the default."""
    rows = []
    for plant_id, code in sorted(warehouses.items()):
        warehouse = _warehouse(session, code)
        for location in _locations_under(session, warehouse["storage_location"]):
            rows += _quantities(session, plant_id, location, "available")
        quarantine = session.model("stock.location", "search", [
            ["code", "=", (quarantines or {}).get(plant_id) or QUARANTINE], ["parent", "=", warehouse["id"]]],
            0, 1, [["id", "ASC"]])
        for location in _locations_under(session, quarantine[0]) if quarantine else []:
            if location["id"] != quarantine[0]:  # the quarantine itself is no hub location
                rows += _quantities(session, plant_id, location, "quality_hold")
    return rows


def _warehouse(session: TrytonSession, warehouse_code: str) -> dict[str, Any]:
    found = session.model("stock.location", "search_read", [["code", "=", warehouse_code], ["type", "=", "warehouse"]],
                          0, 1, None, ["storage_location"])
    if not found:
        raise PermanentError(f"Tryton has no warehouse with code {warehouse_code!r}")
    return found[0]


def _locations_under(session: TrytonSession, parent: int) -> list[dict[str, Any]]:
    """The storage locations in the tree under `parent`, `parent` included."""
    return session.model("stock.location", "search_read",
                         [["parent", "child_of", [parent]], ["type", "=", "storage"]], 0, None, [["id", "ASC"]],
                         ["code", "name"])


def _quantities(session: TrytonSession, plant_id: str, location: dict[str, Any], status: str) -> list[dict[str, Any]]:
    products = session.model("product.product", "search_read", [["type", "=", "goods"]], 0, None, [["id", "ASC"]],
                             ["code", "quantity", "default_uom.name"],
                             context={"locations": [location["id"]], "with_childs": False})
    rows = []
    for product in products:
        quantity = product.get("quantity")
        if not quantity:
            continue  # no stock of it here: not a balance
        unit = (product.get("default_uom.") or {}).get("name")
        rows.append({"item_id": product.get("code"), "plant_id": plant_id,
                     "location_id": location.get("code") or location.get("name"), "lot_id": None,
                     "status": status, "qty": str(quantity), "uom": REC20_OF.get(unit, unit)})
    return rows
