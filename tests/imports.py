"""Reading which modules a source file imports, for tests of the import rules."""

import ast
from pathlib import Path


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
