"""The demo's configuration: the default sources, two file targets a newcomer can open, two
plants, and the suppliers' channels (two X12 and two EDIFACT partners writing their orders to
drop folders; the fifth supplier's platform sends through the hub's signed webhook as
`supplier`, its secret in MFGSYNC_DEMO_PLATFORM_SECRET)."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

from mfgsync.config import Settings, parse_settings

# The recorder keeps every delivery in one JSON Lines file; the archive keeps one file per
# delivery, as a drop folder to another system would.
# The partners answer orders with acknowledgements and ship notices, not with 997/CONTRL files
# (the demo drops no partner files): their functional-acknowledgement checks are set a year out.
DEMO_CONFIG = Template("""\
systems:
  recorder: {kind: recorder, path: $recording}
  archive: {kind: dropfolder, path: $archive}
  supplier: {kind: source, secret_env: MFGSYNC_DEMO_PLATFORM_SECRET}
  northfast: {kind: x12, dropfolder: $northfast, sender_id: PUMPWORKS, receiver_id: NORTHFAST,
              supplier_id: NORTHFAST, ack_window_hours: 8760}
  bearwell: {kind: x12, dropfolder: $bearwell, sender_id: PUMPWORKS, receiver_id: BEARWELL, version: "005010",
             supplier_id: BEARWELL, ack_window_hours: 8760}
  sealtec: {kind: edifact, dropfolder: $sealtec, sender_id: "4012345000009", receiver_id: "4098765000003",
            supplier_id: SEALTEC, ack_window_hours: 8760}
  elmotec: {kind: edifact, dropfolder: $elmotec, sender_id: "4012345000009", receiver_id: "4055555000001",
            supplier_id: ELMOTEC, ack_window_hours: 8760}
subscriptions:
  item.upserted: [recorder]
  uom.conversion.upserted: [recorder]
  supplier.upserted: [recorder]
  eco.approved: [recorder, archive]
  bom.released: [recorder, archive]
  inventory.moved: [recorder]
  production.released: [recorder, archive]
  production.reported: [recorder]
plants:
  P1: {erp_warehouse: WH1}
  P2: {erp_warehouse: WH2}
""")


PARTNERS = ("northfast", "bearwell", "sealtec", "elmotec")


def demo_settings(data_dir: str | Path = "mfgsync-data") -> Settings:
    """Settings for the demo plant, its targets writing under `data_dir`/demo."""
    folder = Path(data_dir) / "demo"
    # JSON strings are YAML strings, so any path is quoted safely.
    text = DEMO_CONFIG.substitute(recording=json.dumps(str(folder / "recording.jsonl")),
                                  archive=json.dumps(str(folder / "archive")),
                                  **{name: json.dumps(str(folder / "edi" / name)) for name in PARTNERS})
    return parse_settings(text, "<demo configuration>")
