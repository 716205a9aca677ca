"""Migrations are frozen: what one does never changes with the app code written after it."""

from pathlib import Path

import pytest

from quizzes import migrations
from tests.imports import imported_modules

MIGRATIONS = sorted(Path(migrations.__file__).parent.glob("[0-9]*.py"))


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.stem)
def test_a_migration_imports_no_app_code(path):
    assert not [module for module in imported_modules(path) if module.split(".")[0] == "quizzes"]


def test_the_learning_modes_migration_schedules_with_its_own_frozen_settings():
    modules = imported_modules(next(path for path in MIGRATIONS if path.stem.startswith("0003_")))

    assert "fsrs" in modules
    assert not {"quizzes.services.review", "quizzes.scoring", "quizzes.services"} & modules
