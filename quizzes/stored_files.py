"""Files follow the database: a stored file is written, and a replaced one removed, only once the
transaction whose rows name it commits; files no row names (orphans) are found and removed here.

A rolled-back transaction therefore leaves the media as it was: it wrote nothing and removed nothing.
Everything goes through the storage API, never through paths, so S3 (or any Django storage) can
replace the media folder.
"""

import datetime
from collections.abc import Iterator

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from quizzes.kept_uploads import KEPT_FOR, PENDING_FOLDER


def file_attach(*, instance: models.Model, field_name: str, content: File) -> None:
    """Point instance.<field_name> at a free name for `content`, and write `content` there when the
    current transaction commits. The caller saves the row, in that transaction."""
    field_file: FieldFile = getattr(instance, field_name)
    field = field_file.field
    name = field_file.storage.get_available_name(
        field.generate_filename(instance, content.name), max_length=field.max_length
    )
    field_file.name = name
    model, pk, storage = type(instance), instance.pk, field_file.storage

    def write() -> None:
        saved = storage.save(name, content, max_length=field.max_length)
        if saved != name:
            # Another commit took the name first: this row takes the name its file was given.
            model._default_manager.filter(pk=pk, **{field_name: name}).update(**{field_name: saved})

    transaction.on_commit(write)


def files_remove_on_commit(*, storage: Storage, names: list[str]) -> None:
    """Remove these files once the current transaction commits, unless a row still names them then
    (two rows may share one content-named file). A failure leaves an orphan for media_orphans."""

    def remove() -> None:
        held = referenced_names()
        for name in names:
            if name and name not in held:
                storage.delete(name)

    transaction.on_commit(remove, robust=True)


def referenced_names() -> set[str]:
    """Every file name any row of any model holds in a file field, and the stem images that question
    versions show (a snapshot holds its stems' images by name, not in a file field)."""
    names: set[str] = apps.get_model("quizzes", "QuestionVersion").objects.stem_image_names()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=2000)
                )
    return names


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the storage, walked through listdir (hidden files, such as .gitkeep, left out)."""
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        if not name.startswith("."):
            yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        if not sub.startswith("."):
            yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def orphans(*, storage: Storage = default_storage, older_than: datetime.timedelta) -> list[str]:
    """Files in the storage that no row names, written more than `older_than` ago; uploads kept across
    a refused form (quizzes/kept_uploads.py) only once they are abandoned, as old as their tokens last.

    The storage is listed before the rows are read: a file is written only after its row commits, so
    a file in the listing whose name no row holds afterwards is not waiting for one. The age margin
    covers the moment a renamed file waits for its row's update (file_attach).
    """
    listed = list(stored_names(storage))
    held = referenced_names()
    now = timezone.now()
    cutoff, kept_cutoff = now - older_than, now - max(older_than, KEPT_FOR)
    return [
        name
        for name in listed
        if name not in held
        and storage.get_modified_time(name) <= (kept_cutoff if name.startswith(f"{PENDING_FOLDER}/") else cutoff)
    ]
