"""Routings into Tryton (its `production_routing` module): the `routing.upsert` command.

`routing.upsert` — `{"routing": <canonical Routing>, "item_codes": {...}}`. A routing revision is
one `production.routing` named like its BOM, `<item_id> rev <revision>` (plant-specific:
`<item_id> rev <revision> (<plant_id>)`), which is also how a retry finds it. Its steps are the
operations in `op_no` order (the step's sequence is the op_no); each step's operation is the
`production.routing.operation` named `<work center> <description>` (or the work center alone),
shared by every routing that does the same work. The routing is linked to the BOM of the same
revision and set on the product's BOM-list entry of that BOM, so a production Tryton plans from
that BOM follows that routing.

Tryton's routing holds the sequence of operations only: set-up and run times and the
work-instruction references travel to MES (the B2MML and webhook targets), not here.

Like every command of the Tryton target, it reads back what it wrote before it returns; the BOM
it builds on not being in Tryton yet (its delivery still on the way) is a transient failure.
"""

from __future__ import annotations

from typing import Any

from mfgsync.connectors.base import TransientError
from mfgsync.connectors.tryton_rpc import TrytonSession
from mfgsync.model import entities as m

ANY_ACTIVE = ["active", "in", [True, False]]


def operation_name(op: m.Operation) -> str:
    return f"{op.work_center} {op.description}" if op.description else op.work_center


def wanted_steps(routing: m.Routing) -> list[tuple[int, str]]:
    """(sequence, operation name) of each step as Tryton should hold them."""
    return [(op.op_no, operation_name(op)) for op in sorted(routing.operations, key=lambda op: op.op_no)]


class RoutingWriter:
    def __init__(self, session: TrytonSession, reader: Any):
        self.session = session
        self.read = reader  # the connector's TrytonReader: products, BOMs and their links
        self._operation_ids: dict[str, int] = {}

    def upsert(self, routing: m.Routing, name: str, parent_code: str) -> None:
        bom = self.read.bom(name)
        if bom is None:
            raise TransientError(f"BOM {name!r} is not in Tryton yet: its routing waits for it")
        product = self.read.product(parent_code)
        wanted = wanted_steps(routing)
        rows = [{"sequence": sequence, "operation": self._operation(op_name)} for sequence, op_name in wanted]
        found = self._routing(name)
        if found is None:
            self.session.model("production.routing", "create", [{
                "name": name, "boms": [["add", [bom["id"]]]], "steps": [["create", rows]]}])
        else:
            self._align(found, wanted, rows, bom["id"])
        routing_id = self._routing(name)["id"]
        self._set_on_product(product["id"], bom["id"], routing_id)
        self._confirm(name, routing, bom["id"], product["id"])

    def _operation(self, name: str) -> int:
        if name not in self._operation_ids:
            found = self.session.model("production.routing.operation", "search", [["name", "=", name], ANY_ACTIVE],
                                       0, 1, [["id", "ASC"]])
            self._operation_ids[name] = found[0] if found else \
                self.session.model("production.routing.operation", "create", [{"name": name}])[0]
        return self._operation_ids[name]

    def _routing(self, name: str) -> dict[str, Any] | None:
        found = self.session.model("production.routing", "search_read", [["name", "=", name], ANY_ACTIVE], 0, 1,
                                   [["id", "ASC"]], ["name", "steps", "boms"])
        return found[0] if found else None

    def steps_of(self, routing: dict[str, Any]) -> list[tuple[int, str]]:
        if not routing["steps"]:
            return []
        rows = self.session.model("production.routing.step", "read", routing["steps"], ["sequence", "operation.name"])
        return sorted((row["sequence"], row["operation."]["name"]) for row in rows)

    def _align(self, found: dict[str, Any], wanted: list[tuple[int, str]], rows: list[dict[str, Any]],
               bom_id: int) -> None:
        """Rewrite only what differs, so a repeated delivery writes nothing."""
        changes: dict[str, Any] = {}
        if self.steps_of(found) != wanted:
            changes["steps"] = [["delete", found["steps"]], ["create", rows]]
        if bom_id not in found["boms"]:
            changes["boms"] = [["add", [bom_id]]]
        if changes:
            self.session.model("production.routing", "write", [found["id"]], changes)

    def _set_on_product(self, product_id: int, bom_id: int, routing_id: int) -> None:
        link = self._link(product_id, bom_id)
        if link["routing"] != routing_id:
            self.session.model("product.product-production.bom", "write", [link["id"]], {"routing": routing_id})

    def _link(self, product_id: int, bom_id: int) -> dict[str, Any]:
        found = self.session.model("product.product-production.bom", "search_read",
                                   [["product", "=", product_id], ["bom", "=", bom_id]], 0, 1, None, ["routing"])
        if not found:
            raise TransientError("the BOM is not in its product's BOM list yet: its routing waits for it")
        return found[0]

    def _confirm(self, name: str, routing: m.Routing, bom_id: int, product_id: int) -> None:
        found = self._routing(name)
        if found is None or self.steps_of(found) != wanted_steps(routing) or bom_id not in found["boms"] \
                or self._link(product_id, bom_id)["routing"] != found["id"]:
            raise TransientError(f"routing {name!r} does not read back as written")
