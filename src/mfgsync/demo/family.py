"""The rest of the demo's pump family: two larger pumps beside PMP-100, each built from an
impeller, a housing and a motor assembly made of bought parts (three levels, about 60 items);
the larger pumps are built in both plants; five suppliers, each on its channel — two on X12,
two on EDIFACT, one on a procurement platform's signed webhook — with their sourcing rules.
"""

from __future__ import annotations

from decimal import Decimal

PLANTS = ("P1", "P2")

# Bought parts: (item, description, unit, supplier).
PARTS = [
    ("BRG-6204", "Ball bearing 6204-2RS", "C62", "BEARWELL"), ("BRG-6205", "Ball bearing 6205-2RS", "C62", "BEARWELL"),
    ("BRG-6306", "Ball bearing 6306-2RS", "C62", "BEARWELL"), ("BRG-6206", "Ball bearing 6206-2RS", "C62", "BEARWELL"),
    ("SHF-20", "Pump shaft 20 mm, stainless", "C62", "STEELCO"),
    ("SHF-25", "Pump shaft 25 mm, stainless", "C62", "STEELCO"),
    ("SHF-30", "Pump shaft 30 mm, stainless", "C62", "STEELCO"), ("STL-3MM", "Steel sheet 3 mm", "KGM", "STEELCO"),
    ("FLG-DN32", "Flange DN32 PN16", "C62", "STEELCO"), ("FLG-DN40", "Flange DN40 PN16", "C62", "STEELCO"),
    ("FLG-DN50", "Flange DN50 PN16", "C62", "STEELCO"), ("BASE-S", "Base plate, small", "C62", "STEELCO"),
    ("BASE-L", "Base plate, large", "C62", "STEELCO"), ("STA-075", "Stator 0.75 kW", "C62", "ELMOTEC"),
    ("STA-150", "Stator 1.5 kW", "C62", "ELMOTEC"), ("STA-220", "Stator 2.2 kW", "C62", "ELMOTEC"),
    ("ROT-075", "Rotor 0.75 kW", "C62", "ELMOTEC"), ("ROT-150", "Rotor 1.5 kW", "C62", "ELMOTEC"),
    ("ROT-220", "Rotor 2.2 kW", "C62", "ELMOTEC"), ("FAN-100", "Motor fan 100 mm", "C62", "ELMOTEC"),
    ("FAN-120", "Motor fan 120 mm", "C62", "ELMOTEC"), ("TBOX-1", "Terminal box with gland", "C62", "ELMOTEC"),
    ("CAP-8UF", "Run capacitor 8 uF", "C62", "ELMOTEC"), ("CAP-16UF", "Run capacitor 16 uF", "C62", "ELMOTEC"),
    ("CBL-3G25", "Motor cable 3G2.5", "MTR", "ELMOTEC"), ("SEAL-50", "Mechanical seal 50 mm", "C62", "SEALTEC"),
    ("SEAL-60", "Mechanical seal 60 mm", "C62", "SEALTEC"), ("ORG-40", "O-ring 40x3 NBR", "C62", "SEALTEC"),
    ("ORG-50", "O-ring 50x3 NBR", "C62", "SEALTEC"), ("ORG-60", "O-ring 60x3 NBR", "C62", "SEALTEC"),
    ("GSK-A", "Housing gasket A", "C62", "SEALTEC"), ("GSK-B", "Housing gasket B", "C62", "SEALTEC"),
    ("KEY-6", "Parallel key 6x6x20", "C62", "NORTHFAST"), ("CIR-20", "Circlip 20 mm", "C62", "NORTHFAST"),
    ("CIR-25", "Circlip 25 mm", "C62", "NORTHFAST"), ("CIR-30", "Circlip 30 mm", "C62", "NORTHFAST"),
    ("BLT-M10", "Hex bolt M10x40, zinc plated", "C62", "NORTHFAST"), ("NUT-M10", "Hex nut M10", "C62", "NORTHFAST"),
    ("WSH-M8", "Washer M8", "C62", "NORTHFAST"), ("SCR-M5", "Screw M5x12", "C62", "NORTHFAST"),
    ("PNT-BLU", "Enamel paint, pump blue", "LTR", "STEELCO"),
]

# Made items: (item, description).
MADE = [
    ("PMP-150", "Centrifugal pump 1.5 kW"), ("PMP-220", "Centrifugal pump 2.2 kW"),
    ("IMP-250", "Impeller, 6 vanes, 180 mm"), ("IMP-280", "Impeller, 7 vanes, 200 mm"),
    ("HSG-350", "Pump housing, welded, DN40"), ("HSG-380", "Pump housing, welded, DN50"),
    ("MOT-075", "Motor assembly 0.75 kW"), ("MOT-150", "Motor assembly 1.5 kW"), ("MOT-220", "Motor assembly 2.2 kW"),
]

# Revision A of each: parent -> [(component, qty_per, unit)]. Pumps, then their sub-assemblies.
BOMS: dict[str, list[tuple[str, str, str]]] = {
    "PMP-150": [("IMP-250", "1", "C62"), ("HSG-350", "1", "C62"), ("MOT-150", "1", "C62"), ("SEAL-50", "1", "C62"),
                ("ORG-50", "2", "C62"), ("FLG-DN40", "2", "C62"), ("BASE-S", "1", "C62"), ("BLT-M10", "8", "C62"),
                ("NUT-M10", "8", "C62"), ("PNT-BLU", "0.3", "LTR")],
    "PMP-220": [("IMP-280", "1", "C62"), ("HSG-380", "1", "C62"), ("MOT-220", "1", "C62"), ("SEAL-60", "1", "C62"),
                ("ORG-60", "2", "C62"), ("FLG-DN50", "2", "C62"), ("BASE-L", "1", "C62"), ("BLT-M10", "8", "C62"),
                ("NUT-M10", "8", "C62"), ("PNT-BLU", "0.4", "LTR")],
    "IMP-250": [("STL-3MM", "1.6", "KGM"), ("KEY-6", "1", "C62"), ("CIR-25", "1", "C62")],
    "IMP-280": [("STL-3MM", "2.1", "KGM"), ("KEY-6", "1", "C62"), ("CIR-30", "1", "C62")],
    "HSG-350": [("STL-3MM", "4.5", "KGM"), ("GSK-A", "1", "C62"), ("BLT-M8", "8", "C62"), ("WSH-M8", "8", "C62")],
    "HSG-380": [("STL-3MM", "5.5", "KGM"), ("GSK-B", "1", "C62"), ("BLT-M8", "10", "C62"), ("WSH-M8", "10", "C62")],
    "MOT-075": [("STA-075", "1", "C62"), ("ROT-075", "1", "C62"), ("SHF-20", "1", "C62"), ("BRG-6204", "2", "C62"),
                ("FAN-100", "1", "C62"), ("TBOX-1", "1", "C62"), ("CAP-8UF", "1", "C62"), ("SCR-M5", "6", "C62")],
    "MOT-150": [("STA-150", "1", "C62"), ("ROT-150", "1", "C62"), ("SHF-25", "1", "C62"), ("BRG-6205", "2", "C62"),
                ("FAN-100", "1", "C62"), ("TBOX-1", "1", "C62"), ("CAP-16UF", "1", "C62"), ("CBL-3G25", "1.5", "MTR"),
                ("SCR-M5", "6", "C62")],
    "MOT-220": [("STA-220", "1", "C62"), ("ROT-220", "1", "C62"), ("SHF-30", "1", "C62"), ("BRG-6306", "1", "C62"),
                ("BRG-6206", "1", "C62"), ("FAN-120", "1", "C62"), ("TBOX-1", "1", "C62"), ("CBL-3G25", "2", "MTR"),
                ("SCR-M5", "8", "C62")],
}
# Sub-assemblies before the pumps that use them.
BUILD_ORDER = ("IMP-250", "IMP-280", "HSG-350", "HSG-380", "MOT-075", "MOT-150", "MOT-220", "PMP-150", "PMP-220")
BUILT_IN_BOTH = {"PMP-150", "PMP-220", "IMP-250", "IMP-280", "HSG-350", "HSG-380", "MOT-150", "MOT-220"}

# Suppliers and the channel each is on: a system of the demo's configuration (demo/settings.py).
SUPPLIERS = [
    {"supplier_id": "NORTHFAST", "name": "Northfast Fasteners", "channel": "northfast"},
    {"supplier_id": "BEARWELL", "name": "Bearwell Bearings", "channel": "bearwell"},
    {"supplier_id": "SEALTEC", "name": "Sealtec GmbH", "channel": "sealtec"},
    {"supplier_id": "ELMOTEC", "name": "Elmotec Motor Parts", "channel": "elmotec"},
    {"supplier_id": "STEELCO", "name": "Steelco Sheet Metal", "channel": "supplier"},  # its platform's webhook
]
LEAD_DAYS = {"NORTHFAST": 3, "BEARWELL": 7, "SEALTEC": 10, "ELMOTEC": 14, "STEELCO": 5}
ORDER_QTY = {"C62": Decimal(100), "KGM": Decimal(500), "MTR": Decimal(200), "LTR": Decimal(20)}


def channel_of(supplier_id: str) -> str:
    return next(s["channel"] for s in SUPPLIERS if s["supplier_id"] == supplier_id)


def bom(item_id: str, plant_id: str) -> dict:
    return {"item_id": item_id, "revision": "A", "plant_id": plant_id, "status": "released",
            "lines": [{"line_no": 10 * (n + 1), "component_id": c, "qty_per": Decimal(q), "uom": u}
                      for n, (c, q, u) in enumerate(BOMS[item_id])]}


def parts_of(supplier_id: str) -> list[tuple[str, str, str, str]]:
    return [part for part in PARTS if part[3] == supplier_id]
