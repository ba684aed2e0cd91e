"""The canonical model: entities, units and state machines. Pure: no I/O."""

from mfgsync.model.base import Canonical, Quantity, decimal_to_number
from mfgsync.model.entities import *  # noqa: F401,F403 - the model's public names
from mfgsync.model.states import (
    PO_TRANSITIONS, PRODUCTION_TRANSITIONS, PoStatus, ProductionStatus,
    po_transition_allowed, production_transition_allowed,
)
from mfgsync.model.units import UnitCatalogue, UnitError, normalize_uom
