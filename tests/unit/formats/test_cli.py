"""The command line of DESIGN section 4: `parse`, `edi parse`, `edi render`."""

import json

from typer.testing import CliRunner

from mfgsync.cli import build_app

from .conftest import FIXTURES

runner = CliRunner()


def run(*args):
    return runner.invoke(build_app(), list(args))


def test_edi_parse_json_prints_interchanges_of_canonical_documents():
    result = run("edi", "parse", str(FIXTURES / "x12/asn_856_nested_hl_00401.edi"), "--json")
    assert result.exit_code == 0, result.output
    (interchange,) = json.loads(result.stdout)["interchanges"]
    assert (interchange["control_number"], interchange["sender"], interchange["receiver"]) == (
        "000000101", "ACMEMFG", "NORTHFAST")
    (document,) = interchange["documents"]
    assert (document["type"], document["control_number"]) == ("856", "0001")
    assert document["data"]["lines"][0]["lot_id"] == "LOTU-2026-U1"


def test_parse_detects_each_format_and_uses_the_edi_shape_for_edi():
    edi = json.loads(run("parse", str(FIXTURES / "edifact/invoic_no_una_release_price_per_100.edi"), "--json").stdout)
    assert edi["interchanges"][0]["documents"][0]["data"]["lines"][0]["unit_price"] == 0.125
    csv = json.loads(run("parse", str(FIXTURES / "plm/pump_bom.csv"), "--json").stdout)
    assert [d["type"] for d in csv["documents"]] == ["Bom", "Bom"]
    xml = json.loads(run("parse", str(FIXTURES / "b2mml/sync_production_performance_v0600.xml"),
                         "--format", "b2mml", "--json").stdout)
    assert xml["documents"][0]["type"] == "ProductionReport"


def test_a_broken_file_exits_non_zero_naming_the_file_segment_and_reason_code(tmp_path):
    broken = tmp_path / "broken.edi"
    text = (FIXTURES / "x12/asn_856_nested_hl_00401.edi").read_text().replace("SE*26*", "SE*25*")
    broken.write_text(text)
    result = run("edi", "parse", str(broken), "--strict", "--json")
    assert result.exit_code != 0 and result.stdout == ""
    assert "X12_SE_COUNT_MISMATCH" in result.stderr and "broken.edi" in result.stderr and "segment 28 (SE)" in result.stderr


def test_edi_render_turns_canonical_json_into_edi_that_parses_back(tmp_path):
    order = {"po_number": "4500000077", "supplier_id": "NORTHFAST",
             "lines": [{"line_no": 1, "item_id": "NUT-M8", "qty": 5, "uom": "C62"}]}
    source = tmp_path / "po.json"
    source.write_text(json.dumps({"data": order}))
    for kind in ("850", "ORDERS"):
        rendered = run("edi", "render", "--type", kind, "--json-in", str(source))
        assert rendered.exit_code == 0, rendered.output
        edi_file = tmp_path / f"po.{kind}"
        edi_file.write_text(rendered.stdout)
        parsed = json.loads(run("edi", "parse", str(edi_file), "--json").stdout)
        assert parsed["interchanges"][0]["documents"][0]["data"]["po_number"] == "4500000077"


def test_edi_render_refuses_an_unknown_type_with_a_reason_code(tmp_path):
    source = tmp_path / "x.json"
    source.write_text("{}")
    result = run("edi", "render", "--type", "999", "--json-in", str(source))
    assert result.exit_code != 0 and "EDI_UNSUPPORTED_MESSAGE" in result.stderr


def test_edi_parse_reads_an_iea_number_unlike_its_isa_with_a_warning_and_refuses_a_truncated_file(tmp_path):
    text = (FIXTURES / "x12/asn_856_nested_hl_00401.edi").read_text()
    isa13 = text[90:99]
    mismatched = tmp_path / "mismatched.edi"
    mismatched.write_text(text.replace(f"IEA*1*{isa13}", "IEA*1*999999999"))
    result = run("edi", "parse", str(mismatched), "--json")
    assert result.exit_code == 0, result.stderr
    [interchange] = json.loads(result.stdout)["interchanges"]
    assert "X12_CONTROL_NUMBER_MISMATCH" in interchange["warnings"][0] and interchange["documents"]
    shown = run("edi", "parse", str(mismatched))
    assert shown.exit_code == 0 and "warning X12_CONTROL_NUMBER_MISMATCH" in shown.stderr
    assert run("edi", "parse", str(mismatched), "--strict").exit_code != 0
    truncated = tmp_path / "truncated.edi"
    truncated.write_text(text[: len(text) // 2])
    refused = run("edi", "parse", str(truncated), "--json")
    assert refused.exit_code != 0 and refused.stdout == "" and "EDI_TRUNCATED" in refused.stderr
