"""The demo pump plant: its data, the messages its systems send, and the configuration to run it.

`mfgsync serve --demo` loads it and keeps it busy; `pump_plant.jsonl` beside this file is the
same first day as a file for `mfgsync ingest` (regenerate it with `python -m mfgsync.demo`).
"""

from mfgsync.demo.settings import demo_settings
from mfgsync.demo.story import plant_jsonl, plant_messages
from mfgsync.demo.traffic import feed_live_traffic, live_messages

__all__ = ["demo_settings", "feed_live_traffic", "live_messages", "plant_jsonl", "plant_messages"]
