"""Reason codes are a contract: each has an owner role, and the README documents every one."""

import ast
import re
from pathlib import Path

from mfgsync.rules.reasons import CATALOGUE

ROLES = {"engineering", "supply_chain", "warehouse", "planner", "admin"}
README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_reason_code_names_a_role_that_must_act():
    assert {reason.role for reason in CATALOGUE.values()} <= ROLES


def test_every_reason_code_is_documented_in_the_readme():
    text = README.read_text()
    assert [code for code in CATALOGUE if f"`{code}`" not in text] == []


SOURCE = Path(__file__).resolve().parents[2] / "src" / "mfgsync"
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _emitted_codes() -> dict[str, str]:
    """Every string constant in the hub's source spelled like a reason code, with where it is.

    Environment variable names (`MFGSYNC_…`) are spelled the same way and are not codes."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        if path.name == "reasons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CODE.fullmatch(node.value) \
                    and not node.value.startswith("MFGSYNC_"):
                found.setdefault(node.value, f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


def test_every_code_the_hub_emits_is_in_the_catalogue():
    missing = {code: where for code, where in _emitted_codes().items() if code not in CATALOGUE}
    assert missing == {}


def test_every_code_is_catalogued_once():
    import re
    from pathlib import Path
    source = (Path(__file__).resolve().parents[2] / "src" / "mfgsync" / "rules" / "reasons.py").read_text()
    codes = re.findall(r'^\s+"([A-Z0-9_]+)": Reason\(', source, re.MULTILINE)
    assert len(codes) == len(set(codes)), sorted(c for c in set(codes) if codes.count(c) > 1)
