"""PLM indented BOM exports: one Bom per parent; errors name the row and the column."""

from decimal import Decimal

import pytest

from mfgsync.formats import plm_csv
from mfgsync.formats.errors import FormatError

HEADER = "level,item_id,revision,description,qty_per,uom,scrap_pct,alternate_group,alternate_priority,effective_from,effective_to\n"


def test_an_indented_export_becomes_one_bom_per_parent_with_alternates_and_effectivity(fixture_text):
    boms = {b.item_id: b for b in plm_csv.read(fixture_text("plm/pump_bom.csv"))}
    assert set(boms) == {"PMP-100", "HSG-10"}
    pump = boms["PMP-100"]
    assert (pump.revision, pump.status, pump.effective_from.isoformat()) == ("C", "released", "2026-01-01")
    assert [(l.line_no, l.component_id) for l in pump.lines] == [
        (10, "HSG-10"), (20, "IMP-20"), (30, "IMP-21"), (40, "GREASE")]
    impeller, alternate = pump.lines[1], pump.lines[2]
    assert (impeller.alternate_group, impeller.alternate_priority) == ("IMP", 1)
    assert (alternate.alternate_priority, alternate.effective_from.isoformat()) == (2, "2026-07-01")
    assert pump.lines[3].uom == "KGM" and pump.lines[3].qty_per == Decimal("0.05")
    housing = boms["HSG-10"]
    assert housing.revision == "B" and housing.lines[0].scrap_pct == Decimal("2.5")
    assert housing.lines[1].uom == "C62"  # PCE is read as the Rec 20 piece


@pytest.mark.parametrize("rows,code,line,column", [
    ("0,A,1,,,,,,,,\n2,B,,,1,EA,,,,,\n", "PLM_CSV_LEVEL", 3, "level"),
    ("1,B,,,1,EA,,,,,\n", "PLM_CSV_NO_ASSEMBLY", 2, "level"),
    ("0,A,1,,,,,,,,\n1,B,,,one,EA,,,,,\n", "PLM_CSV_VALUE", 3, "qty_per"),
    ("0,A,1,,,,,,,,\n1,B,,,1,BANANA,,,,,\n", "UOM_UNKNOWN", 3, "uom"),
    ("0,A,1,,,,,,,,\n1,B,,,1,EA,,,,2026-13-01,\n", "PLM_CSV_VALUE", 3, "effective_from"),
    ("0,A,,,,,,,,,\n1,B,,,1,EA,,,,,\n", "PLM_CSV_VALUE", 2, "revision"),
    ("0,A,1,,,,,,x,,\n1,B,,,1,EA,,,x,,\n", "PLM_CSV_VALUE", 3, "alternate_priority"),
])
def test_a_bad_row_is_an_error_naming_the_row_and_column(rows, code, line, column):
    assert _refusal(HEADER + rows) == (code, line, column)


def _refusal(text: str) -> tuple:
    """The code, row and column of the error reading `text`."""
    with pytest.raises(FormatError) as caught:
        plm_csv.read_release(text)
    return caught.value.code, caught.value.line, caught.value.column


def test_a_header_without_the_required_columns_is_refused():
    with pytest.raises(FormatError) as caught:
        plm_csv.read("level,item_id\n0,A\n")
    assert caught.value.code == "PLM_CSV_HEADER" and "qty_per" in caught.value.message


def test_json_lines_that_mention_levels_and_item_ids_are_not_taken_for_a_bom_csv():
    from mfgsync import formats
    line = '{"type": "eco.approved", "data": {"item_id": "PMP-100", "reason": "seal at both levels"}}'
    with pytest.raises(formats.FormatError):
        formats.detect(line)
    assert formats.detect("level,item_id,qty_per,uom\n0,PMP-100,1,C62\n") == "plm-csv"


def test_operation_rows_are_the_routing_of_the_parent_above_them_effective_like_its_bom(fixture_text):
    boms, routings = plm_csv.read_release(fixture_text("plm/pump_release_with_routing.csv"))
    assert [(b.item_id, [l.component_id for l in b.lines]) for b in boms] == [
        ("PMP-100", ["IMP-200", "SEAL-B"]), ("IMP-200", ["SEAL-B", "BLADE"])]
    by_item = {r.item_id: r for r in routings}
    pump = by_item["PMP-100"]
    assert (pump.revision, pump.effective_from.isoformat()) == ("B", "2026-12-15")
    assert [(op.op_no, op.work_center, op.description, op.setup_minutes, op.run_minutes_per_unit, op.instruction_ref)
            for op in pump.operations] == [(10, "WC-ASSY", "Assemble", 15, 12, "WI-100-10"),
                                           (20, "WC-TEST", "Pressure test", 0, 5, None)]
    assert [(op.op_no, op.run_minutes_per_unit) for op in by_item["IMP-200"].operations] == [(10, Decimal("1.5"))]


def test_a_release_with_routings_writes_back_to_the_same_file(fixture_text):
    boms, routings = plm_csv.read_release(fixture_text("plm/pump_release_with_routing.csv"))
    text = plm_csv.write(boms, routings)
    assert plm_csv.read_release(text) == (boms, routings)


ROUTED = HEADER.rstrip("\n") + ",op_no,work_center,setup_minutes,run_minutes_per_unit,instruction_ref\n"


@pytest.mark.parametrize("rows,code,line,column", [
    (",,,Assemble,,,,,,,,10,WC-ASSY,,,\n", "PLM_CSV_VALUE", 2, "level"),          # no level
    ("0,,,Assemble,,,,,,,,10,WC-ASSY,,,\n", "PLM_CSV_VALUE", 2, "level"),         # nothing made above it
    ("0,A,1,,,,,,,,\n1,,,Assemble,,,,,,,,ten,WC-ASSY,,,\n", "PLM_CSV_VALUE", 3, "op_no"),
    ("0,A,1,,,,,,,,\n1,,,Assemble,,,,,,,,10,,,,\n", "PLM_CSV_VALUE", 3, "work_center"),
    ("0,A,1,,,,,,,,\n1,,,Assemble,,,,,,,,10,WC-ASSY,x,,\n", "PLM_CSV_VALUE", 3, "setup_minutes"),
])
def test_a_bad_operation_row_is_an_error_naming_the_row_and_column(rows, code, line, column):
    assert _refusal(ROUTED + rows) == (code, line, column)
