"""The architecture the issue asks for: a medical core without Rasa, thin glue, no reply text in Python."""
import ast
import re
from pathlib import Path

import pytest

from tests.servers import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")


def imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def string_literals(path: Path):
    """String constants that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


@pytest.mark.parametrize("path", sorted((ROOT / "channels").glob("*.py")), ids=lambda p: p.name)
def test_channels_do_not_import_actions(path):
    assert not [m for m in imports(path) if m == "actions" or m.startswith("actions.")]


@pytest.mark.parametrize("path", sorted((ROOT / "triage").glob("*.py")), ids=lambda p: p.name)
def test_the_medical_core_has_no_rasa_import(path):
    assert not [m for m in imports(path) if m.split(".")[0] in {"rasa", "rasa_sdk", "actions", "components", "channels"}]


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "actions").glob("*.py")), ROOT / "channels" / "turn.py", ROOT / "triage" / "scoring.py",
             ROOT / "triage" / "summary.py"],
    ids=lambda p: p.name,
)
def test_no_chinese_reply_text_or_department_in_python(path):
    """Replies, departments and line templates live in domain.yml or knowledge/causes.yml."""
    assert not [s for s in string_literals(path) if CJK.search(s)]


@pytest.mark.parametrize("path", sorted((ROOT / "channels").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_channels_hold_no_chinese_text(path):
    """Patient-facing words live in domain.yml or knowledge/causes.yml; the notes a channel sends the staff
    console are codes, worded by the console (staff/texts.yml)."""
    assert not [s for s in string_literals(path) if CJK.search(s)]
