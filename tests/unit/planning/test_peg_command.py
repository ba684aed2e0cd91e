"""`mfgsync plan peg`: one item traced up to its end demands, or one end demand traced down."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mfgsync.cli import build_app

PLANT = {"periods": 4, "items": [{"item_id": "PUMP", "lead_time": 1}, {"item_id": "SEAL", "on_hand": 4}],
         "boms": [{"parent": "PUMP", "component": "SEAL", "qty_per": 2}],
         "demand": [{"item_id": "PUMP", "period": 3, "qty": 10, "ref": "SO-1"}]}


def peg(tmp_path, *arguments):
    path = tmp_path / "mrp.json"
    path.write_text(json.dumps(PLANT))
    return CliRunner().invoke(build_app(), ["plan", "peg", *arguments, "--input", str(path)])


def test_an_items_supplies_are_traced_up_to_the_sales_order_they_end_in(tmp_path):
    result = peg(tmp_path, "SEAL", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"item_id": "SEAL", "supplies": [
        {"item_id": "SEAL", "supply": "on_hand", "index": None, "period": 0, "qty": 4, "rest": 0,
         "end_demands": [{"demand": 0, "item_id": "PUMP", "period": 3, "ref": "SO-1", "demand_qty": 10, "qty": 4}]},
        {"item_id": "SEAL", "supply": "planned", "index": 1, "period": 2, "qty": 16, "rest": 0,
         "end_demands": [{"demand": 0, "item_id": "PUMP", "period": 3, "ref": "SO-1", "demand_qty": 10, "qty": 16}]}]}


def test_a_sales_order_is_traced_down_to_every_supply_serving_it(tmp_path):
    result = peg(tmp_path, "--demand", "SO-1", "--json")
    assert result.exit_code == 0, result.stderr
    trace = json.loads(result.stdout)
    assert [(s["item_id"], s["supply"], s["serves"]) for s in trace["supplies"]] == [
        ("PUMP", "planned", 10), ("SEAL", "on_hand", 4), ("SEAL", "planned", 16)]
    assert "SO-1" in peg(tmp_path, "--demand", "0").stdout, "without --json, a table"


def test_an_unknown_item_or_demand_exits_non_zero_with_its_code(tmp_path):
    for arguments in (["GEAR"], ["--demand", "SO-9"]):
        result = peg(tmp_path, *arguments)
        assert result.exit_code != 0 and "MRP_PEG_UNKNOWN" in result.stderr
    assert "MRP_INPUT_INVALID" in peg(tmp_path, "SEAL", "--demand", "0").stderr, "one item or one demand"
