"""EDI parse-plus-mapping throughput beside same-run baselines.

X12: a mixed file (850, 856, 810 in many interchanges) read into canonical entities, against
splitting the same text into segments and elements with str.split (the floor any parser pays).
A third X12 line builds the same canonical documents from ready-made dicts with model_validate:
what the canonical model alone costs, so what no parser in front of it can go faster than.
EDIFACT: a file of the same size read into canonical entities, against pydifact alone tokenizing it.
pydifact reads character by character (under 1 MB/s), so at the default size one EDIFACT run
takes about a minute: one run of each is the default there, long enough to be steady.

    mfgsync bench edi [--mb 50] [--repeats 3] [--edifact-repeats 1] [--only x12|edifact]
"""

from __future__ import annotations

import argparse
import warnings
from datetime import date, timedelta
from typing import Callable

from _report import median_seconds, report
from pydifact.segmentcollection import Interchange

from mfgsync.formats import edifact, x12
from mfgsync.formats.bulk import collector_paused

LINES_PER_DOCUMENT = 20
DOCUMENTS_PER_BLOCK = 60


def _order(n: int) -> dict:
    return {"po_number": f"45{n:08d}", "supplier_id": "NORTHFAST", "order_date": "2026-03-01", "currency": "EUR",
            "lines": [{"line_no": i, "item_id": f"ITEM-{n % 97}-{i}", "supplier_item_id": f"NF-{i:05d}",
                       "qty": 10 + i, "uom": "C62", "unit_price": f"{i}.25",
                       "need_date": (date(2026, 3, 15) + timedelta(days=i)).isoformat()}
                      for i in range(1, LINES_PER_DOCUMENT + 1)]}


def _asn(n: int) -> dict:
    return {"asn_id": f"ASN-{n}", "supplier_id": "NORTHFAST", "ship_date": "2026-03-02", "carrier": "UPSN",
            "lines": [{"po_number": f"45{n:08d}", "po_line_no": i, "item_id": f"ITEM-{n % 97}-{i}", "qty": 10 + i,
                       "uom": "C62", "lot_id": f"LOT-{n}-{i}", "sscc": f"{n:09d}{i:09d}" if i % 4 == 0 else None}
                      for i in range(1, LINES_PER_DOCUMENT + 1)]}


def _invoice(n: int) -> dict:
    return {"invoice_number": f"INV-{n}", "supplier_id": "NORTHFAST", "po_number": f"45{n:08d}",
            "invoice_date": "2026-03-05", "currency": "EUR",
            "lines": [{"po_line_no": i, "item_id": f"ITEM-{n % 97}-{i}", "qty": 10 + i, "uom": "C62",
                       "unit_price": f"{i}.25"} for i in range(1, LINES_PER_DOCUMENT + 1)]}


def _mixed(kinds: tuple[str, str, str]) -> list[tuple[str, dict]]:
    makers = (_order, _asn, _invoice)
    return [(kinds[n % 3], makers[n % 3](n)) for n in range(DOCUMENTS_PER_BLOCK)]


def x12_block() -> str:
    """One interchange of DOCUMENTS_PER_BLOCK documents; the X12 file is this block repeated."""
    return x12.render_many(_mixed(("850", "856", "810")))


def edifact_file(size: int) -> str:
    """One interchange of many messages (pydifact reads one interchange per string)."""
    block = edifact.render_many(_mixed(("ORDERS", "DESADV", "INVOIC")))
    head, _, rest = block.partition("UNH+")
    body, _, _ = ("UNH+" + rest).rpartition("UNZ+")
    copies = max(1, size // len(body))
    return head + body * copies + f"UNZ+{copies * DOCUMENTS_PER_BLOCK}+1'\n"


def split_baseline(text: str) -> int:
    return sum(len(segment.split("*")) for segment in text.split("~"))


def pydifact_baseline(text: str) -> int:
    return sum(1 for _ in Interchange.from_str(text).segments)


def model_construction(block: str, copies: int) -> Callable[[], None]:
    """Building the canonical documents of `copies` blocks from dicts, as the mapper hands them over.

    The dicts are the fields each document of the block was given when read (defaults left to the
    model), with typed values (Decimal, date, enum) as the mapper produces them. The models are kept
    until the end and the cyclic collector paused, as when reading.
    """
    ready = [(type(document.data), document.data.model_dump(exclude_unset=True))
             for interchange in x12.read(block) for document in interchange.documents]

    def build_all() -> None:
        with collector_paused():
            built = [model.model_validate(data) for _ in range(copies) for model, data in ready]
        del built
    return build_all


def documents_read(read: Callable[[str], list], text: str, counted: list[int]) -> None:
    """Read `text`, noting how many documents came out (the result itself is let go at once)."""
    counted.append(sum(len(interchange.documents) for interchange in read(text)))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench edi")
    parser.add_argument("--mb", type=float, default=50.0, help="size of each generated file in MB")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the X12 figures (the median counts)")
    parser.add_argument("--edifact-repeats", type=int, default=1, help="runs of the EDIFACT figures")
    parser.add_argument("--only", choices=("x12", "edifact"), help="run one format's figures (default: both)")
    args = parser.parse_args(argv)
    # pydifact warns once per segment tag that it has no directory files to validate against
    warnings.filterwarnings("ignore", module="pydifact")
    size = int(args.mb * 1_000_000)

    if args.only in (None, "x12"):
        x12_figures(size, args.repeats)
    if args.only in (None, "edifact"):
        edifact_figures(size, args.edifact_repeats)


def x12_figures(size: int, repeats: int) -> None:
    block = x12_block()
    copies = max(1, size // len(block))
    text = block * copies
    mb, counted = len(text) / 1e6, []
    hub = mb / median_seconds(lambda: documents_read(x12.read, text, counted), repeats)
    floor = mb / median_seconds(lambda: split_baseline(text), repeats)
    models = mb / median_seconds(model_construction(block, copies), repeats)
    print(f"X12: {mb:.1f} MB, {counted[0]} documents (850, 856, 810), {LINES_PER_DOCUMENT} lines each")
    report("X12 parse + mapping to canonical", hub, "MB/s", "str.split segments+elements", floor)
    report("  canonical model construction alone", models, "MB/s", "str.split segments+elements", floor)


def edifact_figures(size: int, repeats: int) -> None:
    text = edifact_file(size)
    mb, counted = len(text) / 1e6, []
    hub = mb / median_seconds(lambda: documents_read(edifact.read, text, counted), repeats)
    alone = mb / median_seconds(lambda: pydifact_baseline(text), repeats)
    print(f"EDIFACT: {mb:.1f} MB, {counted[0]} messages (ORDERS, DESADV, INVOIC)")
    report("EDIFACT parse + mapping to canonical", hub, "MB/s", "pydifact alone", alone)
