"""Outbound connectors: each delivers one canonical envelope to one target system."""
