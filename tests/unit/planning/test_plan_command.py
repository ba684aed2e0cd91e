"""`mfgsync plan mrp`: one JSON document on stdout with --json, a table without, errors on stderr."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mfgsync.cli import build_app

EXAMPLE = {"periods": 8,
           "items": [{"item_id": "A", "lead_time": 1, "lot_rule": "lot_for_lot", "fixed_lot": 0,
                      "order_min": 0, "order_multiple": 1, "safety_stock": 0, "on_hand": 10, "allocated": 0}],
           "boms": [{"parent": "A", "component": "B", "qty_per": 2, "scrap_pct": 0}],
           "scheduled_receipts": [{"item_id": "B", "period": 1, "qty": 50}],
           "demand": [{"item_id": "A", "period": 3, "qty": 100}]}


def plan(tmp_path, content, *options):
    path = tmp_path / "mrp.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return CliRunner().invoke(build_app(), ["plan", "mrp", "--input", str(path), *options])


def test_json_output_is_one_document_with_the_contract_keys_and_single_level_pegging(tmp_path):
    result = plan(tmp_path, EXAMPLE, "--json")
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"planned_orders", "records", "exceptions", "pegging"}
    assert output["planned_orders"] == [
        {"item_id": "A", "release_period": 2, "due_period": 3, "qty": 90},
        {"item_id": "B", "release_period": 2, "due_period": 2, "qty": 130}]
    assert output["records"]["B"]["gross"] == [0, 180, 0, 0, 0, 0, 0, 0]
    # each supply at its own level: A's stock and order serve the customer demand, B's receipt
    # and order serve the dependent demand of bucket 2 (A's release)
    assert output["pegging"] == {"supplies": [
        {"item_id": "A", "supply": "on_hand", "index": None, "period": 0, "qty": 10,
         "pegs": [{"to": "demand", "qty": 10, "demand": 0}]},
        {"item_id": "A", "supply": "planned", "index": 0, "period": 3, "qty": 90,
         "pegs": [{"to": "demand", "qty": 90, "demand": 0}]},
        {"item_id": "B", "supply": "scheduled", "index": 0, "period": 1, "qty": 50,
         "pegs": [{"to": "dependent", "qty": 50, "period": 2}]},
        {"item_id": "B", "supply": "planned", "index": 1, "period": 2, "qty": 130,
         "pegs": [{"to": "dependent", "qty": 130, "period": 2}]}]}


def test_full_pegging_traces_every_end_demand_through_every_level_on_request(tmp_path):
    result = plan(tmp_path, EXAMPLE, "--json", "--pegging", "full")
    assert result.exit_code == 0, result.stderr
    # A's stock and order cover the 100 A; B's receipt and order, all of A's release, end there too
    assert json.loads(result.stdout)["pegging"]["demands"] == [
        {"demand": 0, "planned_orders": [0, 1], "planned_orders_qty": [90, 130],
         "scheduled_receipts": [0], "scheduled_receipts_qty": [50], "on_hand": ["A"], "on_hand_qty": [10]}]


def test_full_pegging_into_a_parquet_folder_adds_a_table_of_end_demands(tmp_path):
    import polars as pl

    result = plan(tmp_path, EXAMPLE, "--output", str(tmp_path / "plan"), "--pegging", "full")
    assert result.exit_code == 0, result.stderr
    ends = pl.read_parquet(tmp_path / "plan" / "end_demands.parquet")
    assert ends.select("demand", "item_id", "supply", "index", "qty").rows() == [
        (0, "A", "on_hand", None, 10.0), (0, "A", "planned", 0, 90.0),
        (0, "B", "scheduled", 0, 50.0), (0, "B", "planned", 1, 130.0)]


def test_records_can_be_limited_to_items_with_activity(tmp_path):
    idle = {**EXAMPLE, "items": EXAMPLE["items"] + [{"item_id": "SPARE", "lead_time": 1, "on_hand": 5}]}
    everything = json.loads(plan(tmp_path, idle, "--json").stdout)["records"]
    active = json.loads(plan(tmp_path, idle, "--json", "--records", "active").stdout)["records"]
    assert set(everything) == {"A", "B", "SPARE"} and set(active) == {"A", "B"}
    assert json.loads(plan(tmp_path, idle, "--json", "--records", "none").stdout)["records"] == {}


def test_a_folder_of_parquet_tables_holds_the_plan_for_polars_and_duckdb(tmp_path):
    import duckdb
    import polars as pl

    result = plan(tmp_path, EXAMPLE, "--output", str(tmp_path / "plan"))
    assert result.exit_code == 0, result.stderr
    orders = pl.read_parquet(tmp_path / "plan" / "planned_orders.parquet")
    assert orders.rows() == [("A", 2, 3, 90), ("B", 2, 2, 130)]
    records = duckdb.sql(f"select period, gross from '{tmp_path / 'plan' / 'records.parquet'}' "
                         "where item_id = 'B' and gross > 0").fetchall()
    assert records == [(2, 180)]
    pegs = pl.read_parquet(tmp_path / "plan" / "pegging.parquet")
    assert pegs.filter(pl.col("item_id") == "A")["qty"].sum() == 100
    assert {p.name for p in (tmp_path / "plan").iterdir()} == {
        "planned_orders.parquet", "records.parquet", "exceptions.parquet", "pegging.parquet"}


def test_one_parquet_file_holds_the_planned_orders(tmp_path):
    import polars as pl

    result = plan(tmp_path, EXAMPLE, "--output", str(tmp_path / "orders.parquet"))
    assert result.exit_code == 0, result.stderr
    assert pl.read_parquet(tmp_path / "orders.parquet")["qty"].to_list() == [90, 130]


def test_without_json_the_plan_prints_as_tables(tmp_path):
    result = plan(tmp_path, EXAMPLE)
    assert result.exit_code == 0
    assert "planned receipts" in result.stdout and "A (low-level code 0)" in result.stdout


def test_a_cyclic_bom_exits_non_zero_with_its_reason_on_stderr(tmp_path):
    cyclic = {"periods": 1, "boms": [{"parent": "A", "component": "B", "qty_per": 1},
                                     {"parent": "B", "component": "A", "qty_per": 1}]}
    result = plan(tmp_path, cyclic, "--json")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "[MRP_BOM_CYCLE]" in result.stderr


def test_an_unreadable_file_exits_non_zero_with_its_reason(tmp_path):
    result = CliRunner().invoke(build_app(), ["plan", "mrp", "--input", str(tmp_path / "missing.json"), "--json"])
    assert result.exit_code != 0 and "[MRP_INPUT_UNREADABLE]" in result.stderr
    result = plan(tmp_path, "{not json", "--json")
    assert result.exit_code != 0 and "[MRP_INPUT_UNREADABLE]" in result.stderr


def test_a_misspelt_key_is_refused_naming_where_it_stands(tmp_path):
    result = plan(tmp_path, {"periods": 2, "items": [{"item_id": "A", "safety_stok": 5}]}, "--json")
    assert result.exit_code != 0 and result.stdout == ""
    assert "[MRP_INPUT_INVALID]" in result.stderr and "items[0] has an unknown key 'safety_stok'" in result.stderr


def test_a_malformed_input_names_the_field_at_fault(tmp_path):
    result = plan(tmp_path, {"periods": 4, "demand": [{"item_id": "A", "period": 9, "qty": 1}]}, "--json")
    assert result.exit_code != 0
    assert "[MRP_INPUT_INVALID]" in result.stderr and "demand[0].period" in result.stderr


def test_pegging_can_be_left_out_of_a_whole_plant_run(tmp_path):
    result = plan(tmp_path, EXAMPLE, "--json", "--pegging", "none")
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) == {"planned_orders", "records", "exceptions"}


ADDRESS_SPACE = 2**30  # 1 GiB of address space for the whole process, interpreter and libraries included


@pytest.mark.slow
def test_a_20000_item_plant_is_planned_with_the_defaults_within_a_gigabyte_and_its_output_parses(tmp_path):
    import msgspec

    from mfgsync.planning.generated import document_json, plant_document

    source = tmp_path / "plant.json"
    source.write_bytes(document_json(plant_document(20_000)))
    with open(tmp_path / "plan.json", "wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "mfgsync.cli", "plan", "mrp", "--input", str(source), "--json"],
            stdout=out, stderr=subprocess.PIPE, timeout=240,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE)))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    plan = msgspec.json.decode((tmp_path / "plan.json").read_bytes())
    assert set(plan) == {"planned_orders", "records", "exceptions", "pegging"}
    assert len(plan["records"]) == 20_000 and len(plan["planned_orders"]) > 100_000
    supplies = plan["pegging"]["supplies"]
    planned = [s for s in supplies if s["supply"] == "planned"]
    assert len(planned) == len(plan["planned_orders"])
    assert all(sum(p["qty"] for p in s["pegs"]) == s["qty"] for s in supplies), "every supply pegged in full"
