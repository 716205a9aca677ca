"""Every model change ships with its migration."""

import io

from django.core.management import call_command


def test_models_have_no_changes_without_a_migration(db):
    out = io.StringIO()
    # --check exits non-zero (SystemExit) and names the changes when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", stdout=out, verbosity=1)
    assert "No changes detected" in out.getvalue()
