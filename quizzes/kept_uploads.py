"""Uploads kept across a refused form: held in storage under pending/, named to the next request by a
signed token in a hidden field, used by the save that succeeds and removed then (or, abandoned, by
media_orphans once a day old).

A browser cannot refill a file input, so without this every refused save would make the educator choose
the file again. The stored name is random and the token signed (django.core.signing): a posted token
can only name a file this site held, never another stored file. Everything goes through the storage
API, like quizzes/stored_files.py.
"""

import datetime
import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

PENDING_FOLDER = "pending"
# A token outlives no file: media_orphans removes held files this old, and tokens expire with them.
KEPT_FOR = datetime.timedelta(days=1)
SALT = "quizzes.kept_uploads"


@dataclass(frozen=True)
class KeptUpload:
    stored_name: str  # in default_storage, under pending/
    filename: str  # as the educator chose it: shown to them, and it tells a bank's format
    token: str  # signed, for the hidden field that names it to the next request


def upload_keep(*, filename: str, data: bytes) -> KeptUpload:
    """Hold these bytes in storage until a save uses them, and return what names them."""
    stored_name = default_storage.save(f"{PENDING_FOLDER}/{secrets.token_urlsafe(24)}", ContentFile(data))
    filename = PurePosixPath(filename).name[:255]
    return KeptUpload(stored_name, filename, signing.dumps({"name": stored_name, "filename": filename}, salt=SALT))


def upload_kept(token: str | None) -> KeptUpload | None:
    """The upload a token names, or None when the token is missing, forged, expired or its file gone."""
    if not token:
        return None
    try:
        held = signing.loads(token, salt=SALT, max_age=KEPT_FOR)
    except signing.BadSignature:
        return None
    if not default_storage.exists(held["name"]):
        return None
    return KeptUpload(held["name"], held["filename"], token)


def kept_upload_read(kept: KeptUpload) -> bytes:
    with default_storage.open(kept.stored_name, "rb") as stored:
        return stored.read()


def kept_upload_release(kept: KeptUpload) -> None:
    """Remove the held file once the save that used it commits (a rolled-back save may try again)."""
    transaction.on_commit(lambda: default_storage.delete(kept.stored_name), robust=True)


class KeptFileInput(AdminFileWidget):
    """A file input that shows the file kept from the last try beside it, with the hidden token that
    names it (`<name>_kept`); `kept` and `kept_preview_url` are set on the form's own widget."""

    template_name = "quizzes/widgets/kept_file_input.html"
    # The admin would put the input in a fieldset named by a legend, which leaves the input itself unnamed.
    use_fieldset = False
    kept: KeptUpload | None = None
    kept_preview_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"] |= {
            "kept": self.kept,
            "kept_name": kept_field_name(name),
            "kept_preview_url": self.kept_preview_url,
        }
        return context


def kept_field_name(name: str) -> str:
    return f"{name}_kept"


@dataclass(frozen=True)
class ChosenFile:
    filename: str
    data: bytes


class KeptUploadForm:
    """Form mixin: the file field named `kept_field` (with a KeptFileInput) survives a refused submission.

    clean() calls chosen_upload() for the file to use; the view calls upload_hold() when it shows the form
    again after a refusal, and upload_release() once a save has used the file.
    """

    kept_field: str
    kept: KeptUpload | None = None
    chosen: ChosenFile | None = None

    def chosen_upload(self) -> ChosenFile | None:
        """The file chosen now, else the one kept from the last try (a new choice replaces the kept one)."""
        name = self.add_prefix(self.kept_field)
        upload = self.files.get(name)
        self.kept = None if upload else upload_kept(self.data.get(kept_field_name(name)))
        if upload:
            upload.seek(0)
            self.chosen = ChosenFile(upload.name, upload.read())
        elif self.kept:
            self.chosen = ChosenFile(self.kept.filename, kept_upload_read(self.kept))
        else:
            self.chosen = None
        return self.chosen

    def upload_hold(self) -> KeptUpload:
        """Keep the chosen file for the next submission and show it beside its field."""
        if self.kept is None:
            self.kept = upload_keep(filename=self.chosen.filename, data=self.chosen.data)
        self.upload_show(self.kept)
        return self.kept

    def upload_show(self, kept: KeptUpload) -> None:
        self.kept = kept
        self.fields[self.kept_field].widget.kept = kept

    def upload_release(self) -> None:
        if self.kept is not None:
            kept_upload_release(self.kept)
