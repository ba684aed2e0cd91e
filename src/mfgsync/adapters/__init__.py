"""Inbound adapters: they translate files and feeds into envelopes, and decide nothing."""
