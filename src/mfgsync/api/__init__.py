"""The hub's HTTP face: the REST API (routes/), its keys and roles (keys.py, auth.py), problem
documents (problems.py), the dashboard (dashboard.py, templates/, static/) and the server."""
