"""Imports point inward: the pure core never imports an edge (store, pipeline, API, CLI)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "mfgsync"
CORE = ["model", "rules", "formats", "planning", "workflows"]
EDGES = ["store", "pipeline", "connectors", "adapters", "api", "cli", "app", "demo", "bus", "kpi"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_pure_core_never_imports_an_edge():
    offenders = []
    for layer in CORE:
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "mfgsync" and len(parts) > 1 and parts[1] in EDGES:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_the_core_does_no_io_at_import():
    for layer in CORE:
        for path in (PACKAGE / layer).rglob("*.py"):
            assert {"sqlalchemy", "httpx", "fastapi"}.isdisjoint(
                n.split(".")[0] for n in _imports(path)), path


def test_adapters_translate_without_reaching_into_the_pipeline():
    offenders = [f"{path.relative_to(PACKAGE)} imports {name}"
                 for path in (PACKAGE / "adapters").rglob("*.py") for name in _imports(path)
                 if name.startswith(("mfgsync.pipeline", "mfgsync.store"))]
    assert offenders == []
