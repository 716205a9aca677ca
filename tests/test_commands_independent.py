"""Management commands are thin: each calls library code and none imports another command."""

import ast
from pathlib import Path

import pytest

COMMANDS = sorted((Path(__file__).resolve().parent.parent / "quizzes" / "management" / "commands").glob("[!_]*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path.stem)
def test_a_command_imports_no_other_command(path):
    assert not [module for module in imported_modules(path) if module.startswith("quizzes.management")]
