"""856 ship notice <-> ShipNotice, through the HL hierarchy (shipment, order, pack, item).

An item reaches its purchase order through its ancestors (often via a pack level); the pack's
SSCC (MAN*GM) and the item's lot (LIN LT pair or REF*LT) go on the ship-notice line.
"""

from __future__ import annotations

from typing import Any

from mfgsync.formats.canonical import build, build_lines
from mfgsync.formats.errors import FormatError
from mfgsync.formats.values import ccyymmdd, date_text, decimal, number_text
from mfgsync.formats.x12.common import Context, line_ids, supplier_of, write_pairs, write_uom
from mfgsync.formats.x12.syntax import Segment, element, elements
from mfgsync.formats.walking import walk
from mfgsync.model.entities import ShipNotice, ShipNoticeLine
from mfgsync.model.numbers import MAX_NUMBER_CHARS

_ARRIVAL = ("017", "067", "002")
_SSCC = ("GM", "W")
_NOTHING_ABOVE = (None, None, None)  # po, lot and sscc passed down to a level without parent
_LINE = ("po_number", "po_line_no", "item_id", "supplier_item_id", "qty", "uom", "lot_id", "sscc")  # a line's row


def read(segments: list[Segment], first: int, ctx: Context) -> ShipNotice:
    profile, units = ctx.profile, ctx.units
    header: dict[str, Any] = {}
    parties: dict[str, str] = {}
    levels: dict[str, dict[str, Any]] = {}
    items: list[dict[str, Any]] = []  # item HL levels in file order
    current: dict[str, Any] = {}
    days, quantities = ctx.remembered(ccyymmdd, "DTM02"), ctx.remembered(decimal, "SN102")
    po_line_nos = ctx.remembered(_po_line_number, "LIN01")

    def bsn(s: Segment) -> None:
        header["asn_id"] = element(s, 2)
        if element(s, 3):
            header["ship_date"] = ctx.remembered(ccyymmdd, "BSN03")[element(s, 3)]

    def dtm(s: Segment) -> None:
        qualifier, day = s[1:3] if len(s) > 2 else elements(s, 2)
        if current and current["level"] != "S" or not day:
            return
        if qualifier == "011":
            header["ship_date"] = days[day]
        elif qualifier in _ARRIVAL:
            header["expected_arrival"] = days[day]

    def hl(s: Segment) -> None:
        nonlocal current
        hl_id, parent, level = s[1:4] if len(s) > 3 else elements(s, 3)
        hl_id, parent = hl_id.strip(), parent.strip()
        if not hl_id or hl_id in levels:
            raise FormatError("X12_HL_INVALID", f"HL01 {hl_id!r} is empty or repeated", element=1)
        if parent:
            above = levels.get(parent)  # complete now: its "down" is what it passes down (see _passed_down)
            if above is None:
                raise FormatError("X12_HL_INVALID", f"HL02 parent {parent!r} is not an earlier HL", element=2)
            above = above.get("down") or _passed_down(above)
        else:
            above = _NOTHING_ABOVE
        if level == "I":  # an item level holds its line's fields from the start: LIN and SN1 overwrite them
            current = levels[hl_id] = {"id": hl_id, "level": level, "above": above, "po_line_no": None,
                                       "item_id": None, "supplier_item_id": None, "qty": None, "uom": None}
            items.append(current)
        else:
            current = levels[hl_id] = {"id": hl_id, "level": level, "above": above}

    def td5(s: Segment) -> None:
        header.setdefault("carrier", element(s, 3) or element(s, 5) or None)

    def ref(s: Segment) -> None:
        if element(s, 1) == "CN" and (not current or current["level"] == "S"):
            header["tracking_number"] = element(s, 2)
        elif element(s, 1) in profile.x12_lot_qualifiers and current:
            current.setdefault("lot", element(s, 2))

    def n1(s: Segment) -> None:
        parties.setdefault(element(s, 1), element(s, 4) or element(s, 2))

    def prf(s: Segment) -> None:
        if current:
            current["po"] = element(s, 1)

    def man(s: Segment) -> None:
        if current and element(s, 1) in _SSCC:
            current.setdefault("sscc", element(s, 2))

    def lin(s: Segment) -> None:
        if not current:
            return
        current["item_id"], current["supplier_item_id"], lot = line_ids(s, 2, ctx)
        if lot:
            current["lot"] = lot
        po_line_no = po_line_nos[s[1]] if len(s) > 1 else None
        if po_line_no is not None:
            current["po_line_no"] = po_line_no

    def sn1(s: Segment) -> None:
        if current:
            _, qty, unit = s[1:4] if len(s) > 3 else elements(s, 3)
            current["qty"] = quantities[qty]
            current["uom"] = units[unit]

    walk(segments, first, {"BSN": bsn, "DTM": dtm, "HL": hl, "TD5": td5, "REF": ref, "N1": n1, "PRF": prf,
                           "MAN": man, "LIN": lin, "SN1": sn1})
    header["supplier_id"] = supplier_of(parties, profile, ctx.sender)
    header["lines"] = build_lines(ShipNoticeLine, _LINE, _lines(items))
    return build(ShipNotice, header)


def _po_line_number(text: str, what: str) -> int | str | None:
    """The purchase order line number LIN01 gives, None for a text that is no line number."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):  # not "²", which is a digit int() cannot read
        return None
    # a number longer than any X12 number is left as text, for the model to refuse
    return int(digits) if len(digits) <= MAX_NUMBER_CHARS else digits


def _passed_down(level: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The po, lot and sscc of `level`: its own, else what the levels above passed down to it.

    Asked once `level` is complete: when a child level opens (only the current level takes
    segments, and a parent always precedes its children) or once the whole set is read. Kept on
    the level, so each level is resolved once however many levels hang under it. The handlers
    store these keys only with text, never None, so a key's absence is what "not given" means.
    """
    down = level.get("down")
    if down is None:
        down = level["down"] = _own_or_above(level)
    return down


def _own_or_above(level: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The po, lot and sscc of `level`: its own, else those passed down to it."""
    po, lot, sscc = level["above"]
    return level.get("po", po), level.get("lot", lot), level.get("sscc", sscc)


def _lines(items: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows of the item levels, fields as _LINE, in one loop: an item level holds its own
    line fields (None where LIN or SN1 gave none), its po, lot and sscc may come from above."""
    rows = []
    for item in items:
        po, lot, sscc = item.get("down") or _own_or_above(item)  # no level is opened below it any more
        if po is None:
            raise FormatError("X12_HL_NO_ORDER", f"item HL {item['id']} has no order level (PRF) above it",
                              tag="HL")
        rows.append([po, item["po_line_no"], item["item_id"], item["supplier_item_id"], item["qty"], item["uom"],
                     lot, sscc])
    return rows


def write(asn: ShipNotice, ctx: Context) -> list[Segment]:
    profile = ctx.profile
    out: list[Segment] = [["BSN", "00", asn.asn_id, date_text(asn.ship_date or ctx.on), "0000"]]
    if asn.ship_date:
        out.append(["DTM", "011", date_text(asn.ship_date)])
    if asn.expected_arrival:
        out.append(["DTM", "017", date_text(asn.expected_arrival)])
    out.append(["HL", "1", "", "S"])
    if asn.carrier:
        out.append(["TD5", "", "2", asn.carrier])
    if asn.tracking_number:
        out.append(["REF", "CN", asn.tracking_number])
    out.append(["N1", "SU", "", "92", asn.supplier_id])
    count = 1
    by_order: dict[str, list] = {}
    for line in asn.lines:
        by_order.setdefault(line.po_number, []).append(line)
    for po_number, lines in by_order.items():
        count += 1
        order_hl = str(count)
        out += [["HL", order_hl, "1", "O"], ["PRF", po_number]]
        for line in lines:
            parent = order_hl
            if line.sscc:
                count += 1
                parent = str(count)
                out += [["HL", parent, order_hl, "P"], ["MAN", "GM", line.sscc]]
            count += 1
            lot = [profile.x12_lot_qualifiers[0], line.lot_id] if line.lot_id else []
            po_line = str(line.po_line_no) if line.po_line_no is not None else ""
            out += [["HL", str(count), parent, "I"],
                    ["LIN", po_line, *write_pairs(line.item_id, line.supplier_item_id, profile), *lot],
                    ["SN1", "", number_text(line.qty), write_uom(line.uom, profile)]]
    out.append(["CTT", str(count)])
    return out
