"""Property: every rule is total. Any entity the model accepts, against any state, yields findings
or none — never an exception — and every finding carries a catalogued code and a known severity."""

from datetime import date, datetime, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mfgsync.envelope import PAYLOAD, EventType
from mfgsync.model import entities as m
from mfgsync.model.partner_records import ReceivedInterchange
from mfgsync.model.units import Conversion, UnitCatalogue
from mfgsync.rules.memory_state import MemoryState
from mfgsync.rules.ownership import DEFAULT_OWNERSHIP, ownership_findings
from mfgsync.rules.reasons import CATALOGUE
from mfgsync.rules.validation import Policy, validate

# Few names, so generated references often hit generated state.
ids = st.sampled_from(["A", "B", "C", "D"])
plants = st.sampled_from(["P1", "P2"])
places = st.sampled_from(["L1", "L2"])
lots = st.none() | st.sampled_from(["LOT1", "LOT2"])
uoms = st.sampled_from(["C62", "EA", "BX", "KGM", "GRM", "MTR", "LTR", "DZN"])
revisions = st.sampled_from(["1", "2", "10", "A", "B", "AA"])
any_qty = st.decimals(min_value=-50, max_value=500, places=3)
positive = st.decimals(min_value=Decimal("0.001"), max_value=500, places=3)
non_negative = st.decimals(min_value=0, max_value=500, places=3)
days = st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
moments = st.none() | st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                                   timezones=st.just(timezone.utc))


def enum(cls):
    return st.sampled_from(list(cls))


def optional(strategy):
    return st.none() | strategy


def valid(model, **fields):
    """Instances of `model` from these field strategies, keeping only what the model accepts."""
    def build(values):
        try:
            return model.model_validate(values)
        except ValidationError:
            return None
    return st.fixed_dictionaries(fields).map(build).filter(lambda entity: entity is not None)


items = valid(m.Item, item_id=ids, description=optional(st.just("part")), base_uom=optional(uoms),
              status=enum(m.ItemStatus), lot_rule=optional(enum(m.LotRule)), fixed_lot=optional(non_negative))
bom_lines = valid(m.BomLine, line_no=st.integers(0, 3), component_id=ids, qty_per=any_qty, uom=uoms,
                  scrap_pct=st.decimals(min_value=-5, max_value=120, places=1))
boms = valid(m.Bom, item_id=ids, revision=revisions, plant_id=optional(plants), status=enum(m.BomStatus),
             effective_from=days, effective_to=days, lines=st.lists(bom_lines, max_size=4))
po_lines = valid(m.PurchaseOrderLine, line_no=st.integers(0, 3), item_id=ids, qty=positive, uom=uoms)
orders = valid(m.PurchaseOrder, po_number=ids, supplier_id=ids, status=enum(m.PoStatus),
               lines=st.lists(po_lines, max_size=3))
suppliers = valid(m.Supplier, supplier_id=ids)
holds = valid(m.QualityHold, hold_id=ids, item_id=ids, lot_id=lots, status=enum(m.HoldStatus))


def movements(kinds=enum(m.MovementKind)):
    return valid(m.InventoryMovement, movement_id=ids, kind=kinds, item_id=ids, qty=any_qty, uom=uoms,
                 plant_id=plants, from_location=optional(places), to_location=optional(places), lot_id=lots,
                 occurred_at=moments)


ENTITIES = {
    m.Item: items,
    m.UomConversion: valid(m.UomConversion, item_id=optional(ids), from_uom=uoms, to_uom=uoms, factor=positive),
    m.Supplier: suppliers,
    m.Bom: boms,
    m.EngineeringChange: valid(m.EngineeringChange, eco_id=ids, item_id=ids, to_revision=revisions),
    m.SourcingRule: valid(m.SourcingRule, item_id=ids, supplier_id=ids),
    m.PurchaseOrder: orders,
    m.PoAcknowledgement: valid(m.PoAcknowledgement, po_number=ids, ack_id=ids, ack_type=enum(m.AckType),
                               lines=st.lists(valid(m.PoAcknowledgementLine, line_no=st.integers(0, 3),
                                                    status=enum(m.AckLineStatus), uom=optional(uoms)),
                                              max_size=3)),
    m.ShipNotice: valid(m.ShipNotice, asn_id=ids, supplier_id=ids,
                        lines=st.lists(valid(m.ShipNoticeLine, po_number=ids,
                                             po_line_no=optional(st.integers(0, 3)), item_id=optional(ids),
                                             qty=positive, uom=uoms, lot_id=lots), max_size=3)),
    m.Invoice: valid(m.Invoice, invoice_number=ids, supplier_id=ids, po_number=optional(ids),
                     lines=st.lists(valid(m.InvoiceLine, po_line_no=optional(st.integers(0, 3)),
                                          item_id=optional(ids), qty=positive, uom=uoms,
                                          unit_price=non_negative), max_size=3)),
    m.InventoryMovement: movements(),
    m.InventorySnapshot: valid(m.InventorySnapshot, snapshot_id=ids, plant_id=plants,
                               balances=st.lists(valid(m.InventoryBalance, item_id=ids, plant_id=plants,
                                                       location_id=places, lot_id=lots, qty=any_qty, uom=uoms),
                                                 max_size=3)),
    m.ProductionOrder: valid(m.ProductionOrder, order_id=ids, item_id=ids, qty=positive, plant_id=plants,
                             bom_revision=optional(revisions)),
    m.ProductionReport: valid(m.ProductionReport, report_id=ids, order_id=ids, plant_id=plants,
                              movements=st.lists(movements(st.sampled_from(["consumption", "completion", "scrap"])),
                                                 max_size=4)),
    m.QualityHold: holds,
    ReceivedInterchange: valid(ReceivedInterchange, partner=ids, format=st.sampled_from(["x12", "edifact"]),
                               control_number=ids, sender=ids, receiver=ids, digest=ids,
                               status=st.sampled_from(["accepted", "rejected"])),
    m.Routing: valid(m.Routing, item_id=ids, revision=revisions, plant_id=optional(plants),
                     operations=st.lists(valid(m.Operation, op_no=st.integers(0, 40), work_center=ids), max_size=4)),
}


@st.composite
def states(draw):
    kinds = [(items, 6), (suppliers, 3), (boms, 8), (orders, 3), (holds, 3)]
    state = MemoryState.of(*[entity for kind, most in kinds for entity in draw(st.lists(kind, max_size=most))])
    for _ in range(draw(st.integers(0, 4))):
        key = (draw(ids), draw(plants), draw(places), draw(lots))
        state.stock[key] = draw(any_qty)
    conversions = draw(st.lists(st.tuples(optional(ids), uoms, uoms, positive), max_size=3))
    state.catalogue = UnitCatalogue(Conversion(*conversion) for conversion in conversions)
    return state


@st.composite
def messages(draw):
    event_type = draw(st.sampled_from(list(EventType)))
    return event_type, draw(ENTITIES[PAYLOAD[event_type]])


policies = st.builds(Policy, negative_stock=st.dictionaries(plants, st.sampled_from(["reject", "alert"])),
                     default_negative_stock=st.sampled_from(["reject", "alert"]),
                     work_centers=st.dictionaries(plants, st.frozensets(ids, max_size=3)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(message=messages(), state=states(), policy=policies)
def test_validate_never_raises_and_reports_only_catalogued_codes(message, state, policy):
    event_type, entity = message
    for finding in validate(event_type, entity, state, policy):
        assert finding.code in CATALOGUE
        assert finding.severity in {"reject", "alert"}
        assert finding.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(message=messages(), source=st.sampled_from(sorted(set(DEFAULT_OWNERSHIP.values())) + ["northfast"]),
       current=optional(items), data=st.data())
def test_ownership_never_raises(message, source, current, data):
    event_type, entity = message
    fields_set = data.draw(st.sets(st.sampled_from(sorted(type(entity).model_fields))))
    for finding in ownership_findings(event_type, source, entity, fields_set, current, DEFAULT_OWNERSHIP):
        assert finding.code == "NOT_SYSTEM_OF_RECORD"
