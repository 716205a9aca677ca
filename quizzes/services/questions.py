"""Changes to a single question that take more than a field assignment."""

from django.db import transaction

from quizzes.images import image_prepare
from quizzes.models import Question


def stored_bytes(field) -> bytes | None:
    if not field or not field.storage.exists(field.name):
        return None
    with field.storage.open(field.name, "rb") as stored:
        return stored.read()


@transaction.atomic
def question_image_set(*, question: Question, data: bytes | None, name: str = "", alt: str = "") -> Question:
    """Attach a validated, re-encoded image (and its thumbnail) to the question, or remove it.

    Raises ValidationError, changing nothing, when `data` is not an acceptable image.
    Setting the same image again leaves the stored files as they are.
    """
    if data is None:
        for field in (question.image, question.thumbnail):
            if field:
                field.delete(save=False)
        question.image_alt = ""
        question.save(update_fields=["image", "thumbnail", "image_alt"])
        return question
    prepared = image_prepare(data, name)
    question.image_alt = alt or question.image_alt
    if stored_bytes(question.image) == prepared.image.read() and question.thumbnail:
        question.save(update_fields=["image_alt"])
        return question
    for field in (question.image, question.thumbnail):
        if field:
            field.delete(save=False)
    question.image.save(prepared.image.name, prepared.image, save=False)
    question.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    question.save(update_fields=["image", "thumbnail", "image_alt"])
    return question
