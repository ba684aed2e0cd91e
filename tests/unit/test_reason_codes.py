"""Reason codes are a contract: each has an owner role, and the README documents every one."""

from pathlib import Path

from mfgsync.rules.reasons import CATALOGUE

ROLES = {"engineering", "supply_chain", "warehouse", "planner", "admin"}
README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_reason_code_names_a_role_that_must_act():
    assert {reason.role for reason in CATALOGUE.values()} <= ROLES


def test_every_reason_code_is_documented_in_the_readme():
    text = README.read_text()
    assert [code for code in CATALOGUE if f"`{code}`" not in text] == []
