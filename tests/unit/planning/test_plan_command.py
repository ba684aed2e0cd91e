"""`mfgsync plan mrp`: one JSON document on stdout with --json, a table without, errors on stderr."""

from __future__ import annotations

import json

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


def test_json_output_is_one_document_with_the_contract_keys_and_pegging(tmp_path):
    result = plan(tmp_path, EXAMPLE, "--json")
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"planned_orders", "records", "exceptions", "pegging"}
    assert output["planned_orders"] == [
        {"item_id": "A", "release_period": 2, "due_period": 3, "qty": 90},
        {"item_id": "B", "release_period": 2, "due_period": 2, "qty": 130}]
    assert output["records"]["B"]["gross"] == [0, 180, 0, 0, 0, 0, 0, 0]
    assert output["pegging"]["demands"] == [
        {"demand": 0, "planned_orders": [0, 1], "scheduled_receipts": [0], "on_hand": ["A"]}]


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


def test_a_malformed_input_names_the_field_at_fault(tmp_path):
    result = plan(tmp_path, {"periods": 4, "demand": [{"item_id": "A", "period": 9, "qty": 1}]}, "--json")
    assert result.exit_code != 0
    assert "[MRP_INPUT_INVALID]" in result.stderr and "demand[0].period" in result.stderr


def test_pegging_can_be_left_out_of_a_whole_plant_run(tmp_path):
    result = plan(tmp_path, EXAMPLE, "--json", "--no-pegging")
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) == {"planned_orders", "records", "exceptions"}
