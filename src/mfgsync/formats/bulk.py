"""The one place the readers pause Python's cyclic garbage collector around a bulk parse.

A large file becomes millions of small, acyclic objects (segments, elements, decimals, models).
Each one counts towards the collector's thresholds, so it runs again and again over a heap that
only grows and finds nothing to free: about 40% of X12 reading time. Reference counting still
frees everything a parse drops; the collector resumes (if it was on) the moment the parse ends,
however it ends.

What the parse made and kept (the documents) would still be young then, so the collector's next
pass would walk every one of them, and a later one again, to free none: near a tenth of the
reading time. They are moved to the oldest generation instead, where only a full collection
looks at them, as it would once they had survived those passes (gc.freeze then gc.unfreeze does
that without walking them). Only where nothing keeps objects frozen (the API server and intake
freeze what outlives them; unfreezing would let go of it) and no other thread runs.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0 and threading.active_count() == 1:
            gc.freeze()  # every tracked object into the permanent generation, without a pass over them,
            gc.unfreeze()  # and from there into the oldest generation
        if was_enabled:
            gc.enable()
