"""The demo's configuration: the default sources plus two file targets a newcomer can open."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

from mfgsync.config import Settings, parse_settings

# The recorder keeps every delivery in one JSON Lines file; the archive keeps one file per
# delivery, as a drop folder to another system would.
DEMO_CONFIG = Template("""\
systems:
  recorder: {kind: recorder, path: $recording}
  archive: {kind: dropfolder, path: $archive}
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
""")


def demo_settings(data_dir: str | Path = "mfgsync-data") -> Settings:
    """Settings for the demo plant, its targets writing under `data_dir`/demo."""
    folder = Path(data_dir) / "demo"
    # JSON strings are YAML strings, so any path is quoted safely.
    text = DEMO_CONFIG.substitute(recording=json.dumps(str(folder / "recording.jsonl")),
                                  archive=json.dumps(str(folder / "archive")))
    return parse_settings(text, "<demo configuration>")
