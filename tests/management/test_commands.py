"""Management commands are thin: each calls library code and none imports another command."""

from pathlib import Path

import pytest

from quizzes.management import commands
from tests.imports import imported_modules

COMMANDS = sorted(Path(commands.__file__).parent.glob("[!_]*.py"))


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path.stem)
def test_a_command_imports_no_other_command(path):
    assert not [module for module in imported_modules(path) if module.startswith("quizzes.management")]
