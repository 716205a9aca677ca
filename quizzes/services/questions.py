"""Changes to a single question that take more than a field assignment."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, QuerySet
from django.db.models.fields.files import FieldFile

from quizzes.hotspots import validate_geometry
from quizzes.images import image_prepare
from quizzes.models import AcceptedAnswer, Choice, HotspotRegion, Question
from quizzes.stored_files import file_attach, files_remove_on_commit


def stored_bytes(field: FieldFile) -> bytes | None:
    if not field or not field.storage.exists(field.name):
        return None
    with field.storage.open(field.name, "rb") as stored:
        return stored.read()


@transaction.atomic
def question_image_set(*, question: Question, data: bytes | None, name: str = "", alt: str = "") -> Question:
    """Attach a validated, re-encoded image (and its thumbnail) to the question, or remove it.

    Raises ValidationError, changing nothing, when `data` is not an acceptable image.
    Setting the same image again leaves the stored files as they are. The new files are written,
    and the old ones removed, when the transaction commits (quizzes/stored_files.py): an import that
    fails after this leaves every file as it was.
    """
    replaced = [field.name for field in (question.image, question.thumbnail) if field]
    if data is None:
        question.image = question.thumbnail = ""
        question.image_alt = ""
        question.save(update_fields=["image", "thumbnail", "image_alt"])
        files_remove_on_commit(storage=question.image.storage, names=replaced)
        return question
    prepared = image_prepare(data, name)
    question.image_alt = alt or question.image_alt
    if stored_bytes(question.image) == prepared.image.read() and question.thumbnail:
        question.save(update_fields=["image_alt"])
        return question
    file_attach(instance=question, field_name="image", content=prepared.image)
    file_attach(instance=question, field_name="thumbnail", content=prepared.thumbnail)
    question.save(update_fields=["image", "thumbnail", "image_alt"])
    files_remove_on_commit(storage=question.image.storage, names=replaced)
    return question


@transaction.atomic
def question_regions_set(*, question: Question, regions: Sequence[Mapping]) -> list[HotspotRegion]:
    """Replace the question's target regions with `regions`, in order: each {"shape", "geometry", "feedback"}.

    Raises ValueError, changing nothing, if any region's geometry is invalid (callers show educators
    the problems first; this keeps a bad region out of the database whatever the caller).
    """
    for number, region in enumerate(regions, start=1):
        problems = validate_geometry(region["shape"], region["geometry"])
        if problems:
            raise ValueError(f"Region {number}: {' '.join(problems)}")
    question.regions.all().delete()
    return HotspotRegion.objects.bulk_create(
        HotspotRegion(
            question=question,
            shape=region["shape"],
            geometry=dict(region["geometry"]),
            feedback=region.get("feedback", "").strip(),
            order=order,
        )
        for order, region in enumerate(regions)
    )


def options_withdraw(*, options: QuerySet[Choice]) -> None:
    """Take these options off their question: deleted, or retired (no longer offered) where trainees chose
    them, so that every recorded answer keeps its option (ResponseChoice protects it)."""
    chosen = options.chosen_in_responses()
    chosen.update(retired=True)
    options.exclude(pk__in=chosen.values("pk")).delete()


def accepted_answer_add(*, question: Question, text: str, weight: Decimal = Decimal(1)) -> AcceptedAnswer:
    """Accept one more typed answer for a short-answer question (the item analysis's one click), after
    its others. Answers already given keep their marks: responses are not rescored.

    Raises ValueError, adding nothing, for a question of another kind or an answer with no text.
    """
    if not question.is_short_answer:
        raise ValueError("Only short-answer questions have accepted answers.")
    if not text.strip():
        raise ValueError("An accepted answer needs some text.")
    last = question.accepted_answers.aggregate(last=Max("order"))["last"]
    return AcceptedAnswer.objects.create(
        question=question, text=text.strip(), weight=weight, order=0 if last is None else last + 1
    )
