"""Every exception that matches, read page after page through the port's paged listing."""

from __future__ import annotations

from typing import Any, Iterator

from mfgsync.store.port import ReadSide

PAGE = 1000


def every_exception(read: ReadSide, status: str = "open", kind: str | None = None) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        page = read.exceptions(status=status, kind=kind, after_id=after, limit=PAGE)
        yield from page.rows
        if not page.more:
            return
        after = page.next_after
