"""A buyer's hub and its suppliers for the supplier-collaboration stories: one pump plant, three
trading partners (X12, EDIFACT, a procurement platform's webhook), and each partner's side of
the conversation written with the formats' own renderers, as the partner's EDI system would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mfgsync import formats
from mfgsync.app import Hub, build_hub
from mfgsync.config import parse_settings
from mfgsync.formats import edifact, x12
from mfgsync.pipeline.edi_receipt import receive_text
from mfgsync.pipeline.supplier_webhooks import receive_call
from tests.support.messages import envelope, item

DAY = 86_400.0
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # when the buyer's ERP approves the order
SECRET = "platform-shared-secret"


def config(folder: Path, webhook_url: str = "http://127.0.0.1:9/none") -> str:
    return f"""
systems:
  northfast: {{kind: x12, dropfolder: "{folder}/northfast", sender_id: ACMEMFG, receiver_id: NORTHFAST,
              version: "005010", ack_window_hours: 24, po_ack_window_hours: 48, price_tolerance_pct: 2,
              qty_tolerance_pct: 0}}
  rhein: {{kind: edifact, dropfolder: "{folder}/rhein", sender_id: "4012345000009",
          receiver_id: "5790000000012", envelope_policy: lenient, ack_window_hours: 24,
          po_ack_window_hours: 48, price_tolerance_pct: 2}}
  southbolt: {{kind: x12, dropfolder: "{folder}/southbolt", sender_id: ACMEMFG, receiver_id: SOUTHBOLT,
              envelope_policy: lenient}}
  procure: {{kind: webhook, url: "{webhook_url}", secret_env: PROCURE_SECRET, supplier_id: procure,
            po_ack_window_hours: 48, price_tolerance_pct: 2}}
plants: {{P1: {{negative_stock: reject}}}}
"""


def at(offset_days: float) -> str:
    return datetime.fromtimestamp(T0.timestamp() + offset_days * DAY, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def plant_messages(supplier: str) -> list[dict[str, Any]]:
    """Items, a pump BOM using the seal, two production orders of the pump, the supplier."""
    msgs = [envelope("item.upserted", item(i, item_type=t), source="plm", time=at(-10))
            for i, t in (("PMP-100", "make"), ("SEAL", "buy"), ("GASKET", "buy"), ("BOLT", "buy"))]
    msgs.append(envelope("bom.released", {"item_id": "PMP-100", "revision": "A", "lines": [
        {"line_no": 10, "component_id": "SEAL", "qty_per": 1, "uom": "C62"},
        {"line_no": 20, "component_id": "GASKET", "qty_per": 2, "uom": "C62"}]}, source="plm", time=at(-10)))
    msgs += [envelope("production.released", {"order_id": order, "item_id": "PMP-100", "qty": 40, "plant_id": "P1",
                                              "status": "planned", "start_date": start, "due_date": start},
                      source="erp", time=at(-9))
             for order, start in (("WO-1", "2026-12-10"), ("WO-2", "2026-12-28"))]
    msgs.append(envelope("supplier.upserted", {"supplier_id": supplier, "name": supplier}, source="erp",
                         time=at(-9)))
    return msgs


def order(po_number: str, supplier: str, status: str = "approved", **changes: Any) -> dict[str, Any]:
    lines = [{"line_no": 10, "item_id": "SEAL", "qty": 100, "uom": "C62", "unit_price": "1.25",
              "need_date": "2026-12-15"},
             {"line_no": 20, "item_id": "GASKET", "qty": 50, "uom": "C62", "unit_price": "0.40",
              "need_date": "2026-12-15"},
             {"line_no": 30, "item_id": "BOLT", "qty": 200, "uom": "C62", "unit_price": "0.05",
              "need_date": "2026-12-15"}]
    return {"po_number": po_number, "supplier_id": supplier, "status": status, "order_date": "2026-11-20",
            "currency": "EUR", "lines": lines, **changes}


def acknowledgement(po_number: str, ack_id: str) -> dict[str, Any]:
    """One line changed (80 instead of 100, promised after its need date), one rejected, one accepted."""
    return {"po_number": po_number, "ack_id": ack_id, "ack_type": "accepted_with_changes", "lines": [
        {"line_no": 10, "status": "changed", "qty": 80, "uom": "C62", "promised_date": "2026-12-20"},
        {"line_no": 20, "status": "rejected", "qty": 0, "uom": "C62"},
        {"line_no": 30, "status": "accepted", "qty": 200, "uom": "C62", "promised_date": "2026-12-12"}]}


def ship_notice(asn_id: str, po_number: str, supplier: str) -> dict[str, Any]:
    """Line 10 in two lots (each its own pallet), line 30 whole."""
    return {"asn_id": asn_id, "supplier_id": supplier, "ship_date": "2026-12-05", "expected_arrival": "2026-12-08",
            "lines": [{"po_number": po_number, "po_line_no": 10, "item_id": "SEAL", "qty": 50, "uom": "C62",
                       "lot_id": "L-1", "sscc": "003456789012345675"},
                      {"po_number": po_number, "po_line_no": 10, "item_id": "SEAL", "qty": 30, "uom": "C62",
                       "lot_id": "L-2", "sscc": "003456789012345682"},
                      {"po_number": po_number, "po_line_no": 30, "item_id": "BOLT", "qty": 200, "uom": "C62"}]}


def invoice(number: str, po_number: str, supplier: str, seal_price: str) -> dict[str, Any]:
    return {"invoice_number": number, "supplier_id": supplier, "po_number": po_number, "invoice_date": "2026-12-09",
            "currency": "EUR", "lines": [{"po_line_no": 10, "item_id": "SEAL", "qty": 50, "uom": "C62",
                                          "unit_price": seal_price}]}


def receipt(movement_id: str, item_id: str, qty: int, lot: str | None, day: float) -> dict[str, Any]:
    return envelope("inventory.moved", {"movement_id": movement_id, "kind": "receipt", "item_id": item_id,
                                        "qty": qty, "uom": "C62", "plant_id": "P1", "to_location": "RECEIVING",
                                        "lot_id": lot}, source="wms", time=at(day))


def sent_files(folder: Path, partner: str) -> list[Path]:
    out = folder / partner / "out"
    return sorted(out.glob("*.edi")) if out.is_dir() else []


class EdiPartner:
    """A partner's EDI system: reads what the hub sent, answers with its own interchanges."""

    def __init__(self, hub: Hub, name: str, fmt: str, us: str, them: str):
        self.hub, self.name, self.fmt, self.us, self.them = hub, name, fmt, us, them
        self.partner = hub.settings.systems[name]
        self.number = 900

    def receive(self, text: str):
        return receive_text(self.hub.intake, self.hub.store, text, self.partner)

    def functional_ack(self, sent: str) -> str:
        """The 997 (or CONTRL) the partner's translator makes for an interchange the hub sent."""
        if self.fmt == "x12":
            interchange = x12.read_interchanges(sent)[0][0]
            return x12.render_997(interchange, x12.EnvelopeSettings(control_number=self._next()))
        interchange = edifact.read_interchanges(sent)[0][0]
        return edifact.render_contrl(interchange, edifact.EnvelopeSettings(reference=str(self._next())))

    def document(self, kind: str, data: dict[str, Any], control_number: int | None = None) -> str:
        number = control_number or self._next()
        if self.fmt == "x12":
            return x12.render(kind, data, x12.EnvelopeSettings(sender=self.them, receiver=self.us,
                                                               control_number=number))
        return edifact.render(kind, data, edifact.EnvelopeSettings(sender=self.them, recipient=self.us,
                                                                   reference=str(number)))

    def _next(self) -> int:
        self.number += 1
        return self.number


def parsed(path: Path) -> dict[str, Any]:
    return formats.parse_edi(path.read_text())["interchanges"][0]


class Platform:
    """A procurement platform: an HTTP endpoint that takes the hub's signed orders, and calls the
    hub's webhook with its own signed events."""

    def __init__(self):
        self.received: list[tuple[dict[str, str], bytes]] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                platform.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/orders"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def orders(self) -> list[dict[str, Any]]:
        """What the hub posted, each only if its signature verifies."""
        out = []
        for headers, body in self.received:
            mac = hmac.new(SECRET.encode(), headers["x-mfgsync-timestamp"].encode() + b"." + body, hashlib.sha256)
            assert headers["x-mfgsync-signature"] == "sha256=" + mac.hexdigest(), "every call is signed"
            out.append(json.loads(body))
        return out

    @staticmethod
    def call(hub: Hub, events: list[dict[str, Any]], timestamp: float | None = None, secret: str = SECRET,
             tamper: bool = False):
        body = json.dumps({"events": events}).encode()
        stamp = str(int(hub.clock() if timestamp is None else timestamp))
        mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if tamper:
            body = body.replace(b'"qty": 80', b'"qty": 95')
        partner = hub.settings.systems["procure"]
        return receive_call(hub.intake, hub.store, partner, {"X-Mfgsync-Timestamp": stamp,
                                                             "X-Mfgsync-Signature": f"sha256={mac}"}, body)


def open_hub(folder: Path, store_url: str, clock, webhook_url: str = "http://127.0.0.1:9/none",
             store=None) -> Hub:
    from mfgsync.store import open_store

    return build_hub(parse_settings(config(folder, webhook_url)), store=store or open_store(store_url), clock=clock)
