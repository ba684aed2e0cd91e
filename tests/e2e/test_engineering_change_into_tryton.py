"""The flagship story on a real Tryton: PLM releases revision B of a pump with an effective date;
the hub validates it, publishes it to the ERP as a production BOM of each receiving plant, and
makes it the ERP's default BOM on its effective date — not before."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mfgsync.app import build_hub
from mfgsync.config import parse_settings
from mfgsync.connectors.tryton import product_bom_names
from tests.conftest import FakeClock
from tests.support.messages import bom, envelope, item

pytestmark = pytest.mark.tryton


def _hub(tryton, tmp_path, monkeypatch, clock):
    monkeypatch.setenv("ERP_PASSWORD", tryton.password)
    settings = parse_settings(f"""
systems:
  erp: {{kind: tryton, url: "{tryton.url}", database: {tryton.database}, user: {tryton.user},
         password_env: ERP_PASSWORD, timeout_seconds: 30}}
subscriptions: {{item.upserted: [erp], bom.released: [erp]}}
plants: {{P1: {{receives: ["*"]}}}}
retry: {{base_seconds: 0, max_seconds: 0}}
""")
    return build_hub(settings, f"sqlite:///{tmp_path}/hub.db", clock=clock)


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
