"""Work done in the background by the tasks worker (`manage.py db_worker`; docs/deployment.md)."""

from django.tasks import task

from quizzes.services.bank_imports import bank_import_run


@task
def bank_import_task(bank_import_id: int) -> None:
    """Import a checked bank that is too large to import within a request."""
    bank_import_run(bank_import_id=bank_import_id)
