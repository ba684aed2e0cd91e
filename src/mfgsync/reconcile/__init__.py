"""Reconciliation: snapshots of what each system holds, compared, and each difference explained."""
