"""The hub's HTTP face: for now the status page, its JSON and the health check."""
