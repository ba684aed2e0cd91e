"""The pipeline: intake → dedupe → sequence → validate → quarantine | apply → outbox → deliver."""
