"""Question-bank imports as jobs (BankImport): the uploaded file is stored once, checked (the dry run's
report says what the import will do), then imported from the stored file, never a second upload.

Banks over BACKGROUND_IMPORT_BYTES import in the background (quizzes/tasks.py, run by the tasks worker:
docs/deployment.md); the import page shows each job's state and report.
"""

import logging
import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from quizzes.bank import BankInvalid
from quizzes.bank.upload import BACKGROUND_IMPORT_BYTES, COMPLETE_FORMATS, read_bank_upload
from quizzes.models import BankImport, User
from quizzes.services.content import ChangeBy, quiz_pack_plan, quiz_packs_import, quiz_report

logger = logging.getLogger(__name__)


class ImportNotStartable(Exception):
    """The job was refused at its check, or is importing or imported already; the message says which."""


def bank_import_check(
    *, name: str, data: bytes, bank_format: str, user: User | None, slug: str = "", title: str = "", topic: str = ""
) -> BankImport:
    """Store the upload and check it: the job's report lists every problem, or every quiz and question
    as it will be imported and every change to a quiz that exists. Saves nothing else."""
    bank_import = BankImport(
        original_name=name[:255],
        bank_format=bank_format,
        size=len(data),
        quiz_slug=slug,
        quiz_title=title,
        quiz_topic=topic,
        uploaded_by=user,
    )
    # A random stored name: nothing an uploader typed becomes a path.
    suffix = PurePosixPath(name).suffix.lower()[:10]
    bank_import.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    try:
        with read_bank_upload(name=name, data=data, **upload_fields(bank_import)) as bank:
            complete = bank_format in COMPLETE_FORMATS
            bank_import.report = {
                "quizzes": [quiz_report(quiz_pack_plan(pack=pack, complete=complete)) for pack in bank.packs]
            }
    except BankInvalid as invalid:
        bank_import.report = {"problems": [str(problem) for problem in invalid.problems]}
        bank_import.state = BankImport.State.FAILED
        bank_import.finished_at = timezone.now()
    bank_import.save()
    return bank_import


def bank_import_start(*, bank_import: BankImport) -> BankImport:
    """Import a checked bank: now if it is small, else in the background (the job is queued)."""
    background = bank_import.size > BACKGROUND_IMPORT_BYTES
    state = BankImport.State.QUEUED if background else BankImport.State.RUNNING
    # Only a checked job starts, once: a second click finds it taken.
    if not BankImport.objects.filter(pk=bank_import.pk, state=BankImport.State.CHECKED).update(state=state):
        bank_import.refresh_from_db()
        raise ImportNotStartable(f"This bank cannot be imported now: it is {bank_import.get_state_display().lower()}.")
    if background:
        from quizzes.tasks import bank_import_task  # quizzes/tasks.py imports this module

        transaction.on_commit(lambda: bank_import_task.enqueue(bank_import.pk))
    else:
        bank_import_run(bank_import_id=bank_import.pk)
    bank_import.refresh_from_db()
    return bank_import


def bank_import_run(*, bank_import_id: int) -> None:
    """Import the job's stored file, all of it or nothing, and record what was done or why it failed."""
    BankImport.objects.filter(pk=bank_import_id).update(state=BankImport.State.RUNNING)
    bank_import = BankImport.objects.get(pk=bank_import_id)
    try:
        with bank_import.file.open("rb") as stored:
            data = stored.read()
        with read_bank_upload(name=bank_import.original_name, data=data, **upload_fields(bank_import)) as bank:
            reports = quiz_packs_import(
                packs=bank.packs,
                images_dir=bank.images_dir,
                complete=bank_import.bank_format in COMPLETE_FORMATS,
                change_by=ChangeBy(user=bank_import.uploaded_by, via=f"Bank import of {bank_import.original_name}"),
            )
    except BankInvalid as invalid:
        failed(bank_import, [str(problem) for problem in invalid.problems])
    except ValidationError as refused:  # an image of a quiz pack that the upload checks refuse
        failed(bank_import, refused.messages)
    except (DatabaseError, ProtectedError, ValueError, OSError) as error:
        # Nothing was saved (one transaction). The educator is told; the details go to the log.
        logger.exception("Bank import %s failed", bank_import_id)
        failed(bank_import, [f"The import failed and nothing was saved ({type(error).__name__}): {error}"])
    else:
        bank_import.report = bank_import.report | {"imported": reports}
        bank_import.state = BankImport.State.DONE
        bank_import.finished_at = timezone.now()
        bank_import.save(update_fields=["report", "state", "finished_at"])


def failed(bank_import: BankImport, problems: list[str]) -> None:
    bank_import.report = bank_import.report | {"problems": problems}
    bank_import.state = BankImport.State.FAILED
    bank_import.finished_at = timezone.now()
    bank_import.save(update_fields=["report", "state", "finished_at"])


def upload_fields(bank_import: BankImport) -> dict:
    return {
        "bank_format": bank_import.bank_format,
        "slug": bank_import.quiz_slug,
        "title": bank_import.quiz_title,
        "topic": bank_import.quiz_topic,
    }
