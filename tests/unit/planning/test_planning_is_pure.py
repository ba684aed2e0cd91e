"""Planning decides without I/O: it never imports the store, the pipeline, the API or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import mfgsync.planning

EDGES = ("mfgsync.store", "mfgsync.pipeline", "mfgsync.api", "mfgsync.cli", "mfgsync.bus",
         "mfgsync.connectors", "mfgsync.dashboard", "mfgsync.app")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_planning_module_imports_an_edge():
    package = Path(mfgsync.planning.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 5
    for module in modules:
        edges = {name for name in imported_modules(module) if name.startswith(EDGES)}
        assert not edges, f"{module.name} imports {edges}"
