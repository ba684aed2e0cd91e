"""An ERP that takes commands (a `kind: tryton` system), stood in for by a recording connector:
for flow tests of what the hub sends it. The real Tryton stories are in tests/e2e."""

from __future__ import annotations

ERP_SYSTEM = ('erp: {kind: tryton, url: "http://127.0.0.1:9", database: mfg, user: admin, '
              'password_env: MFGSYNC_TEST_ERP_PASSWORD}')


def config(plants: str) -> str:
    """A hub with the ERP stand-in and an MES memory target, both subscribed to engineering data."""
    return (f"systems:\n  {ERP_SYSTEM}\n  mes: {{kind: memory}}\n"
            f"subscriptions: {{item.upserted: [erp], bom.released: [erp, mes]}}\nplants:\n{plants}")


def allow_stand_in(monkeypatch) -> None:
    monkeypatch.setenv("MFGSYNC_TEST_ERP_PASSWORD", "not-used")  # the stand-in takes the ERP's place
