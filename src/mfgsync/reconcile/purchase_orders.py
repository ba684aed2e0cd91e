"""Purchase-order reconciliation: the ERP's purchase order lines against what the supplier side
says — acknowledgements, ship notices and the receipts of their lots — in the document shape of
inventory reconciliation, keyed by (po_number, line_no).

Left is the ERP's view: each order as the ERP last sent it to the hub (`hub`), or a file of
lines (CSV, Parquet or JSON; columns po_number, line_no, item_id, qty, uom, status,
promised_date). Right is built from the hub's records: a line's newest acknowledgement (by ack
id), the quantities ASNs ship for it, and whether a receipt has taken in an ASN lot of it.

Each line is one of match, only_left (in the ERP, nothing from the supplier yet), only_right
(acknowledged or shipped, not in the ERP), qty_mismatch (the acknowledged quantity, or more
shipped than ordered), status_mismatch (rejected, shipped or received while the ERP has it
open) or date_mismatch (promised later than the ERP's date), with a cause saying which and the
acknowledgement, ASN and movement ids as evidence.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from mfgsync.model import entities as m
from mfgsync.model import keys
from mfgsync.reconcile.inventory import HUB, Side
from mfgsync.reconcile.snapshots import SnapshotError, read_file
from mfgsync.store.port import ReadSide, Store

KINDS = ("match", "only_left", "only_right", "qty_mismatch", "status_mismatch", "date_mismatch")
OPEN = {"open", "accepted", "changed", "backordered"}  # ERP line statuses before anything has shipped
_ZERO = Decimal(0)
ERP_EVENTS = ("po.created", "po.changed")


def reconcile(store: Store, left: Side) -> dict[str, Any]:
    with store.reading() as read:
        erp, problems = _erp_lines(read, left)
        supplier = _supplier_lines(read)
    judged = [_judge(key, erp.get(key), supplier.get(key)) for key in sorted(set(erp) | set(supplier))]
    variances = [v for v in judged if v["kind"] != "match"]
    summary = {kind: 0 for kind in KINDS}
    for v in judged:
        summary[v["kind"]] += 1
    return {"kind": "purchase_orders", "summary": summary, "variances": variances, "totals": {"by_plant": {}},
            "as_of": None, "left": {"source": left.source, "rows": len(erp), "keys": len(erp), "problems": problems},
            "right": {"source": "supplier", "rows": len(supplier), "keys": len(supplier), "problems": []}}


def _erp_lines(read: ReadSide, side: Side) -> tuple[dict[tuple[str, int], dict], list[dict]]:
    if side.source == HUB:
        lines = {}
        for po in read.entities_of_type("purchase_order"):
            for line in _as_erp_sent(read, po).get("lines") or []:
                lines[po["po_number"], int(line["line_no"])] = {**line, "order_status": po.get("status")}
        return lines, []
    path = Path(side.source)
    if not path.is_file():
        raise SnapshotError(f"{side.source}: no such file")
    lines, problems = {}, []
    for n, row in enumerate(read_file(path).to_dicts(), start=1):
        try:
            line = m.PurchaseOrderLine.model_validate({k: v for k, v in row.items() if k != "po_number" and v})
            if not row.get("po_number"):
                raise ValueError("po_number is missing")
        except ValueError as exc:
            problems.append({"row": n, "field": "line", "message": str(exc).splitlines()[0][:200]})
            continue
        lines[row["po_number"], line.line_no] = line.model_dump(mode="json")
    return lines, problems


def _as_erp_sent(read: ReadSide, po: dict) -> dict:
    """The order as the ERP last sent it (its newest po.created or po.changed): the hub's own copy
    also takes in what acknowledgements changed, which is the other side of this comparison."""
    sent = [e["data"] for e in read.history(keys.purchase_order(po["po_number"]))
            if e.get("type") in ERP_EVENTS and isinstance(e.get("data"), dict)]
    return sent[-1] if sent else po


def _supplier_lines(read: ReadSide) -> dict[tuple[str, int], dict]:
    """Per PO line: the newest acknowledgement of it, what ASNs ship for it and their lots' receipts."""
    found: dict[tuple[str, int], dict] = {}
    for ack in sorted(read.entities_of_type("po_ack"), key=lambda a: (a["po_number"], a["ack_id"])):
        for line in ack.get("lines") or []:
            entry = found.setdefault((ack["po_number"], int(line["line_no"])), _empty())
            entry["ack"] = {**line, "ref": f"ack:{ack['po_number']}/{ack['ack_id']}", "ack_type": ack["ack_type"]}
    asn_lines = [(asn["asn_id"], line) for asn in read.entities_of_type("ship_notice") for line in asn.get("lines") or []
                 if line.get("po_line_no") is not None]
    received = _received_lots(read, {line["item_id"] for _, line in asn_lines if line.get("item_id")})
    for asn_id, line in asn_lines:
        entry = found.setdefault((line["po_number"], int(line["po_line_no"])), _empty())
        entry["shipped"] += Decimal(str(line["qty"]))
        entry["asns"].append(f"asn:{asn_id}")
        if line.get("lot_id") and (line.get("item_id"), line["lot_id"]) in received:
            entry["received"].append(received[line.get("item_id"), line["lot_id"]])
    return found


def _empty() -> dict:
    return {"ack": None, "shipped": _ZERO, "asns": [], "received": []}


def _received_lots(read: ReadSide, items: Iterable[str]) -> dict[tuple[str, str], str]:
    return {(mv["item_id"], mv["lot_id"]): f"movement:{mv['movement_id']}"
            for movements in read.entities_of_refs("movement", items).values() for mv in movements
            if mv.get("kind") == "receipt" and mv.get("lot_id")}


def _judge(key: tuple[str, int], erp: dict | None, supplier: dict | None) -> dict[str, Any]:
    po_number, line_no = key
    ack = (supplier or {}).get("ack")
    row = {"key": {"po_number": po_number, "line_no": line_no}, "left_qty": _qty(erp), "right_qty": None,
           "uom": (erp or {}).get("uom") or (ack or {}).get("uom"), "left_status": (erp or {}).get("status"),
           "right_status": None, "evidence": []}
    if supplier:
        row["right_qty"] = Decimal(str(ack["qty"])) if ack and ack.get("qty") is not None else supplier["shipped"] or None
        row["right_status"] = _supplier_status(supplier)
        row["evidence"] = sorted(([ack["ref"]] if ack else []) + supplier["asns"] + supplier["received"])
    kind, cause = _kind(erp, supplier)
    return {**row, "kind": kind, "cause": cause}


def _qty(line: dict | None) -> Decimal | None:
    return Decimal(str(line["qty"])) if line and line.get("qty") is not None else None


def _supplier_status(supplier: dict) -> str:
    if supplier["received"]:
        return "received"
    if supplier["shipped"]:
        return "shipped"
    return supplier["ack"]["status"] if supplier["ack"] else "open"


def _kind(erp: dict | None, supplier: dict | None) -> tuple[str, str | None]:
    """The line's kind and the cause behind it, first found in this order."""
    if supplier is None:
        return "only_left", "not_acknowledged"
    if erp is None:
        return "only_right", "acknowledged_not_in_erp" if supplier["ack"] else "shipped_not_in_erp"
    ack, status, ordered = supplier["ack"], erp.get("status") or "open", Decimal(str(erp["qty"]))
    if supplier["received"] and status in OPEN | {"shipped"}:
        return "status_mismatch", "received_open_in_erp"
    if ack and ack["status"] == "rejected" and status in OPEN:
        return "status_mismatch", "rejected_open_in_erp"
    if ack and ack.get("qty") is not None and Decimal(str(ack["qty"])) != ordered and ack["status"] != "rejected":
        return "qty_mismatch", "acknowledged_qty_differs"
    if supplier["shipped"] > ordered:
        return "qty_mismatch", "shipped_more_than_ordered"
    if supplier["shipped"] and status in OPEN:
        return "status_mismatch", "shipped_open_in_erp"
    promised, erp_date = (ack or {}).get("promised_date"), erp.get("promised_date") or erp.get("need_date")
    if promised and erp_date and date.fromisoformat(promised) > date.fromisoformat(erp_date):
        return "date_mismatch", "date_slipped"
    return "match", None
