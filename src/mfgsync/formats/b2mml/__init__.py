"""ISA-95 B2MML (V0600 and V0700): performance reports in, schedules and product definitions out (and back, for round trips)."""

from __future__ import annotations

from mfgsync.formats.b2mml import performance, product_definition, schedule
from mfgsync.formats.b2mml.xml import document, parse
from mfgsync.formats.documents import Document
from mfgsync.formats.errors import FormatError
from mfgsync.formats.partners import DEFAULT_PROFILE, PartnerProfile

_PERFORMANCE = ("ProductionPerformance", "OperationsPerformance")
_SCHEDULE = ("ProductionSchedule", "OperationsSchedule")


def read(text: str, profile: PartnerProfile = DEFAULT_PROFILE) -> list[Document]:
    """Canonical documents of a B2MML file: ProductionReports or ProductionOrders."""
    version, noun, root = document(parse(text))
    if noun in _PERFORMANCE:
        return [Document("ProductionReport", "ProductionReport", r) for r in performance.read(root, profile)]
    if noun in _SCHEDULE:
        return [Document("ProductionOrder", "ProductionOrder", o) for o in schedule.read(root)]
    raise FormatError("B2MML_UNSUPPORTED_DOCUMENT", f"{version} {noun} is not a document the hub reads")


render_performance = performance.write
render_schedule = schedule.write
render_product_definition = product_definition.write
render_orders_moved = product_definition.orders_moved
render_routing = product_definition.write_routing


def read_product_definition(text: str):
    """The Bom of a V0600 ProductDefinition document (bare or wrapped in a verb)."""
    return product_definition.read(document(parse(text))[2])


def read_routing(text: str):
    """The Routing of a V0600 ProductDefinition of a routing revision (bare or wrapped in a verb)."""
    return product_definition.read_routing(document(parse(text))[2])


__all__ = ["read", "read_product_definition", "read_routing", "render_orders_moved", "render_performance",
           "render_product_definition", "render_routing", "render_schedule"]
