"""EDI throughput of the hub beside its peers and same-run baselines, all on one generated file each.

X12: a mixed file (850, 856, 810 in many interchanges) read into canonical entities, against
splitting the same text into segments and elements with str.split (the floor any parser pays),
and against the same reading with every document validated by pydantic (as before the hub's
quick build). A reference line builds the same canonical documents from ready-made dicts, as the
hub builds them and with pydantic's model_validate: what the canonical model alone costs. The
hub's structural layer alone (segments, envelopes, control numbers and counts, segment tables)
runs beside the peers doing their structural work on the same file: ansi-x12 (tokenize and parse
each interchange, from bytes) and pyx12 (its reader over the whole file, with its envelope
checks). A peer that is not installed is said so and skipped.
EDIFACT: a file of the same size read into canonical entities, beside the hub reading it with
pydifact's tokenizer (as it did before its own) and with pydantic building every document; the
hub's tokenizer beside pydifact's on the same interchange. pydifact reads character by character
(about 1 MB/s), so its lines run --slow-repeats times (one by default).

    mfgsync bench edi [--mb 10] [--repeats 3] [--slow-repeats 1] [--only x12|edifact] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import time
import warnings
from datetime import date, timedelta
from contextlib import contextmanager
from typing import Callable, Iterator

from _report import median_seconds, report

from mfgsync.formats import edifact, x12
from mfgsync.formats.bulk import collector_paused
from mfgsync.formats import canonical
from mfgsync.formats.canonical import build
from mfgsync.formats.edifact import syntax as edifact_syntax
from mfgsync.formats.edifact.tokenizer import split_segments
from mfgsync.formats.segment_table import validate
from mfgsync.formats.x12 import envelope as x12_envelope
from mfgsync.formats.x12 import syntax as x12_syntax
from mfgsync.formats.x12.tables import TABLES as X12_TABLES

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


def x12_file(block: str, copies: int) -> str:
    """`copies` of the block, each interchange with its own control number (ISA13 = IEA02), as a
    partner's file has them (pyx12 checks that they are unique within a file)."""
    head, tail = block[:ISA13], block[ISA13 + 9:]
    assert head.endswith("*") and tail.rstrip().endswith("*000000001~"), "the block's ISA13 and IEA02 moved"
    tail = tail.rstrip()[:-len("000000001~")]
    return "".join(f"{head}{n:09d}{tail}{n:09d}~\n" for n in range(1, copies + 1))


ISA13 = 90  # where ISA13 starts in the fixed-width ISA


def edifact_file(size: int) -> str:
    """One interchange of many messages (pydifact reads one interchange per string)."""
    block = edifact.render_many(_mixed(("ORDERS", "DESADV", "INVOIC")))
    head, _, rest = block.partition("UNH+")
    body, _, _ = ("UNH+" + rest).rpartition("UNZ+")
    copies = max(1, size // len(body))
    return head + body * copies + f"UNZ+{copies * DOCUMENTS_PER_BLOCK}+1'\n"


def split_baseline(text: str) -> int:
    return sum(len(segment.split("*")) for segment in text.split("~"))


def hub_x12_structure(text: str) -> int:
    """The hub's X12 structural layer alone: interchanges split into segments and elements with
    their own delimiters, ISA/IEA, GS/GE and ST/SE control numbers and counts checked, and each
    set checked against its segment table; no mapping."""
    sets = 0
    with collector_paused():
        for raw in x12_syntax.split_interchanges(text):
            interchange = x12_envelope.read_envelope(raw)
            assert not interchange.errors, interchange.errors
            for group in interchange.groups:
                for ts in group.sets:
                    assert not ts.errors, ts.errors
                    validate(X12_TABLES[ts.set_id], ts.tags, ts.first)
                    sets += 1
    return sets


def edifact_tokens(text: str, tokenizer: Callable[[str, object], list]) -> int:
    """Every interchange of `text` split into segments by `tokenizer`, the rest of the reading left out."""
    chars = edifact_syntax.characters()
    chunk = text.replace("\r", "").replace("\n", "")
    with collector_paused():
        return len(tokenizer(chunk, chars))


def hub_edifact_tokens(chunk: str, chars) -> list:
    found = split_segments(chunk, chars.segment_terminator, chars.data_separator, chars.component_separator,
                           chars.escape_character)
    assert found is not None, "the generated file is regular: the hub's tokenizer reads it"
    return found


def _peer(module: str, package: str):
    """A peer parser's module, or None (saying so) when its package is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        print(f"  ({package} is not installed: its line is skipped; pip install -e '.[bench]' adds it)")
        return None


def ansi_x12_structure(ansi_x12, data: bytes) -> int:
    """ansi-x12's structural parse (separators, segments, ISA/GS/ST envelopes, control numbers and
    counts) of each interchange; it reads one interchange per call, so the file is cut at each ISA."""
    sets = 0
    with collector_paused():
        for payload in re.split(rb"(?=ISA\*)", data):
            if payload:
                interchange = ansi_x12.parse_x12_interchange(ansi_x12.tokenize_x12(payload))
                sets += sum(len(group.transactions) for group in interchange.groups)
    return sets


def pyx12_structure(pyx12_file, text: str) -> int:
    """pyx12's reader over the whole file: segments split, envelope control numbers and counts checked."""
    reader = pyx12_file.X12Reader(io.StringIO(text))
    with collector_paused():
        segments = sum(1 for _ in reader)
    reader.cleanup()
    assert not reader.pop_errors(), "pyx12 found faults in the generated file"
    return segments


def model_construction(block: str, copies: int, construct: Callable[[type, dict], object]) -> Callable[[], None]:
    """Building the canonical documents of `copies` blocks from dicts, as the mapper hands them over.

    The dicts are the fields each document of the block was given when read (defaults left to the
    model), with typed values (Decimal, date, enum) as the mapper produces them. The models are kept
    until the end and the cyclic collector paused, as when reading. `construct` is pydantic's
    model_validate, or the hub's build (which skips the model's Python validators where it may).
    """
    ready = [(type(document.data), document.data.model_dump(exclude_unset=True))
             for interchange in x12.read(block) for document in interchange.documents]

    def build_all() -> None:
        with collector_paused():
            built = [construct(model, data) for _ in range(copies) for model, data in ready]
        del built
    return build_all


@contextmanager
def pydantic_builds_every_document() -> Iterator[None]:
    """Reading as before quick_build: every mapped document validated by pydantic."""
    original, original_rows = canonical.quick_build, canonical.quick_build_rows
    canonical.quick_build = lambda model, data: None
    canonical.quick_build_rows = lambda model, names, rows: None
    try:
        yield
    finally:
        canonical.quick_build, canonical.quick_build_rows = original, original_rows


def documents_read(read: Callable[[str], list], text: str, counted: list[int]) -> None:
    """Read `text`, noting how many documents came out (the result itself is let go at once)."""
    counted.append(sum(len(interchange.documents) for interchange in read(text)))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench edi")
    parser.add_argument("--mb", type=float, default=10.0, help="size of each generated file in MB")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each figure (the median counts)")
    parser.add_argument("--slow-repeats", type=int, default=1,
                        help="runs of the slow EDIFACT baselines (pydifact, the hub reading with it)")
    parser.add_argument("--only", choices=("x12", "edifact"), help="run one format's figures (default: both)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time, or this process's CPU time (steadier on a shared machine)")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.clock == "wall" else time.process_time
    # pydifact warns once per segment tag that it has no directory files to validate against
    warnings.filterwarnings("ignore", module="pydifact")
    size = int(args.mb * 1_000_000)

    if args.only in (None, "x12"):
        x12_figures(size, args.repeats)
    if args.only in (None, "edifact"):
        edifact_figures(size, args.repeats, args.slow_repeats)


CLOCK = time.perf_counter
X12_AIM_MB_S = 10.0  # full parse plus mapping
EDIFACT_AIM_MB_S = 5.0


def x12_figures(size: int, repeats: int) -> None:
    block = x12_block()
    copies = max(1, size // len(block))
    text = x12_file(block, copies)
    mb, counted = len(text) / 1e6, []
    rate = lambda run, times=repeats: mb / median_seconds(run, times, CLOCK)  # noqa: E731
    hub = rate(lambda: documents_read(x12.read, text, counted))
    with pydantic_builds_every_document():
        all_pydantic = rate(lambda: documents_read(x12.read, text, []))
    structure = rate(lambda: hub_x12_structure(text))
    floor = rate(lambda: split_baseline(text))
    models = rate(model_construction(block, copies, lambda model, data: model.model_validate(data)))
    built = rate(model_construction(block, copies, build))
    print(f"X12: {mb:.1f} MB, {counted[0]} documents (850, 856, 810), {LINES_PER_DOCUMENT} lines each")
    report("X12 parse + mapping to canonical", hub, "MB/s", "str.split segments+elements", floor)
    report("  beside every document built by pydantic", hub, "MB/s", "pydantic-built", all_pydantic)
    report("  canonical models, as the hub builds them", built, "MB/s", "pydantic model_validate", models)
    report("X12 structural layer (hub)", structure, "MB/s", "str.split segments+elements", floor)
    peers = {}
    ansi_x12 = _peer("x12", "ansi-x12")
    if ansi_x12 is not None:
        data = text.encode("ascii")
        peers["ansi-x12"] = rate(lambda: ansi_x12_structure(ansi_x12, data))
    pyx12_file = _peer("pyx12.x12file", "pyx12")
    if pyx12_file is not None:
        peers["pyx12"] = rate(lambda: pyx12_structure(pyx12_file, text))
    for name, peer in peers.items():
        report(f"  hub structural, beside {name}", structure, "MB/s", name, peer)
        report(f"  hub parse + mapping, beside {name}", hub, "MB/s", name, peer)
    verdict = "met" if hub >= X12_AIM_MB_S else "missed"
    fastest = max(peers.values(), default=0.0)
    print(f"aims: parse + mapping >= {X12_AIM_MB_S:.0f} MB/s: {verdict} ({hub:.1f}); structural layer faster "
          f"than every peer measured: {'met' if structure > fastest else 'missed'}"
          + ("" if peers else " (no peer installed)"))


def edifact_figures(size: int, repeats: int, slow_repeats: int) -> None:
    text = edifact_file(size)
    mb, counted = len(text) / 1e6, []
    rate = lambda run, times=repeats: mb / median_seconds(run, times, CLOCK)  # noqa: E731
    hub = rate(lambda: documents_read(edifact.read, text, counted))
    tokens = rate(lambda: edifact_tokens(text, hub_edifact_tokens))
    pydifact = rate(lambda: edifact_tokens(text, edifact_syntax.pydifact_segments), slow_repeats)
    with edifact_syntax.pydifact_tokenizer_only():
        before = rate(lambda: documents_read(edifact.read, text, []), slow_repeats)
    with pydantic_builds_every_document():
        all_pydantic = rate(lambda: documents_read(edifact.read, text, []))
    print(f"EDIFACT: {mb:.1f} MB, {counted[0]} messages (ORDERS, DESADV, INVOIC)")
    report("EDIFACT parse + mapping to canonical", hub, "MB/s", "the hub reading with pydifact's tokenizer", before)
    report("  beside every document built by pydantic", hub, "MB/s", "pydantic-built", all_pydantic)
    report("EDIFACT tokenizer (hub)", tokens, "MB/s", "pydifact tokenizer + segments", pydifact)
    report("  hub parse + mapping, beside pydifact", hub, "MB/s", "pydifact tokenizer + segments", pydifact)
    print(f"aim: parse + mapping >= {EDIFACT_AIM_MB_S:.0f} MB/s: {'met' if hub >= EDIFACT_AIM_MB_S else 'missed'} "
          f"({hub:.1f})")

