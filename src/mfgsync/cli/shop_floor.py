"""Commands for the shop floor and the warehouse: lot genealogy (`trace`), available-to-promise
(`atp`), replenishment from the plan (`replenish`) and the MQTT ingress (`mqtt ingest`)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mfgsync import queries
from mfgsync.cli.hub import JSON, _hub
from mfgsync.cli.output import fail, print_json
from mfgsync.model import entities as m
from mfgsync.pipeline.availability_now import judge_now
from mfgsync.workflows import genealogy

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("trace")
    def trace(lot: str = typer.Argument(..., help="the lot to follow"),
              backward: bool = typer.Option(False, "--backward", help="the lots it came from, not those it went into"),
              as_json: bool = JSON) -> None:
        """Lot genealogy: every lot a lot went into (or, --backward, came from), level by level."""
        hub = _hub()
        link_type = genealogy.MADE_FROM if backward else genealogy.USED_IN
        try:
            with hub.store.reading() as read:
                def links(entity_type: str):
                    return lambda l: [m.LotLink.model_validate(row) for row in read.entities_of_ref(entity_type, l)]
                document = genealogy.trace(lot, backward, links(link_type), links(genealogy.SHIPPED))
        finally:
            hub.close()
        if as_json:
            print_json(document)
            return
        table = Table("depth", "lot", "item", "order", "qty", "uom", title=f"{lot} {document['direction']}")
        for row in document["lots"]:
            table.add_row(str(row["depth"]), row["lot_id"], row["item_id"], row["order_id"], str(row["qty"]), row["uom"])
        console.print(table)

    @app.command("atp")
    def atp(item_id: str = typer.Argument(..., help="the item"),
            plant: str = typer.Option(..., "--plant", help="the plant"),
            raise_short: bool = typer.Option(False, "--raise", help="judge it now as the hub does after every "
                                                                    "change: ATP_SHORT raised for the planner when "
                                                                    "short, resolved when it recovered"),
            as_json: bool = JSON) -> None:
        """Available-to-promise of an item in a plant, by date; quality-held stock is never available."""
        hub = _hub()
        try:
            document = _atp(hub, item_id, plant)
            if raise_short:
                judge_now(hub.store, hub.settings, item_id, plant, hub.clock, "planner")
        finally:
            hub.close()
        if as_json:
            print_json(document)
            return
        table = Table("date", "on hand", "receipts", "demand", "ATP", "cumulative ATP",
                      title=f"{item_id} at {plant} ({document['uom']})")
        for p in document["periods"]:
            table.add_row(p["date"], *(str(p[k]) for k in ("on_hand", "receipts", "demand", "atp", "cumulative_atp")))
        console.print(table)


    @app.command("replenish")
    def replenish(plant: str = typer.Option(..., "--plant", help="the plant planned"),
                  periods: int = typer.Option(52, "--periods", min=1, max=1000, help="buckets in the horizon"),
                  bucket_days: int = typer.Option(7, "--bucket-days", min=1, help="days per bucket"),
                  as_json: bool = JSON) -> None:
        """MRP on the hub's data; each bought item whose net requirement must be ordered now gets a
        requisition and a purchase order under the approval policy (once per due date)."""
        from mfgsync.pipeline.replenish_from_plan import replenish_from_plan
        from mfgsync.planning.calendar import BucketCalendar
        from mfgsync.planning.model import MrpInputError

        hub = _hub()
        try:
            start = datetime.fromtimestamp(hub.clock(), timezone.utc).date()
            calendar = BucketCalendar(start=start, bucket_days=bucket_days, periods=periods)
            raised = replenish_from_plan(hub.store, hub.settings, plant, calendar, hub.clock, "planner")
        except MrpInputError as exc:
            fail(str(exc), getattr(exc, "code", None) or "MRP_INPUT_INVALID")
        finally:
            hub.close()
        if as_json:
            print_json({"plant_id": plant, "requisitions": raised})
            return
        for r in raised:
            typer.echo(f"{r['requisition_id']}: {r['qty']} {r['uom']} {r['item_id']} by {r['need_date']}"
                       f" -> {r['po_number'] or 'no sourcing rule: waits for a buyer'}")
        typer.echo(f"{len(raised)} requisitions raised", err=True)

    mqtt_app = typer.Typer(help="The shop-floor ingress over MQTT.", no_args_is_help=True)

    @mqtt_app.command("ingest")
    def mqtt_ingest(topic: list[str] = typer.Option(..., "--topic", help="topic filter to subscribe to (repeatable)"),
                    source: str = typer.Option("mes", "--source", help="the configured system the messages come from"),
                    max_messages: Optional[int] = typer.Option(None, "--max-messages", min=1,
                                                               help="stop after this many messages"),
                    idle_seconds: float = typer.Option(30.0, "--idle-seconds", min=0.1,
                                                       help="stop once no message came for this long"),
                    client_id: str = typer.Option("mfgsync-ingress", "--client-id",
                                                  help="the persistent session's id at the broker"),
                    as_json: bool = JSON) -> None:
        """Subscribe ($MFGSYNC_MQTT_URL, default mqtt://127.0.0.1:1883) and ingest each message's envelopes."""
        from mfgsync.connectors.mqtt_ingress import DEFAULT_URL, MqttIngress, announce_ready

        hub = _hub()
        ingress = MqttIngress(os.environ.get("MFGSYNC_MQTT_URL", DEFAULT_URL), topic, client_id, announce_ready)
        try:
            report = ingress.run(hub.intake, source, max_messages, idle_seconds)
        except OSError as exc:
            fail(f"cannot reach the MQTT broker: {exc}", "MQTT_UNREACHABLE")
        finally:
            hub.close()
        if as_json:
            print_json(report.to_json())
        else:
            typer.echo(f"{report.total} messages: {report.accepted} accepted, {report.duplicates} duplicates, "
                       f"{report.stale} stale, {report.quarantined} quarantined")

    app.add_typer(mqtt_app, name="mqtt")


def _atp(hub, item_id: str, plant: str) -> dict:
    today = datetime.fromtimestamp(hub.clock(), timezone.utc).date()
    document = queries.atp(hub.store, hub.settings, item_id, plant, today)
    if document is None:
        fail(f"item {item_id} is not known to the hub", "NOT_FOUND")
    return document

