"""The flagship story on a real Tryton: PLM releases revision B of a pump with an effective date;
the hub validates it, publishes it to the ERP as a production BOM of each receiving plant, and
makes it the ERP's default BOM on its effective date — not before."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest

from mfgsync import queries
from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.tryton import product_bom_names
from mfgsync.model import entities as m
from tests.conftest import FakeClock
from tests.support.cli import run as run_cli
from tests.support.proxy import ReplyDropper
from tests.support.messages import bom, envelope, item

pytestmark = pytest.mark.tryton


def _config(tryton, retry="{base_seconds: 0, max_seconds: 0}", url=None):
    return f"""
systems:
  erp: {{kind: tryton, url: "{url or tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], bom.released: [erp]}}
plants: {{P1: {{receives: ["*"]}}}}
retry: {retry}
"""


def _hub(tryton, tmp_path, monkeypatch, clock, **config):
    """A hub on its own SQLite store whose ERP is the test's Tryton; `hub.yaml` beside it lets
    the command line open the same hub."""
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    text = _config(tryton, **config)
    (tmp_path / "hub.yaml").write_text(text)
    return build_hub(parse_settings(text), f"sqlite:///{tmp_path}/hub.db", clock=clock)


def _cli(tmp_path, *args):
    """`mfgsync ARGS --json` on the test's hub, its answer parsed."""
    done = run_cli(tmp_path, *args, "--json", MFGSYNC_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db")
    return json.loads(done.stdout)


def test_a_released_revision_is_in_tryton_at_once_and_its_default_from_the_effective_date(tryton, tmp_path,
                                                                                           monkeypatch):
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    hub = _hub(tryton, tmp_path, monkeypatch, clock)
    report = hub.intake.ingest([
        *(envelope("item.upserted", item(i, item_type=kind)) for i, kind in
          (("PMP-100", "make"), ("SEAL-A", "buy"), ("SEAL-B", "buy"), ("BOLT", "buy"))),
        envelope("bom.released", bom("PMP-100", "A", {"SEAL-A": 1, "BOLT": 8}, status="released",
                                     effective_from="2026-11-01")),
        envelope("bom.released", bom("PMP-100", "B", {"SEAL-B": 1, "BOLT": 6}, status="released",
                                     effective_from="2026-12-15"), correlationid="ECO-42",
                 time="2026-11-22T11:00:00Z")])
    assert report.accepted == 6, hub.exceptions.list()
    for _ in range(5):  # a BOM may reach Tryton before its products: it is retried
        hub.worker.run_until_idle()
    session = tryton.session()
    assert product_bom_names(session, "PMP-100") == ["PMP-100 rev A (P1)", "PMP-100 rev B (P1)"], \
        "both revisions are in the ERP; A, effective already, is the default"

    clock.now = datetime(2026, 12, 15, 0, 0, 1, tzinfo=timezone.utc).timestamp()
    hub.worker.run_until_idle()
    assert product_bom_names(session, "PMP-100")[0] == "PMP-100 rev B (P1)", "B is the default from its date"
    assert hub.exceptions.list() == []
    hub.close()


# --- a three-level pump: ECO-42 replaces the seal SEAL-A by SEAL-B wherever it is used ---------
#
#   PMP-100 pump          rev A: IMP-200 x1, SEAL-A x1     rev B: IMP-200 x1, SEAL-B x1
#   └ IMP-200 impeller    rev A: SEAL-A x2, BLADE x6       rev B: SEAL-B x2, BLADE x6
#
# Both B revisions are effective E = 15 December 2026; the hub judges the change on 1 December
# (T), the date the ECO and its releases arrive.

E = "2026-12-15"
ECO_TIME = "2026-12-01T09:00:00Z"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
PUMP_ITEMS = (("PMP-100", "make"), ("IMP-200", "make"), ("SEAL-A", "buy"), ("SEAL-B", "buy"), ("BLADE", "buy"))
ECO_42 = {"eco_id": "ECO-42", "item_id": "PMP-100", "from_revision": "A", "to_revision": "B", "effective_from": E,
          "reason": "SEAL-A leaks above 80 °C: SEAL-B in pump and impeller"}
PUMP_B = bom("PMP-100", "B", {"IMP-200": 1, "SEAL-B": 1}, status="released", effective_from=E)
IMPELLER_B = bom("IMP-200", "B", {"SEAL-B": 2, "BLADE": 6}, status="released", effective_from=E)


def _order(order_id, item_id, status, start, qty):
    return envelope("production.released", {"order_id": order_id, "item_id": item_id, "qty": qty, "plant_id": "P1",
                                            "bom_revision": "A", "status": status, "start_date": start}, source="erp")


def _po(number, component, qty, need, promised=None):
    line = {"line_no": 1, "item_id": component, "qty": qty, "uom": "C62", "need_date": need,
            **({"promised_date": promised} if promised else {})}
    return envelope("po.created", {"po_number": number, "supplier_id": "SUP-SEALS", "status": "approved",
                                   "lines": [line]}, source="erp")


def pump_plant_before_the_change():
    """Plant P1 on 1 December: revision A of both parents, their orders, seal purchases, stock, sources."""
    return [
        *(envelope("item.upserted", item(i, item_type=kind)) for i, kind in PUMP_ITEMS),
        *(envelope("supplier.upserted", {"supplier_id": s, "name": s}, source="supplier")
          for s in ("SUP-SEALS", "SUP-FAST")),
        envelope("bom.released", bom("PMP-100", "A", {"IMP-200": 1, "SEAL-A": 1}, status="released",
                                     effective_from="2026-11-01")),
        envelope("bom.released", bom("IMP-200", "A", {"SEAL-A": 2, "BLADE": 6}, status="released",
                                     effective_from="2026-11-01")),
        _order("PRD-1", "PMP-100", "in_process", "2026-11-28", 10),   # frozen on A
        _order("PRD-2", "PMP-100", "planned", "2026-12-10", 10),      # before E: stays on A
        _order("PRD-3", "PMP-100", "planned", "2026-12-18", 20),      # from E: moves to B
        _order("PRD-11", "IMP-200", "planned", "2026-12-08", 10),     # before E: stays on A
        _order("PRD-12", "IMP-200", "planned", "2026-12-16", 20),     # from E: moves to B
        _po("PO-1", "SEAL-A", 30, "2026-12-05"),
        _po("PO-2", "SEAL-A", 25, "2026-12-20"),
        _po("PO-3", "SEAL-A", 50, "2027-01-05"),
        _po("PO-4", "SEAL-B", 10, "2026-12-14", promised="2026-12-14"),
        envelope("inventory.moved", {"movement_id": "MV-1", "kind": "receipt", "item_id": "SEAL-B", "qty": 5,
                                     "uom": "C62", "plant_id": "P1", "to_location": "A1"}, source="wms"),
        envelope("sourcing.updated", {"item_id": "SEAL-B", "supplier_id": "SUP-SEALS", "priority": 1,
                                      "lead_time_days": 21}, source="erp"),
        envelope("sourcing.updated", {"item_id": "SEAL-B", "supplier_id": "SUP-FAST", "priority": 2,
                                      "lead_time_days": 3}, source="erp"),
    ]


def eco_42():
    """The ECO and both B revisions, under the ECO's correlation id."""
    return [envelope("eco.approved", ECO_42, correlationid="ECO-42", time=ECO_TIME),
            envelope("bom.released", PUMP_B, correlationid="ECO-42", time=ECO_TIME),
            envelope("bom.released", IMPELLER_B, correlationid="ECO-42", time=ECO_TIME)]


def _worker_until_done(hub, rounds=10):
    """A BOM may reach Tryton before its products and is retried: a bounded number of passes."""
    for _ in range(rounds):
        if not hub.worker.run_until_idle():
            return
    raise AssertionError(f"deliveries still running after {rounds} passes: {hub.exceptions.list()}")


def _at(day: str, *hms: int) -> float:
    return datetime(*map(int, day.split("-")), *hms, tzinfo=timezone.utc).timestamp()


def _templates(session, code):
    return session.model("product.template", "search_count", [["code", "=", code]])


def _bom_inputs(session, name):
    bom_row, = session.model("production.bom", "search_read", [["name", "=", name]], 0, None, None, ["inputs"])
    rows = session.model("production.bom.input", "read", bom_row["inputs"], ["product.code", "quantity"])
    return sorted((row["product."]["code"], row["quantity"]) for row in rows)


def _revisions(hub, *orders):
    return {o: queries.current(hub.store, "production", o)["bom_revision"] for o in orders}


def test_a_seal_replaced_at_two_levels_reaches_tryton_as_one_bom_per_revision_default_from_its_date(
        tryton, tmp_path, monkeypatch):
    clock = FakeClock(NOW.timestamp())
    hub = _hub(tryton, tmp_path, monkeypatch, clock)
    assert hub.intake.ingest(pump_plant_before_the_change()).quarantined == 0, hub.exceptions.list()
    assert hub.intake.ingest(eco_42()).accepted == 3, hub.exceptions.list()
    _worker_until_done(hub)

    session = tryton.session()
    assert {code: _templates(session, code) for code, _ in PUMP_ITEMS} == {code: 1 for code, _ in PUMP_ITEMS}
    assert session.model("production.bom", "search_count", []) == 4, "one BOM per parent and revision"
    assert _bom_inputs(session, "PMP-100 rev B (P1)") == [("IMP-200", 1.0), ("SEAL-B", 1.0)]
    assert _bom_inputs(session, "IMP-200 rev B (P1)") == [("BLADE", 6.0), ("SEAL-B", 2.0)]

    clock.now = _at("2026-12-14", 23, 59, 59)
    hub.worker.run_until_idle()
    for parent in ("PMP-100", "IMP-200"):
        assert product_bom_names(session, parent) == [f"{parent} rev A (P1)", f"{parent} rev B (P1)"], \
            f"the day before E, {parent}'s default is still A"

    clock.now = _at(E, 0, 0, 1)
    hub.worker.run_until_idle()
    for parent in ("PMP-100", "IMP-200"):
        assert product_bom_names(session, parent) == [f"{parent} rev B (P1)", f"{parent} rev A (P1)"], \
            f"from E, {parent}'s default is B"
    assert [e for e in hub.exceptions.list() if e["kind"] == "dead_letter"] == []
    assert _revisions(hub, "PRD-1", "PRD-2", "PRD-3") == {"PRD-1": "A", "PRD-2": "A", "PRD-3": "B"}, \
        "the in-process order keeps A, the planned one before E keeps A, the planned one from E moves to B"
    hub.close()


# --- what the change does to orders and purchases, worked by hand -------------------------------
#
# Orders that move to B (planned, start ≥ E): PRD-3 (20 pumps, 18 Dec), PRD-12 (20 impellers, 16 Dec).
# Orders that keep A: PRD-1 (10 pumps, in process), PRD-2 (10 pumps, 10 Dec), PRD-11 (10 impellers, 8 Dec).
#
# SEAL-A falls for the moving orders: 20 × 1 (pumps) + 20 × 2 (impellers) = 60 fewer. Its lines
# needed from E, latest first: PO-3 (50, 5 Jan) fits in the 60 → cancel, 10 left; PO-2 (25,
# 20 Dec) → reduce to 25 − 10 = 15. PO-1 (30, 5 Dec) is needed before E, where the orders on A
# still need 10 × 1 + 10 × 1 + 10 × 2 = 40 ≥ 30 → keep.
#
# SEAL-B rises by 20 × 1 + 20 × 2 = 60, first needed 16 Dec (PRD-12). Available 5 on hand plus
# PO-4's 10 promised 14 Dec: short 45. The best valid source is SUP-SEALS (priority 1, though
# SUP-FAST is quicker): 1 Dec + 21 days = 22 Dec, 6 days late.
SEAL_A_ACTIONS = [("ECO_PO_CANCEL", "PO:PO-3", "SEAL-A", "0"), ("ECO_PO_REDUCE", "PO:PO-2", "SEAL-A", "15")]
SEAL_B_AT_RISK = {"item_id": "SEAL-B", "plant_id": None, "qty": 45, "need_date": "2026-12-16",
                  "available_date": "2026-12-22", "days_late": 6, "supplier_id": "SUP-SEALS"}


def _raised_purchase_actions(hub):
    """(code, PO, item, new quantity) of each purchase action raised for supply chain."""
    found = []
    for e in hub.exceptions.list(kind="workflow"):
        if e["codes"][0].startswith("ECO_PO_"):
            item_id, new = re.search(r"\((\S+), open \S+, new (\S+)\)", e["reasons"][0]["message"]).groups()
            found.append((e["codes"][0], e["entity_key"], item_id, new))
    return sorted(found)


def _raised_risks(hub):
    """(item entity, quantity, need date, days late) of each supply risk raised for planning."""
    found = []
    for e in hub.exceptions.list(kind="workflow"):
        if e["codes"][0] == "ECO_SUPPLY_AT_RISK":
            qty, need, late = re.search(r": (\S+) \S+ needed (\S+) .*\((\d+) days late", e["reasons"][0]["message"]).groups()
            found.append((e["entity_key"], qty, need, int(late)))
    return sorted(found)


def _simulated_actions(simulated):
    return sorted((f"ECO_PO_{a['action'].upper()}", f"PO:{a['po_number']}", a["item_id"], str(a["new_qty"]))
                  for a in simulated["purchase_actions"] if a["action"] != "keep")


def _simulated_risks(simulated):
    return sorted((f"ITEM:{r['item_id']}", str(r["qty"]), r["need_date"], r["days_late"]) for r in simulated["at_risk"])


def test_the_seal_used_at_two_levels_is_taken_off_its_purchase_lines_once_and_its_successor_is_short_once(
        tryton, tmp_path, monkeypatch):
    clock = FakeClock(NOW.timestamp())
    hub = _hub(tryton, tmp_path, monkeypatch, clock)
    assert hub.intake.ingest(pump_plant_before_the_change()).quarantined == 0, hub.exceptions.list()
    simulated = queries.eco_impact(hub.store, [m.Bom.model_validate(PUMP_B), m.Bom.model_validate(IMPELLER_B)],
                                   m.EngineeringChange.model_validate(ECO_42), date(2026, 12, 1))
    assert _simulated_actions(simulated) == SEAL_A_ACTIONS
    assert simulated["at_risk"] == [SEAL_B_AT_RISK]

    hub.intake.ingest(eco_42())
    _worker_until_done(hub)
    assert _raised_purchase_actions(hub) == SEAL_A_ACTIONS
    assert _raised_risks(hub) == [("ITEM:SEAL-B", "45", "2026-12-16", 6)]
    assert _revisions(hub, "PRD-11", "PRD-12") == {"PRD-11": "A", "PRD-12": "B"}, "the impeller orders from E move too"
    hub.close()


# --- simulate, then the real run on the same input ------------------------------------------


def _envelopes_file(path, envelopes):
    path.write_text("".join(json.dumps(e) + "\n" for e in envelopes))
    return path


# The pump alone: SEAL-A falls by 20 × 1 for PRD-3 → PO-3 (50, latest) reduced to 30; SEAL-B
# rises by 20, first needed 18 Dec, 5 on hand + 10 promised by then → 5 short, available 22 Dec:
# 4 days late. The pump and its impeller: the figures worked out above.
@pytest.mark.parametrize("releases, actions, risks", [
    pytest.param(("PMP-100",), [("ECO_PO_REDUCE", "PO:PO-3", "SEAL-A", "30")],
                 [("ITEM:SEAL-B", "5", "2026-12-18", 4)], id="the pump alone"),
    pytest.param(("PMP-100", "IMP-200"), SEAL_A_ACTIONS, [("ITEM:SEAL-B", "45", "2026-12-16", 6)],
                 id="the pump and its impeller"),
])
def test_eco_simulate_predicts_exactly_what_the_run_then_does(releases, actions, risks, tryton, tmp_path,
                                                             monkeypatch):
    clock = FakeClock(NOW.timestamp())
    hub = _hub(tryton, tmp_path, monkeypatch, clock)
    assert hub.intake.ingest(pump_plant_before_the_change()).quarantined == 0, hub.exceptions.list()
    before = hub.exceptions.list(kind="workflow")  # the plant's own shortfalls, for the planner
    change = [e for e in eco_42() if e["type"] == "eco.approved" or e["data"]["item_id"] in releases]
    simulated = _cli(tmp_path, "eco", "simulate", str(_envelopes_file(tmp_path / "eco-42.jsonl", change)),
                     "--as-of", "2026-12-01")
    assert hub.exceptions.list(kind="workflow") == before and _revisions(hub, "PRD-3")["PRD-3"] == "A", \
        "simulating wrote nothing"

    assert hub.intake.ingest(change).accepted == len(change)
    _worker_until_done(hub)
    assert _simulated_actions(simulated) == actions and _simulated_risks(simulated) == risks
    assert _raised_purchase_actions(hub) == _simulated_actions(simulated)
    assert _raised_risks(hub) == _simulated_risks(simulated)
    moves = {o["order_id"]: o["new_revision"] for o in simulated["production_orders"]}
    assert _revisions(hub, *moves) == moves
    assert {(b["item_id"], b["to_revision"]) for b in simulated["boms"]} == {(p, "B") for p in releases}

    clock.now = _at(E, 0, 0, 1)
    hub.worker.run_until_idle()
    session = tryton.session()
    assert {p: product_bom_names(session, p)[0] for p in ("PMP-100", "IMP-200")} == \
        {p: f"{p} rev {'B' if p in releases else 'A'} (P1)" for p in ("PMP-100", "IMP-200")}, \
        "from E the ERP builds what the simulation said moves"
    hub.close()


# --- Tryton down, or its answers lost: every product and BOM still exists once ----------------

PARENTS = ("PMP-100", "IMP-200")
BOM_NAMES = [f"{p} rev {r} (P1)" for p in PARENTS for r in "AB"]


def _each_once_in_tryton(session):
    """Each item one template, each revision one BOM, each BOM once in its product's list."""
    assert {code: _templates(session, code) for code, _ in PUMP_ITEMS} == {code: 1 for code, _ in PUMP_ITEMS}
    assert {name: session.model("production.bom", "search_count", [["name", "=", name]]) for name in BOM_NAMES} == \
        {name: 1 for name in BOM_NAMES}
    assert session.model("production.bom", "search_count", []) == len(BOM_NAMES)
    for parent in PARENTS:
        assert sorted(product_bom_names(session, parent)) == [f"{parent} rev A (P1)", f"{parent} rev B (P1)"]


def _owed(hub):
    return queries.status(hub.store, hub.clock())["deliveries"]


def test_tryton_stopped_mid_propagation_and_restarted_gets_every_delivery_once(tryton, tmp_path, monkeypatch):
    clock = FakeClock(NOW.timestamp())
    hub = _hub(tryton, tmp_path, monkeypatch, clock, retry="{max_attempts: 8, base_seconds: 2, max_seconds: 8}")
    assert hub.intake.ingest(pump_plant_before_the_change() + eco_42()).quarantined == 0, hub.exceptions.list()
    assert hub.worker.run_once(limit=3) == 3, "three deliveries reach Tryton before it goes down"

    tryton.stop()
    hub.worker.run_until_idle()
    down = _owed(hub)
    assert down["pending"] > 0 and down["due_now"] == 0 and down["dead_letters"] == 0, \
        "what could not reach Tryton waits for its retry; nothing is given up"

    tryton.start()
    for _ in range(10):  # backoffs are at most 8 s: each round is past every one of them
        clock.advance(10)
        hub.worker.run_until_idle()
        if _owed(hub)["pending"] == 0:
            break
    assert _owed(hub) == {**_owed(hub), "pending": 0, "dead_letters": 0}, hub.exceptions.list()
    _each_once_in_tryton(tryton.session())

    clock.now = _at(E, 0, 0, 1)
    hub.worker.run_until_idle()
    assert [product_bom_names(tryton.session(), p)[0] for p in PARENTS] == ["PMP-100 rev B (P1)", "IMP-200 rev B (P1)"]
    assert [(t["target"], t["plant_id"], t["status"]) for t in _cli(tmp_path, "eco", "status", "ECO-42")["targets"]] \
        == [("erp", "P1", "confirmed")], "eco status: the ERP of P1 has both B revisions as its defaults"
    hub.close()


def test_a_write_tryton_committed_whose_answer_was_lost_is_found_again_and_not_made_twice(
        tryton, tmp_path, monkeypatch):
    # The first answer to each kind of write is lost on its way back: creating a product, a BOM,
    # linking a BOM to its product, and, on the effective date, reordering the product's BOMs.
    lost = {"model.product.template.create": 1, "model.production.bom.create": 1,
            "model.product.product.write": 1, "model.product.product-production.bom.write": 1}
    with ReplyDropper(tryton.url, lost) as proxy:
        clock = FakeClock(NOW.timestamp())
        hub = _hub(tryton, tmp_path, monkeypatch, clock, url=proxy.url)
        assert hub.intake.ingest(pump_plant_before_the_change() + eco_42()).quarantined == 0, hub.exceptions.list()
        _worker_until_done(hub)
        clock.now = _at(E, 0, 0, 1)
        _worker_until_done(hub)
        assert proxy.dropped == lost, "each of those writes lost its answer once, and was retried"

    session = tryton.session()
    _each_once_in_tryton(session)
    assert [product_bom_names(session, p)[0] for p in PARENTS] == ["PMP-100 rev B (P1)", "IMP-200 rev B (P1)"]
    assert session.model("product.product", "search_count", [["template.code", "in", [c for c, _ in PUMP_ITEMS]]]) \
        == len(PUMP_ITEMS), "one variant per template"
    assert _owed(hub)["dead_letters"] == 0 and _owed(hub)["pending"] == 0
    hub.close()
