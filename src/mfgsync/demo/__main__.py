"""`python -m mfgsync.demo [PATH]`: write the demo plant as JSON Lines (to PATH, or stdout)."""

import sys
from pathlib import Path

from mfgsync.demo.story import plant_jsonl

if len(sys.argv) > 1:
    Path(sys.argv[1]).write_text(plant_jsonl(), encoding="utf-8")
else:
    sys.stdout.write(plant_jsonl())
