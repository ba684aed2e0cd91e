"""The rules decide without I/O: they import only the model, the envelope and each other."""

import ast
from pathlib import Path

import mfgsync.rules.validation

RULES_DIR = Path(mfgsync.rules.validation.__file__).parent
ALLOWED_PREFIXES = ("mfgsync.rules", "mfgsync.model", "mfgsync.envelope", "__future__", "collections",
                    "dataclasses", "datetime", "decimal", "enum", "fractions", "functools", "itertools",
                    "math", "re", "typing", "pydantic")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_rule_modules_import_nothing_that_does_io():
    for path in sorted(RULES_DIR.glob("*.py")):
        strays = {name for name in imported_modules(path) if not name.startswith(ALLOWED_PREFIXES)}
        assert not strays, f"{path.name} imports {sorted(strays)}"
