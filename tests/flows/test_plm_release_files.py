"""A PLM export that carries the process plan with the structure: the BOMs and routings of the
file are one release, published to the ERP together or held back together."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfgsync.adapters.files import read_messages
from mfgsync.connectors.memory import MemoryConnector
from mfgsync.rules.reasons import CATALOGUE
from tests.support import erp_stand_in
from tests.support.messages import envelope, item

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "plm" / "pump_release_with_routing.csv"
CONFIG = erp_stand_in.config('  P1: {receives: ["*"], work_centers: [WC-ASSY, WC-TEST, WC-PRESS]}\n').replace(
    "bom.released: [erp, mes]", "bom.released: [erp, mes], routing.released: [erp, mes]")


def _hub(make_hub, monkeypatch, config=CONFIG):
    erp_stand_in.allow_stand_in(monkeypatch)
    erp = MemoryConnector()
    hub = make_hub(config, connectors={"erp": erp, "mes": MemoryConnector()})
    hub.intake.ingest([envelope("item.upserted", item(i)) for i in ("PMP-100", "IMP-200", "SEAL-B", "BLADE")])
    return hub, erp


def test_the_boms_and_routings_of_a_plm_export_reach_the_erp_as_one_release(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch)
    report = hub.intake.ingest(read_messages(RELEASE))
    assert (report.accepted, report.quarantined) == (4, 0), hub.exceptions.list()
    hub.worker.run_until_idle()
    commands = sorted(d.effect_key for d in erp.received if d.command in ("bom.upsert", "routing.upsert"))
    assert commands == ["erp:bom:IMP-200@P1#B", "erp:bom:PMP-100@P1#B",
                        "erp:routing:IMP-200@P1#B", "erp:routing:PMP-100@P1#B"]


def test_an_operation_at_a_work_center_the_plant_lacks_holds_back_the_whole_export(make_hub, monkeypatch):
    hub, erp = _hub(make_hub, monkeypatch, CONFIG.replace(", WC-PRESS]", "]"))
    report = hub.intake.ingest(read_messages(RELEASE))
    assert report.accepted == 0
    assert report.by_reason == {"ROUTING_WORK_CENTER_UNKNOWN": 1, "RELEASE_INCOMPLETE": 3}
    hub.worker.run_until_idle()
    assert [d for d in erp.received if d.command != "item.upsert"] == [], "nothing of the release reached the ERP"
    [cause] = [e for e in hub.exceptions.list() if "ROUTING_WORK_CENTER_UNKNOWN" in e["codes"]]
    assert cause["owner_role"] == "engineering" and "WC-PRESS" in cause["reasons"][0]["message"]


HEADER = "level,item_id,revision,description,qty_per,uom,scrap_pct,alternate_group,alternate_priority,effective_from,effective_to\n"


@pytest.mark.parametrize("text,code,where", [
    ("level,item_id,revision,uom\n0,PMP-100,B,EA\n", "PLM_CSV_HEADER", "line 1"),                  # no qty_per column
    (HEADER + "0,PMP-100,B,,,,,,,,\n1,SEAL-B,,,1.5.2,EA,,,,,\n", "PLM_CSV_VALUE", "line 3, column qty_per"),
    (HEADER + "0,PMP-100,B,,,,,,,,\n2,SEAL-B,,,1,EA,,,,,\n", "PLM_CSV_LEVEL", "line 3, column level"),
    (HEADER + "0,PMP-100,B,,,,,,,,\n1,SEAL-B,,,1,BUCKET,,,,,\n", "UOM_UNKNOWN", "line 3, column uom"),
])
def test_a_malformed_plm_export_is_quarantined_whole_naming_its_row_and_nothing_moves(make_hub, monkeypatch,
                                                                                       tmp_path, text, code, where):
    hub, erp = _hub(make_hub, monkeypatch)
    export = tmp_path / "release.csv"
    export.write_text(text)
    report = hub.intake.ingest(read_messages(export, "plm-csv"))
    assert (report.accepted, report.by_reason) == (0, {code: 1})
    [held] = hub.exceptions.list()
    assert held["owner_role"] == CATALOGUE[code].role
    assert where in held["reasons"][0]["message"]
    hub.worker.run_until_idle()
    assert [d for d in erp.received if d.command != "item.upsert"] == [], "nothing reached the ERP"
