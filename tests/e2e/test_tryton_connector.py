"""The ERP target on a real Tryton: items become products, BOM revisions become production BOMs
named by their revision, the default revision heads the product's BOM list, every command
can be delivered again without a second record, and failures say whether a retry can help."""

from __future__ import annotations

import json

import httpx
import pytest

from mfgsync.app import build_connector
from mfgsync.config import parse_settings
from mfgsync.connectors.base import Delivery, PermanentError, TransientError
from mfgsync.connectors.tryton import TrytonConnector, product_bom_names
from mfgsync.connectors.tryton_rpc import TrytonSession
from tests.support.tryton import TrytonServer, free_port

pytestmark = pytest.mark.tryton

PUMP = {"item_id": "PMP-100", "description": "Centrifugal pump", "base_uom": "EA", "item_type": "make"}
IMPELLER = {"item_id": "IMP-7", "description": "Impeller", "base_uom": "C62", "item_type": "buy"}
SEAL = {"item_id": "SEAL-3", "description": "Shaft seal", "base_uom": "C62", "item_type": "buy"}
SEAL_KIT = {"item_id": "SEAL-4", "description": "Shaft seal kit", "base_uom": "C62", "item_type": "buy"}
GREASE = {"item_id": "GRS-1", "description": "Grease", "base_uom": "KGM", "item_type": "buy"}


def line(line_no, component, qty, uom="C62", **more):
    return {"line_no": line_no, "component_id": component, "qty_per": qty, "uom": uom, **more}


REV_A = {"item_id": "PMP-100", "revision": "A", "effective_from": "2026-11-01",
         "lines": [line(10, "IMP-7", "1"), line(20, "SEAL-3", "2"), line(30, "GRS-1", "0.05", "KGM")]}
REV_B = {"item_id": "PMP-100", "revision": "B", "effective_from": "2026-12-15",
         "lines": [line(10, "IMP-7", "1"), line(20, "SEAL-4", "1", alternate_group="S", alternate_priority=1),
                   line(25, "SEAL-3", "2", alternate_group="S", alternate_priority=2)]}


def delivery(command: str, payload: dict, effect_key: str) -> Delivery:
    return Delivery(key=f"d-{effect_key}", target="erp", event_type="bom.released", entity_key="BOM:PMP-100",
                    payload=json.dumps(payload), effect_key=effect_key, command=command)


def item_upsert(item: dict) -> Delivery:
    return delivery("item.upsert", {"item": item}, f"erp:item:{item['item_id']}")


def bom_upsert(bom: dict, item_codes: dict | None = None) -> Delivery:
    key = f"erp:bom:{bom['item_id']}@{bom.get('plant_id') or '*'}#{bom['revision']}"
    return delivery("bom.upsert", {"bom": bom, "item_codes": item_codes or {}}, key)


def make_default(item_id: str, revision: str, plant_id: str | None = None) -> Delivery:
    return delivery("bom.make_default", {"item_id": item_id, "revision": revision, "plant_id": plant_id},
                    f"erp:bom-default:{item_id}@{plant_id or '*'}")


def erp_connector(server: TrytonServer, monkeypatch) -> TrytonConnector:
    """The connector as the composition root builds it from a `kind: tryton` system."""
    monkeypatch.setenv("ERP_PASSWORD", server.password)
    settings = parse_settings(f"""
systems: {{erp: {{kind: tryton, url: "{server.url}", database: {server.database}, user: {server.user},
               password_env: ERP_PASSWORD, timeout_seconds: 30}}}}
subscriptions: {{bom.released: [erp]}}
""")
    return build_connector(settings.systems["erp"])


def deliver_items(connector: TrytonConnector, *items: dict) -> None:
    for item in items:
        connector.deliver(item_upsert(item))


def bom_contents(session: TrytonSession, name: str) -> dict:
    bom, = session.model("production.bom", "search_read", [["name", "=", name]], 0, None, None, ["inputs", "outputs"])
    def lines(model, ids):
        rows = session.model(model, "read", ids, ["product.code", "quantity", "unit.name"])
        return sorted((row["product."]["code"], row["quantity"], row["unit."]["name"]) for row in rows)
    return {"inputs": lines("production.bom.input", bom["inputs"]),
            "outputs": lines("production.bom.output", bom["outputs"])}


def count(session: TrytonSession, model: str, domain: list) -> int:
    return session.model(model, "search_count", domain)


def test_a_bom_revision_delivered_to_tryton_becomes_a_production_bom_named_by_its_revision_linked_to_its_product(
        tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)
    erp.deliver(bom_upsert(REV_A))

    session = tryton.session()
    pump, = session.model("product.template", "search_read", [["code", "=", "PMP-100"]], 0, None, None,
                          ["name", "producible", "default_uom.name"])
    assert (pump["name"], pump["producible"], pump["default_uom."]["name"]) == ("Centrifugal pump", 1, "Unit")
    assert bom_contents(session, "PMP-100 rev A") == {
        "inputs": [("GRS-1", 0.05, "Kilogram"), ("IMP-7", 1.0, "Unit"), ("SEAL-3", 2.0, "Unit")],
        "outputs": [("PMP-100", 1.0, "Unit")]}
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev A"]


def test_of_substitute_seals_only_the_preferred_one_is_consumed_and_a_plant_bom_uses_the_plants_codes(
        tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, IMPELLER, SEAL, SEAL_KIT)
    erp.deliver(delivery("item.upsert", {"item": PUMP, "code": "P2-PMP-100"}, "erp:item:PMP-100@P2"))
    erp.deliver(bom_upsert({**REV_B, "plant_id": "P2"}, item_codes={"PMP-100": "P2-PMP-100"}))

    session = tryton.session()
    assert bom_contents(session, "PMP-100 rev B (P2)") == {
        "inputs": [("IMP-7", 1.0, "Unit"), ("SEAL-4", 1.0, "Unit")], "outputs": [("P2-PMP-100", 1.0, "Unit")]}
    assert product_bom_names(session, "P2-PMP-100") == ["PMP-100 rev B (P2)"]


def test_delivering_the_same_effect_twice_leaves_one_record(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    for _ in range(2):
        deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)
        erp.deliver(bom_upsert(REV_A))

    session = tryton.session()
    assert count(session, "product.template", [["code", "=", "PMP-100"]]) == 1
    assert count(session, "product.product", [["template.code", "=", "PMP-100"]]) == 1
    assert count(session, "production.bom", [["name", "=", "PMP-100 rev A"]]) == 1
    assert count(session, "production.bom.input", []) == 3
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev A"]


def test_an_item_or_revision_delivered_again_with_changes_is_updated_in_place(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)
    erp.deliver(bom_upsert(REV_A))

    erp.deliver(item_upsert({**PUMP, "description": "Centrifugal pump, 2 kW"}))
    erp.deliver(bom_upsert({**REV_A, "lines": [line(10, "IMP-7", "1"), line(20, "SEAL-3", "3")]}))

    session = tryton.session()
    assert session.model("product.template", "search_read", [["code", "=", "PMP-100"]], 0, None, None,
                         ["name"])[0]["name"] == "Centrifugal pump, 2 kW"
    assert count(session, "production.bom", [["name", "=", "PMP-100 rev A"]]) == 1
    assert bom_contents(session, "PMP-100 rev A")["inputs"] == [("IMP-7", 1.0, "Unit"), ("SEAL-3", 3.0, "Unit")]
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev A"]


class LoseReplies(httpx.HTTPTransport):
    """Tryton receives and commits the call, but its answer to the first call of `method` is lost
    on the way back — what a timeout looks like to the hub."""

    def __init__(self, method: str):
        super().__init__()
        self.method, self.lost = method, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if not self.lost and json.loads(request.content)["method"] == self.method:
            response.read()
            self.lost += 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def test_a_retry_after_a_lost_answer_finds_the_bom_tryton_made_and_creates_no_second(tryton):
    transport = LoseReplies("model.production.bom.create")
    session = TrytonSession(tryton.url, tryton.database, tryton.user, tryton.password,
                            client=httpx.Client(transport=transport, timeout=30))
    erp = TrytonConnector(session)
    deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)

    with pytest.raises(TransientError):
        erp.deliver(bom_upsert(REV_A))
    erp.deliver(bom_upsert(REV_A))

    check = tryton.session()
    assert transport.lost == 1
    assert count(check, "production.bom", [["name", "=", "PMP-100 rev A"]]) == 1
    assert product_bom_names(check, "PMP-100") == ["PMP-100 rev A"]


def test_a_revision_made_default_comes_first_in_the_products_bom_list(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP, IMPELLER, SEAL, SEAL_KIT, GREASE)
    erp.deliver(bom_upsert(REV_A))
    erp.deliver(bom_upsert(REV_B))
    session = tryton.session()
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev A", "PMP-100 rev B"], \
        "a new revision waits behind the current default until it is made default"

    erp.deliver(make_default("PMP-100", "B"))
    erp.deliver(make_default("PMP-100", "B"))
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev B", "PMP-100 rev A"]

    erp.deliver(bom_upsert({**REV_B, "revision": "C"}))
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev B", "PMP-100 rev A", "PMP-100 rev C"]


def test_an_unreachable_tryton_is_a_transient_failure_and_the_retry_completes_once_it_is_back(
        tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)

    tryton.stop()
    with pytest.raises(TransientError, match="ConnectError"):
        erp.deliver(bom_upsert(REV_A))
    tryton.start()
    erp.deliver(bom_upsert(REV_A))
    assert product_bom_names(tryton.session(), "PMP-100") == ["PMP-100 rev A"]

    nowhere = TrytonConnector(TrytonSession(f"http://127.0.0.1:{free_port()}", "mfg", "admin", "x"))
    with pytest.raises(TransientError):
        nowhere.deliver(item_upsert(PUMP))


def test_a_validation_error_is_permanent_with_trytons_message(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP, IMPELLER, SEAL, GREASE)

    half_a_seal = {**REV_A, "revision": "X", "lines": [line(10, "SEAL-3", "2.5")]}  # a Unit has no fractions
    with pytest.raises(PermanentError, match=r"UserError .*digits.*Quantity") as raised:
        erp.deliver(bom_upsert(half_a_seal))
    assert len(str(raised.value)) <= 600
    assert count(tryton.session(), "production.bom", [["name", "=", "PMP-100 rev X"]]) == 0


def test_a_bom_before_its_components_waits_and_an_unknown_command_or_unit_is_refused(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP)
    with pytest.raises(TransientError, match="GRS-1, IMP-7, SEAL-3 are not in Tryton yet"):
        erp.deliver(bom_upsert(REV_A))
    with pytest.raises(PermanentError, match="no command 'bom.delete'"):
        erp.deliver(delivery("bom.delete", {}, "erp:bom:PMP-100#A"))
    with pytest.raises(PermanentError, match="unit BX has no Tryton unit"):
        erp.deliver(item_upsert({**SEAL, "base_uom": "BX"}))


def test_an_expired_session_logs_in_again(tryton, monkeypatch):
    erp = erp_connector(tryton, monkeypatch)
    deliver_items(erp, PUMP)
    session = erp.session
    session._post("common.db.logout", [])  # Tryton forgets the session: the next call gets 401

    deliver_items(erp, IMPELLER)
    assert count(tryton.session(), "product.template", [["code", "in", ["PMP-100", "IMP-7"]]]) == 2


def test_a_wrong_password_is_a_permanent_failure(tryton):
    erp = TrytonConnector(TrytonSession(tryton.url, tryton.database, tryton.user, "not-the-password"))
    with pytest.raises(PermanentError, match="refused the login"):
        erp.deliver(item_upsert(PUMP))
