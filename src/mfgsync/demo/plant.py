"""The demo pump plant as data: what its PLM, ERP and WMS know before any message is sent.

One plant (P1) builds a centrifugal pump from two made sub-assemblies and five purchased
parts. The numbers are chosen so that the live traffic's restocking always covers what its
production orders consume: the demo's only quarantined messages are its deliberate bad ones.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

PLANT = "P1"
LOCATION = "MAIN"

# Engineering attributes, as PLM releases them.
ITEMS: list[dict] = [
    {"item_id": "PMP-100", "description": "Centrifugal pump 0.75 kW", "base_uom": "C62", "item_type": "make",
     "revision": "A"},
    {"item_id": "IMP-200", "description": "Impeller, 5 vanes, 160 mm", "base_uom": "C62", "item_type": "make",
     "revision": "A"},
    {"item_id": "HSG-300", "description": "Motor housing, welded", "base_uom": "C62", "item_type": "make",
     "revision": "A"},
    {"item_id": "BLT-M8", "description": "Hex bolt M8x30, zinc plated", "base_uom": "C62", "item_type": "buy"},
    {"item_id": "NUT-M8", "description": "Hex nut M8, bought in boxes of 12", "base_uom": "C62",
     "item_type": "buy"},
    {"item_id": "SEAL-40", "description": "Mechanical seal 40 mm", "base_uom": "C62", "item_type": "buy"},
    {"item_id": "STL-2MM", "description": "Steel sheet 2 mm", "base_uom": "KGM", "item_type": "buy"},
    {"item_id": "CBL-3G15", "description": "Motor cable 3G1.5", "base_uom": "MTR", "item_type": "buy"},
]

# Planning attributes, as the ERP sets them on the same items.
PLANNING: dict[str, dict] = {
    "PMP-100": {"lead_time_days": 5, "lot_rule": "lot_for_lot", "safety_stock": 2},
    "BLT-M8": {"lead_time_days": 3, "lot_rule": "min_multiple", "order_min": 500, "order_multiple": 100},
    "NUT-M8": {"lead_time_days": 3, "lot_rule": "min_multiple", "order_min": 240, "order_multiple": 12},
    "SEAL-40": {"lead_time_days": 10, "lot_rule": "fixed", "fixed_lot": 50},
    "STL-2MM": {"lead_time_days": 7, "lot_rule": "lot_for_lot"},
}

SUPPLIERS: list[dict] = [
    {"supplier_id": "NORTHFAST", "name": "Northfast Fasteners"},
    {"supplier_id": "SEALTEC", "name": "Sealtec GmbH"},
    {"supplier_id": "STEELCO", "name": "Steelco Sheet Metal"},
]

# The nuts come in boxes of 12: a conversion that holds for this item only.
BOX_OF_NUTS = {"item_id": "NUT-M8", "from_uom": "BX", "to_uom": "C62", "factor": 12}

# Revision A of each BOM: parent -> [(component, qty_per, uom)].
BOMS: dict[str, list[tuple[str, str, str]]] = {
    "IMP-200": [("STL-2MM", "1.2", "KGM"), ("BLT-M8", "4", "C62")],
    "HSG-300": [("STL-2MM", "3.5", "KGM"), ("BLT-M8", "6", "C62"), ("NUT-M8", "6", "C62")],
    "PMP-100": [("IMP-200", "1", "C62"), ("HSG-300", "1", "C62"), ("SEAL-40", "2", "C62"),
                ("CBL-3G15", "1.5", "MTR"), ("BLT-M8", "8", "C62"), ("NUT-M8", "8", "C62")],
}
# Made items in the order they must be built: sub-assemblies before the pump.
BUILD_ORDER = ("IMP-200", "HSG-300", "PMP-100")

# ECO-42: the pump moves to one cartridge seal and a longer cable from December.
ECO_42 = {"eco_id": "ECO-42", "item_id": "PMP-100", "from_revision": "A", "to_revision": "B",
          "effective_from": date(2026, 12, 1), "reason": "cartridge seal; longer motor cable"}
PUMP_REVISION_B = [("IMP-200", "1", "C62"), ("HSG-300", "1", "C62"), ("SEAL-40", "1", "C62"),
                   ("CBL-3G15", "2", "MTR"), ("BLT-M8", "8", "C62"), ("NUT-M8", "8", "C62")]

# What the warehouse holds at the start: (item, qty, unit as delivered).
OPENING_STOCK = [("STL-2MM", "400", "KGM"), ("BLT-M8", "1500", "C62"), ("NUT-M8", "60", "BX"),
                 ("SEAL-40", "80", "C62"), ("CBL-3G15", "250", "MTR")]
# What one live production cycle (2 of each made item) is restocked with; covers its consumption.
RESTOCK = [("STL-2MM", "25", "KGM"), ("BLT-M8", "50", "C62"), ("NUT-M8", "3", "BX"),
           ("SEAL-40", "5", "C62"), ("CBL-3G15", "10", "MTR")]

# The first production orders: (order, item, qty).
OPENING_ORDERS = [("PRD-1001", "IMP-200", 10), ("PRD-1002", "HSG-300", 10), ("PRD-1003", "PMP-100", 8)]


def bom(item_id: str, revision: str, lines: list[tuple[str, str, str]], **fields) -> dict:
    """A BOM in canonical fields, lines numbered 10, 20, … as PLM numbers them."""
    return {"item_id": item_id, "revision": revision, "plant_id": PLANT, "status": "released", **fields,
            "lines": [{"line_no": 10 * (n + 1), "component_id": component, "qty_per": Decimal(qty), "uom": uom}
                      for n, (component, qty, uom) in enumerate(lines)]}


def consumption(item_id: str, qty: int) -> list[tuple[str, Decimal, str]]:
    """The components building `qty` of a made item takes, by revision A of its BOM."""
    return [(component, Decimal(qty_per) * qty, uom) for component, qty_per, uom in BOMS[item_id]]
