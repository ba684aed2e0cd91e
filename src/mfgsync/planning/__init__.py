"""Planning: MRP (low-level codes, netting, lot sizing, lead-time offsetting, exceptions),
pegging and available-to-promise. Pure: no I/O, no store; numpy for the fast path."""
