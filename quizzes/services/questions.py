"""Changes to a single question that take more than a field assignment."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.db.models.fields.files import FieldFile

from quizzes.hotspots import validate_geometry
from quizzes.images import image_prepare
from quizzes.models import AcceptedAnswer, Choice, HotspotRegion, MatchStem, Question
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
    return stored_image_set(row=question, data=data, name=name, alt=alt, thumbnail=True)


@transaction.atomic
def match_stem_image_set(*, stem: MatchStem, data: bytes | None, name: str = "", alt: str = "") -> MatchStem:
    """A matching stem's image, set or removed as question_image_set does a question's (a stem's image has
    no thumbnail: it is shown beside its vignette at its own size)."""
    return stored_image_set(row=stem, data=data, name=name, alt=alt, thumbnail=False)


def stored_image_set[Row: Question | MatchStem](
    *, row: Row, data: bytes | None, name: str, alt: str, thumbnail: bool
) -> Row:
    fields = ["image", "thumbnail"] if thumbnail else ["image"]
    replaced = [getattr(row, field).name for field in fields if getattr(row, field)]
    if data is None:
        for field in fields:
            setattr(row, field, "")
        row.image_alt = ""
        row.save(update_fields=[*fields, "image_alt"])
        files_remove_on_commit(storage=row.image.storage, names=replaced)
        return row
    prepared = image_prepare(data, name)
    row.image_alt = alt or row.image_alt
    if stored_bytes(row.image) == prepared.image.read() and (not thumbnail or row.thumbnail):
        row.save(update_fields=["image_alt"])
        return row
    file_attach(instance=row, field_name="image", content=prepared.image)
    if thumbnail:
        file_attach(instance=row, field_name="thumbnail", content=prepared.thumbnail)
    row.save(update_fields=[*fields, "image_alt"])
    files_remove_on_commit(storage=row.image.storage, names=replaced)
    return row


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
    them or a matching stem still names them, so that every recorded answer keeps its option
    (ResponseChoice and ResponseMatch protect it, and a stem restricts its answer)."""
    in_use = options.chosen_in_responses() | options.filter(Exists(MatchStem.objects.filter(answer=OuterRef("pk"))))
    in_use.update(retired=True)
    options.exclude(pk__in=in_use.values("pk")).delete()


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
