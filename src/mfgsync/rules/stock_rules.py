"""Rules for stock: movements (alone or in a production report), counts, and quality holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from mfgsync.model.entities import (InventoryMovement, InventorySnapshot, Item, MovementKind, ProductionReport,
                                    QualityHold)
from mfgsync.rules.checks import field_path, known_item, unit_converts
from mfgsync.rules.findings import Finding
from mfgsync.rules.policy import Policy
from mfgsync.rules.state import StateView

_K = MovementKind
_INTO_STOCK = {_K.receipt, _K.completion}
_OUT_OF_STOCK = {_K.issue, _K.consumption, _K.scrap}

Place = tuple[str, str, str, str | None]  # item_id, plant_id, location_id, lot_id
_NONE = Decimal(0)


def stock_effects(movement: InventoryMovement) -> list[tuple[str | None, Decimal]]:
    """Each location the movement changes, with the signed quantity in the movement's unit.

    A location the sender left out is None: the hub cannot check a balance it cannot name.
    """
    qty = movement.qty
    if movement.kind in _INTO_STOCK:
        return [(movement.to_location or movement.from_location, qty)]
    if movement.kind in _OUT_OF_STOCK:
        return [(movement.from_location or movement.to_location, -qty)]
    if movement.kind == _K.transfer:
        return [(movement.from_location, -qty), (movement.to_location, qty)]
    return [(movement.to_location or movement.from_location, qty)]  # adjustment: signed as sent


def movement_valid(movement: InventoryMovement, state: StateView, policy: Policy) -> Iterator[Finding]:
    yield from _movements_valid([movement], "", state, policy)


def report_movements_valid(report: ProductionReport, state: StateView, policy: Policy) -> Iterator[Finding]:
    """A report's movements count together: two consumptions of one lot may each fit, but not both."""
    yield from _movements_valid(report.movements, "movements", state, policy)


def _movements_valid(movements: Sequence[InventoryMovement], list_field: str, state: StateView,
                     policy: Policy) -> Iterator[Finding]:
    pending: dict[Place, Decimal] = {}  # change so far in this message, in the item's base unit
    for index, movement in enumerate(movements):
        path = f"{list_field}[{index}]" if list_field else ""
        item = state.item(movement.item_id)
        if item is None:
            yield from known_item(state, movement.item_id, field_path(path, "item_id"), _where(movement))[1]
            continue
        effects = stock_effects(movement)
        if any(delta < 0 for _, delta in effects):
            holds = state.holds_on(movement.item_id, movement.lot_id)
            if holds:
                yield _on_hold(movement, holds[0], path)
        # A movement in the item's own unit always converts: the common case asks nothing more.
        if movement.uom != item.base_uom and (unit_findings := list(
                unit_converts(state, item, movement.uom, field_path(path, "uom"), _where(movement)))):
            yield from unit_findings
        elif item.base_uom is not None:
            yield from _stock_stays_positive(movement, effects, item, state, policy, pending, path)


def _where(movement: InventoryMovement) -> str:
    """How a finding's message names the movement, written only once there is a finding."""
    return f" (movement {movement.movement_id})"


def _on_hold(movement: InventoryMovement, hold: QualityHold, path: str) -> Finding:
    """Held stock may not leave its place (the caller asks only for movements taking stock out).
    Stock arriving (a receipt or completion of a held lot) is accepted: it lands in quality-hold
    status and stays there until the hold is released."""
    lot = f"lot {movement.lot_id} of " if movement.lot_id else ""
    return Finding("LOT_ON_HOLD", f"{lot}{movement.item_id} is on quality hold {hold.hold_id}; "
                   f"{movement.kind} {movement.movement_id} moves held stock", field_path(path, "lot_id"))


def _stock_stays_positive(movement: InventoryMovement, effects: list[tuple[str | None, Decimal]], item: Item,
                          state: StateView, policy: Policy, pending: dict[Place, Decimal],
                          path: str) -> Iterator[Finding]:
    same_unit = movement.uom == item.base_uom
    for location, delta in effects:
        if location is None:
            continue
        place = (item.item_id, movement.plant_id, location, movement.lot_id)
        change = delta if same_unit else state.units().convert(delta, movement.uom, item.base_uom, item.item_id)
        pending[place] = pending.get(place, _NONE) + change
        if change >= 0:
            continue  # stock arriving never drives a balance negative: no need to read it
        after = state.available_qty(*place) + pending[place]
        if after < 0:
            lot = f" lot {movement.lot_id}" if movement.lot_id else ""
            yield Finding("STOCK_NEGATIVE",
                          f"{movement.kind} {movement.movement_id} of {movement.qty} {movement.uom} "
                          f"{item.item_id}{lot} would leave {after} {item.base_uom} available at "
                          f"{movement.plant_id}/{location}", field_path(path, "qty"),
                          policy.negative_stock_severity(movement.plant_id))


def snapshot_valid(snapshot: InventorySnapshot, state: StateView, policy: Policy) -> Iterator[Finding]:
    """A count's items exist and its units convert; each unknown item is reported once."""
    unknown: set[str] = set()
    for index, balance in enumerate(snapshot.balances):
        if balance.item_id in unknown:
            continue
        path = f"balances[{index}]"
        item, findings = known_item(state, balance.item_id, f"{path}.item_id")
        if item is None:
            unknown.add(balance.item_id)
            yield from findings
        else:
            yield from unit_converts(state, item, balance.uom, f"{path}.uom", f" (location {balance.location_id})")
