"""`mfgsync bench eco`: an engineering change as a planner previews it, and its impact alone,
each beside one plain pass over the same BOM lines and purchase-order lines.

The plant (generated, seeded): 50,000 items — 10,000 made parents with six components each on
revision A, 40,000 bought components — 20,000 open purchase-order lines (four per order), four
production orders for each parent the change hits (released, planned before the effective date,
two planned after it), on-hand stock and sourcing rules. The ECO hits 1,000 parents: revision B
of each replaces one component, reduces another and adds a new one. The store (SQLite in a
temporary folder) is built once per run by ingesting the plant's envelopes; that is not timed.

Timed, medians of repeats:
- `eco simulate FILE --json` as a user runs it: the whole command as a separate process on the
  store holding the plant;
- the impact computation alone: `impact()` over the same state already in memory;
- the baseline, in the same run: one plain pass over the data both read — for each changed
  parent, its orders' quantities times qty_per of the old and new lines, and the open quantity of
  every purchase-order line — in plain Python loops over the same objects.

    mfgsync bench eco [--items 50000] [--parents 1000] [--po-lines 20000] [--repeats 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from _report import median_seconds, report

from mfgsync.app import build_hub
from mfgsync.config import Settings
from mfgsync.model import entities as m
from mfgsync.workflows import engineering_change as ec

EFFECTIVE, AS_OF = "2026-12-15", date(2026, 12, 1)
COMPONENTS_PER_PARENT, LINES_PER_PO = 6, 4
ORDERS = (("released", "2026-12-02"), ("planned", "2026-12-10"), ("planned", "2026-12-20"), ("planned", "2027-01-12"))
AIM_RATIO, AIM_SECONDS = 5.0, 2.0


# --- the plant, as the envelopes its systems would send -----------------------------------

def _env(n: int, source: str, event_type: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": f"{source}-{n:07d}", "source": source, "type": event_type,
            "time": "2026-11-30T08:00:00Z", "data": data}


def _bom(item_id: str, revision: str, lines: dict[str, int], effective: str) -> dict:
    return {"item_id": item_id, "revision": revision, "plant_id": "P1", "status": "released",
            "effective_from": effective,
            "lines": [{"line_no": 10 * (n + 1), "component_id": c, "qty_per": q, "uom": "C62"}
                      for n, (c, q) in enumerate(lines.items())]}


class Plant:
    """The generated plant's envelopes, and the ECO's: the approval and one release per parent."""

    def __init__(self) -> None:
        self.state: list[dict] = []
        self.change: list[dict] = []
        self.bom_lines = 0


def generate(items: int, parents: int, po_lines: int, seed: int) -> Plant:
    rng = random.Random(seed)
    made = [f"A{i:06d}" for i in range(items // 5)]
    bought = [f"C{i:06d}" for i in range(items - len(made))]
    plant, n = Plant(), iter(range(10**7))
    add = lambda source, kind, data: plant.state.append(_env(next(n), source, kind, data))  # noqa: E731
    for item_id in made + bought:
        add("plm", "item.upserted", {"item_id": item_id, "description": f"item {item_id}", "base_uom": "C62",
                                      "item_type": "make" if item_id[0] == "A" else "buy"})
    for s in range(50):
        add("erp", "supplier.upserted", {"supplier_id": f"SUP-{s:02d}", "name": f"supplier {s}"})
    boms = {p: dict(zip(rng.sample(bought, COMPONENTS_PER_PARENT), (rng.randint(1, 8) for _ in range(6))))
            for p in made}
    for parent, lines in boms.items():
        add("plm", "bom.released", _bom(parent, "A", lines, "2026-11-01"))
    plant.bom_lines = sum(len(lines) for lines in boms.values())
    changed = made[:parents]
    for parent in changed:
        for k, (status, start) in enumerate(ORDERS):
            add("erp", "production.released", {"order_id": f"PRD-{parent}-{k}", "item_id": parent,
                                               "qty": rng.randint(5, 50), "plant_id": "P1", "bom_revision": "A",
                                               "status": status, "start_date": start})
    touched = [c for p in changed for c in boms[p]]  # the components the change can move
    for po in range(po_lines // LINES_PER_PO):
        lines = [{"line_no": k + 1, "item_id": rng.choice(touched) if rng.random() < 0.5 else rng.choice(bought),
                  "qty": rng.randint(10, 500), "uom": "C62",
                  "need_date": f"2026-12-{rng.randint(3, 28):02d}",
                  "promised_date": f"2026-12-{rng.randint(3, 31):02d}"}
                 for k in range(LINES_PER_PO)]
        add("erp", "po.created", {"po_number": f"PO-{po:06d}", "supplier_id": f"SUP-{po % 50:02d}",
                                  "status": "approved", "lines": lines})
    for k, item_id in enumerate(rng.sample(bought, len(bought) // 4)):
        add("wms", "inventory.moved", {"movement_id": f"MV-{k}", "kind": "receipt", "item_id": item_id,
                                       "qty": rng.randint(1, 300), "uom": "C62", "plant_id": "P1", "to_location": "A1"})
    for item_id in bought[: len(bought) // 2]:
        for rank in range(2):
            add("erp", "sourcing.updated", {"item_id": item_id, "supplier_id": f"SUP-{rng.randrange(50):02d}",
                                            "priority": rank + 1, "lead_time_days": rng.randint(3, 40)})
    _change(plant, changed, boms, bought, rng)
    return plant


def _change(plant: Plant, changed: list[str], boms: dict, bought: list[str], rng: random.Random) -> None:
    """Revision B of each parent: the first component replaced, the second reduced, one added."""
    eco = {"eco_id": "ECO-BENCH", "item_id": changed[0], "from_revision": "A", "to_revision": "B",
           "effective_from": EFFECTIVE}
    plant.change.append(_env(0, "plm", "eco.approved", eco) | {"correlationid": "ECO-BENCH"})
    for k, parent in enumerate(changed, 1):
        old = list(boms[parent].items())
        new = dict(old[2:])
        new[rng.choice(bought)] = old[0][1]
        new[old[1][0]] = max(1, old[1][1] // 2)
        new.setdefault(rng.choice(bought), rng.randint(1, 4))
        plant.change.append(_env(k, "plm", "bom.released", _bom(parent, "B", new, EFFECTIVE))
                            | {"correlationid": "ECO-BENCH"})


# --- the same state in memory, as the impact reads it -------------------------------------

class MemoryImpactView:
    """The plant's state indexed once, by item: the view the impact reads, with no store behind it."""

    def __init__(self, envelopes: list[dict]):
        self.revisions: dict[str, list[m.Bom]] = {}
        self.orders: dict[str, list[m.ProductionOrder]] = {}
        self.on_hand_rows: dict[str, list[dict]] = {}
        self.rules: dict[str, list[m.SourcingRule]] = {}
        pos = []
        for e in envelopes:
            kind, data = e["type"], e["data"]
            if kind == "bom.released":
                self.revisions.setdefault(data["item_id"], []).append(m.Bom.model_validate(data))
            elif kind == "production.released":
                self.orders.setdefault(data["item_id"], []).append(m.ProductionOrder.model_validate(data))
            elif kind == "po.created":
                pos.append(m.PurchaseOrder.model_validate(data))
            elif kind == "inventory.moved":
                self.on_hand_rows.setdefault(data["item_id"], []).append(
                    {"qty": Decimal(data["qty"]), "status": "available", "plant_id": data["plant_id"]})
            elif kind == "sourcing.updated":
                self.rules.setdefault(data["item_id"], []).append(m.SourcingRule.model_validate(data))
        self.lines = ec.lines_by_item(pos)

    def previous_revision(self, bom: m.Bom) -> m.Bom | None:
        return ec.previous_of(bom, self.revisions.get(bom.item_id, []))

    def production_orders(self, item_id: str, plant_id: str | None) -> list[m.ProductionOrder]:
        return ec.orders_in(self.orders.get(item_id, []), plant_id)

    def purchase_lines(self, item_id: str) -> list[tuple[m.PurchaseOrder, m.PurchaseOrderLine]]:
        return self.lines.get(item_id, [])

    def available_on_hand(self, item_id: str, plant_id: str | None) -> Decimal:
        return ec.on_hand(self.on_hand_rows.get(item_id, []), plant_id)

    def sourcing_rules(self, item_id: str) -> list[m.SourcingRule]:
        return self.rules.get(item_id, [])

    def requisitions(self, item_id: str, plant_id: str | None) -> list[ec.Requisition]:
        return []


def plain_pass(releases: list[m.Bom], view: MemoryImpactView) -> tuple[Decimal, Decimal]:
    """The least any impact does: every changed parent's order quantity times qty_per of its old
    and new lines, and every purchase-order line's open quantity, summed in plain loops."""
    required = on_order = Decimal(0)
    for bom in releases:
        old = view.previous_revision(bom)
        for order in view.orders.get(bom.item_id, []):
            for line in (*bom.lines, *(old.lines if old else ())):
                required += order.qty * line.qty_per
    for lines in view.lines.values():
        for _, line in lines:
            on_order += line.qty - line.received_qty
    return required, on_order


# --- the whole command --------------------------------------------------------------------

def build_store(folder: Path, plant: Plant) -> dict[str, str]:
    """A SQLite store holding the plant, and the environment a command needs to open it."""
    url = f"sqlite:///{folder / 'hub.db'}"
    hub = build_hub(Settings(), database_url=url)
    try:
        result = hub.intake.ingest(plant.state)
    finally:
        hub.store.close()
    if result.quarantined:
        raise SystemExit(f"the generated plant must be valid: {result.quarantined} messages quarantined")
    env = {k: v for k, v in os.environ.items() if k != "MFGSYNC_CONFIG"}  # the built-in defaults, as here
    return {**env, "MFGSYNC_DATABASE_URL": url}


def command_seconds(args: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user and system) of one `mfgsync` process, its output written to `out`."""
    began = time.perf_counter()
    with open(out, "wb") as stdout:
        process = subprocess.Popen([sys.executable, "-m", "mfgsync.cli", *args], stdout=stdout, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mfgsync {' '.join(args)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime


def command_figures(args: list[str], env: dict[str, str], out: Path, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeats` runs."""
    runs = [command_seconds(args, env, out) for _ in range(repeats)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="mfgsync bench eco")
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--parents", type=int, default=1_000)
    parser.add_argument("--po-lines", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--command-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 0 < args.parents <= args.items // 5:
        parser.error("--parents must be between 1 and a fifth of --items")

    plant = generate(args.items, args.parents, args.po_lines, args.seed)
    view = MemoryImpactView(plant.state)
    releases = [m.Bom.model_validate(e["data"]) for e in plant.change[1:]]
    eco = m.EngineeringChange.model_validate(plant.change[0]["data"])
    result = ec.impact(releases, eco, view, AS_OF)
    print(f"plant: {args.items:,} items, {plant.bom_lines:,} BOM lines, {sum(map(len, view.lines.values())):,} "
          f"purchase-order lines, {sum(map(len, view.orders.values())):,} production orders; the ECO hits "
          f"{len(releases):,} parents: {sum(len(b['changes']) for b in result.boms):,} line changes, "
          f"{len(result.purchase_actions):,} purchase actions, {len(result.at_risk):,} at risk")

    baseline_times, impact_times = [], []
    for _ in range(args.repeats):  # alternated, so that load from elsewhere weighs on both alike
        baseline_times.append(median_seconds(lambda: plain_pass(releases, view), 1))
        impact_times.append(median_seconds(lambda: ec.impact(releases, eco, view, AS_OF), 1))
    baseline, alone = statistics.median(baseline_times), statistics.median(impact_times)
    report("impact computation alone (in memory)", alone * 1000, "ms", "plain pass over BOM and PO lines",
           baseline * 1000, higher_is_better=False, aim=AIM_RATIO)

    with tempfile.TemporaryDirectory(prefix="mfgsync-bench-eco-") as folder:
        folder = Path(folder)
        began = time.perf_counter()
        env = build_store(folder, plant)
        print(f"store: {len(plant.state):,} envelopes ingested into SQLite in {time.perf_counter() - began:.0f} s "
              "(not timed)")
        change = folder / "eco.jsonl"
        change.write_text("".join(json.dumps(e) + "\n" for e in plant.change))
        simulate = ["eco", "simulate", str(change), "--as-of", AS_OF.isoformat(), "--json"]
        # The store was just written: its pages reach the disk now, not while a command is timed,
        # and one untimed run reads it in, as a planner's store is read in by the day's work.
        os.sync()
        command_seconds(simulate, env, folder / "impact.json")
        whole, whole_cpu = command_figures(simulate, env, folder / "impact.json", args.command_repeats)
        start_up, start_up_cpu = command_figures(["eco", "--help"], env, folder / "help.txt", args.command_repeats)
        printed = json.loads((folder / "impact.json").read_bytes())
        assert len(printed["purchase_actions"]) == len(result.purchase_actions), "the command and the engine agree"
        report("eco simulate --json, whole command", whole * 1000, "ms", "plain pass over BOM and PO lines",
               baseline * 1000, higher_is_better=False, aim=AIM_RATIO)
        report("", whole * 1000, "ms", "impact computation alone", alone * 1000, higher_is_better=False)
        report("", whole * 1000, "ms", "start-up alone (eco --help)", start_up * 1000, higher_is_better=False)
        report("eco simulate --json, CPU (user + system)", whole_cpu * 1000, "ms", "start-up alone",
               start_up_cpu * 1000, higher_is_better=False)
    for label, seconds in (("impact computation alone", alone), ("eco simulate, whole command", whole)):
        print(f"{label:<44} {seconds:>14.2f} s          | aim under {AIM_SECONDS:g} s: "
              f"{'met' if seconds < AIM_SECONDS else 'missed'}")


if __name__ == "__main__":
    main(sys.argv[1:])
