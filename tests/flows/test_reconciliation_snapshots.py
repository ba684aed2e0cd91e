"""Snapshots as the systems hand them over: CSV, Parquet and JSON read alike; malformed rows are
reported with their row numbers and the rest still compared; hostile files give a clear error
or a report, never a crash. Codes arrive in each system's own spelling and are mapped."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgsync.config import parse_settings
from mfgsync.model.units import UnitCatalogue
from mfgsync.reconcile.compare import compare
from mfgsync.reconcile.inventory import Side, reconcile
from mfgsync.reconcile.snapshots import Normaliser, SnapshotError, read_snapshot
from mfgsync.store.memory import MemoryStore
from tests.support.cli import run

HEADER = "item_id,plant_id,location_id,lot_id,status,qty,uom\n"
PLAIN = Normaliser(UnitCatalogue())


def _csv(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def test_malformed_rows_are_reported_by_row_number_and_the_rest_is_read(tmp_path):
    snapshot = read_snapshot(_csv(tmp_path / "wms.csv",
                                  "SEAL,P1,MAIN,,available,90,C62",
                                  ",P1,MAIN,,available,5,C62",            # row 2: no item
                                  "BOLT,P1,MAIN,,available,twelve,C62",   # row 3: not a number
                                  "NUT,P1,MAIN,,available,4,FURLONG",     # row 4: unknown unit
                                  "WASHER,,MAIN,,available,1,C62",        # row 5: no plant
                                  "PIN,P1,MAIN,L|1,available,3,C62",      # row 6: a key separator in the lot
                                  "CLIP,P1,MAIN,,on_the_moon,3,C62"), PLAIN)  # row 7: no such status
    assert [(p.row, p.field) for p in snapshot.problems] == [
        (2, "item_id"), (3, "qty"), (4, "uom"), (5, "plant_id"), (6, "lot_id"), (7, "status")]
    assert snapshot.rows_read == 7 and snapshot.frame.get_column("item_id").to_list() == ["SEAL"]
    messages = {p.row: p.message for p in snapshot.problems}
    assert messages[3] == "qty 'twelve' is not a number" and messages[4] == "unknown unit of measure 'FURLONG'"


def test_a_row_in_a_unit_with_no_way_to_the_items_base_unit_is_reported(tmp_path):
    how = Normaliser(UnitCatalogue(), base_units=lambda items: {"SCREW": "C62"})
    snapshot = read_snapshot(_csv(tmp_path / "s.csv", "SCREW,P1,MAIN,,available,7,KGM",
                                  "SCREW,P1,BIN,,available,2,DZN"), how)
    assert [(p.row, p.message) for p in snapshot.problems] == [(1, "no conversion from KGM to SCREW's base unit C62")]
    assert snapshot.frame.get_column("qty").to_list() == [Decimal(24)], "two dozen are 24 pieces"


def test_csv_parquet_and_json_snapshots_read_the_same(tmp_path):
    rows = ["SEAL,P1,MAIN,L1,available,90.5,C62", "BOLT,P1,MAIN,,quality_hold,12,EA"]
    csv = _csv(tmp_path / "s.csv", *rows)
    pl.read_csv(csv, infer_schema=False).write_parquet(tmp_path / "s.parquet")
    records = [dict(zip(HEADER.strip().split(","), r.split(","))) for r in rows]
    (tmp_path / "s.json").write_text(json.dumps({"balances": [{**r, "qty": float(r["qty"])} for r in records]}))
    (tmp_path / "s.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    frames = [read_snapshot(tmp_path / f"s.{suffix}", PLAIN).frame.sort("item_id")
              for suffix in ("csv", "parquet", "json", "jsonl")]
    for frame in frames[1:]:
        assert frame.equals(frames[0].select(frame.columns))
    assert frames[0].row(0, named=True)["uom"] == "C62", "EA is read as its Rec 20 code"


def test_each_systems_codes_are_read_as_the_hubs(tmp_path):
    config = parse_settings("""mappings: {wms: {plant: {"1000": P1}, location: {"A-01": MAIN}, uom: {ST: C62}}}
plants: {P1: {item_codes: {wms: {SEAL: W-SEAL-7}}}}""")
    left = _csv(tmp_path / "erp.csv", "SEAL,P1,MAIN,,available,5,C62")
    right = _csv(tmp_path / "wms.csv", "W-SEAL-7,1000,A-01,,available,5,ST")
    result = reconcile(MemoryStore(), config, Side(str(left)), Side(str(right), "wms"))
    assert result["summary"]["match"] == 1 and result["variances"] == []


def test_a_snapshot_without_a_key_column_or_in_an_unknown_format_is_refused_whole(tmp_path):
    (tmp_path / "bad.csv").write_text("item,plant,qty\nSEAL,P1,5\n")
    with pytest.raises(SnapshotError, match="no column item_id, plant_id, location_id, uom"):
        read_snapshot(tmp_path / "bad.csv", PLAIN)
    (tmp_path / "s.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(SnapshotError, match="unknown snapshot format"):
        read_snapshot(tmp_path / "s.xlsx", PLAIN)


cells = st.one_of(st.text(max_size=80), st.sampled_from(["", "SEAL", "P1", "1e400", "NaN", "-0", "9" * 30,
                                                        "0.0000000000001", "\x00", "a|b", "KGM", "EA"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=12))
def test_hostile_csv_rows_are_reported_or_read_never_a_crash(tmp_path, rows):
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + "\n".join(",".join(json.dumps(c) for c in row) for row in rows) + "\n",
                    encoding="utf-8", errors="surrogatepass")
    try:
        snapshot = read_snapshot(path, PLAIN)
    except SnapshotError:
        return
    assert all(p.row >= 1 and p.message for p in snapshot.problems)
    assert snapshot.frame.height <= snapshot.rows_read
    compared = compare(snapshot.frame, snapshot.frame.head(1), UnitCatalogue())
    assert compared.height == snapshot.frame.height and compared.get_column("kind").is_in(["match", "only_left"]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from(["csv", "json", "jsonl", "parquet"]))
def test_hostile_bytes_are_a_clear_error_or_a_report(tmp_path, data, suffix):
    path = tmp_path / f"hostile.{suffix}"
    path.write_bytes(data)
    try:
        read_snapshot(path, PLAIN)
    except SnapshotError as exc:
        assert str(exc)


def test_the_command_reports_row_problems_and_still_compares(tmp_path):
    _csv(tmp_path / "erp.csv", "SEAL,P1,MAIN,,available,100,C62", "BOLT,P1,MAIN,,available,x,C62")
    _csv(tmp_path / "wms.csv", "SEAL,P1,MAIN,,available,90,C62")
    out = run(tmp_path, "reconcile", "--left", "erp.csv", "--right", "wms.csv", "--as-of", "2026-11-30T18:00:00Z",
              "--json")
    document = json.loads(out.stdout)
    assert document["summary"] == {"match": 0, "only_left": 0, "only_right": 0, "qty_mismatch": 1, "status_mismatch": 0}
    assert document["variances"] == [{
        "key": {"item_id": "SEAL", "plant_id": "P1", "location_id": "MAIN", "lot_id": None}, "kind": "qty_mismatch",
        "left_qty": 100, "right_qty": 90, "uom": "C62", "left_status": "available", "right_status": "available",
        "cause": "unexplained", "evidence": []}]
    assert document["left"]["problems"] == [{"row": 2, "field": "qty", "message": "qty 'x' is not a number"}]


def test_the_command_refuses_a_missing_snapshot_on_stderr(tmp_path):
    out = run(tmp_path, "reconcile", "--left", "nowhere.csv", "--right", "hub", "--json", expect=2)
    assert out.stdout == "" and "SNAPSHOT_UNREADABLE" in out.stderr


@pytest.fixture
def stocked_hub(make_hub):
    """A hub (SQLite and PostgreSQL) with an item, its stock and a quarantined movement."""
    from tests.support.messages import envelope, item
    hub = make_hub()
    hub.intake.ingest([envelope("item.upserted", item("SEAL")), *(
        envelope("inventory.moved", {"movement_id": f"MV-{n}", "kind": kind, "item_id": "SEAL", "qty": qty,
                                     "uom": "C62", "plant_id": "P1", "to_location": "MAIN", "from_location": "MAIN"},
                 source="wms") for n, (kind, qty) in enumerate([("receipt", 5), ("issue", 50)]))])
    return hub


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=7, max_size=7), max_size=8), against_hub=st.booleans())
def test_hostile_snapshots_reconcile_against_the_store_without_a_crash(stocked_hub, tmp_path, rows, against_hub):
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + "\n".join(",".join(json.dumps(c) for c in row) for row in rows) + "\n",
                    encoding="utf-8", errors="surrogatepass")
    other = Side("hub") if against_hub else Side(str(path))
    try:
        result = reconcile(stocked_hub.store, stocked_hub.settings, Side(str(path)), other)
    except SnapshotError:
        return
    assert sum(result["summary"].values()) >= len(result["variances"])
    assert all(v["cause"] in ("quarantined", "unexplained", "unit_conversion") for v in result["variances"])
    json.dumps(result, default=str)
