"""Trading partners in the configuration: the shape of DESIGN section 6 loads, a partner missing
what its channel needs is an error naming its line, and partners own their suppliers' documents."""

from __future__ import annotations

import pytest

from mfgsync.config import ConfigError, parse_settings

DESIGN_EXAMPLE = """
systems:
  erp: {kind: tryton, url: "http://127.0.0.1:8000", database: mfg, user: admin, password_env: ERP_PASSWORD}
  northfast: {kind: x12, dropfolder: ./edi/northfast, sender_id: ACMEMFG, receiver_id: NORTHFAST,
              version: "005010", ack_window_hours: 24, envelope_policy: strict}
  rhein: {kind: edifact, dropfolder: ./edi/rhein, sender_id: "4012345000009", receiver_id: "5790000000012",
          directory: D96A, envelope_policy: lenient}
subscriptions: {bom.released: [erp], po.created: [by_supplier_channel]}
"""


def test_the_partners_of_the_design_example_load_and_serve_the_suppliers_of_their_names():
    settings = parse_settings(DESIGN_EXAMPLE)
    partners = settings.partners()
    assert sorted(partners) == ["northfast", "rhein"]
    assert (partners["northfast"].version, partners["northfast"].ack_window_hours) == ("005010", 24)
    assert partners["rhein"].envelope_policy == "lenient" and partners["rhein"].directory == "D96A"
    assert settings.subscriptions[next(iter(k for k in settings.subscriptions if k.value == "po.created"))] == [], \
        "orders reach each supplier's own channel, not an envelope target"
    assert settings.owners()["supplier"] == ["supplier", "northfast", "rhein"]


def test_a_webhook_partner_serves_the_supplier_it_names():
    settings = parse_settings("""
systems:
  procure: {kind: webhook, url: "https://platform.example/orders", secret_env: PROCURE_SECRET, supplier_id: SUP-9,
            price_tolerance_pct: 1.5}
""")
    assert list(settings.partners()) == ["SUP-9"] and settings.partners()["SUP-9"].name == "procure"


@pytest.mark.parametrize("system, problem", [
    ('{kind: x12, sender_id: A, receiver_id: B}', "needs `dropfolder`"),
    ('{kind: edifact, dropfolder: ./x, sender_id: A}', "needs `receiver_id`"),
    ('{kind: x12, dropfolder: ./x, sender_id: A, receiver_id: B, envelope_policy: loose}', "envelope_policy"),
    ('{kind: x12, dropfolder: ./x, sender_id: A, receiver_id: B, version: "003020"}', "version"),
    ('{kind: x12, dropfolder: ./x, sender_id: A, receiver_id: B, profile: {no_such_key: 1}}', "no_such_key"),
])
def test_a_partner_missing_what_its_channel_needs_is_an_error_naming_its_line(system, problem):
    text = f"retry: {{max_attempts: 3}}\nsystems:\n  northfast: {system}\n"
    with pytest.raises(ConfigError) as refused:
        parse_settings(text, "hub.yaml")
    assert "hub.yaml:3" in str(refused.value) and problem in str(refused.value)
