"""Saving parsed question banks: create or update topics, sources, quizzes, questions, options."""

from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from quizzes.bank.quizpack import PackQuestion, PackQuiz
from quizzes.models import Choice, HotspotRegion, Question, Quiz, Source, Topic
from quizzes.services.questions import question_image_set, question_regions_set


@transaction.atomic
def quiz_packs_save(*, packs: list[PackQuiz], images_dir: Path) -> list[Quiz]:
    """Save every pack or, if any fails, none. Saving the same packs again changes nothing."""
    return [quiz_pack_save(pack=pack, images_dir=images_dir) for pack in packs]


@transaction.atomic
def quiz_pack_save(*, pack: PackQuiz, images_dir: Path) -> Quiz:
    topic, _ = Topic.objects.get_or_create(name=pack.topic, defaults={"slug": slugify(pack.topic)})
    sources = {}
    for source in pack.sources:
        sources[source.key], _ = Source.objects.update_or_create(
            key=source.key,
            defaults={
                "title": source.title,
                "publisher": source.publisher,
                "published_on": source.published_on,
                "url": source.url,
                "doi": source.doi,
            },
        )
    quiz, _ = Quiz.objects.update_or_create(
        slug=pack.slug,
        defaults={
            "title": pack.title,
            "description": pack.description,
            "topic": topic,
            "kind": pack.kind,
            "status": pack.status,
            "order": pack.order,
            "exam_minutes": pack.exam_minutes,
        },
    )
    keys = [question.key for question in pack.questions]
    quiz.questions.exclude(key__in=keys).delete()
    for order, item in enumerate(pack.questions, start=1):
        question_save(
            quiz=quiz, item=item, order=order, sources=[sources[key] for key in item.sources], images_dir=images_dir
        )
    return quiz


def question_save(*, quiz: Quiz, item: PackQuestion, order: int, sources: list[Source], images_dir: Path) -> Question:
    # The database refuses a hotspot question without its image, so a new one starts as a plain question
    # and becomes a hotspot question once its image is stored.
    is_hotspot = item.kind == Question.Kind.HOTSPOT
    question, _ = Question.objects.update_or_create(
        quiz=quiz,
        key=item.key,
        defaults={
            "order": order,
            "kind": Question.Kind.SINGLE if is_hotspot else item.kind,
            "stage": item.stage,
            "stem": item.stem,
            "explanation": item.explanation,
            "learning_point": item.learning_point,
            "allow_no_abnormality": item.allow_no_abnormality,
        },
    )
    if item.image_file:
        image_file = images_dir / item.image_file
        question_image_set(
            question=question, data=image_file.read_bytes(), name=f"{quiz.slug}-{image_file.name}", alt=item.image_alt
        )
    elif question.image:
        question_image_set(question=question, data=None)
    if is_hotspot:
        question.kind = Question.Kind.HOTSPOT
        question.save(update_fields=["kind"])
    question_regions_set(
        question=question,
        regions=[{"shape": r.shape, "geometry": r.geometry, "feedback": r.feedback} for r in item.regions],
    )
    question.sources.set(sources)
    # Options are matched by position, so a past response keeps pointing at the option it chose.
    existing = list(question.choices.order_by("order", "pk"))
    for position, option in enumerate(item.options):
        values = {"text": option.text, "is_correct": option.correct, "rationale": option.rationale, "order": position}
        if position < len(existing):
            choice = existing[position]
            if any(getattr(choice, name) != value for name, value in values.items()):
                Choice.objects.filter(pk=choice.pk).update(**values)
        else:
            Choice.objects.create(question=question, **values)
    Choice.objects.filter(pk__in=[choice.pk for choice in existing[len(item.options) :]]).delete()
    return question


def unused_key(model_filter: QuerySet, base: str, field: str = "key") -> str:
    """`base-copy`, or `base-copy-2`, ... whichever is free."""
    candidate, number = f"{base}-copy", 2
    while model_filter.filter(**{field: candidate}).exists():
        candidate, number = f"{base}-copy-{number}", number + 1
    return candidate


@transaction.atomic
def question_duplicate(*, question: Question, quiz: Quiz | None = None) -> Question:
    """Copy a question with its options, sources and image into `quiz` (by default its own)."""
    quiz = quiz or question.quiz
    copy = Question.objects.get(pk=question.pk)
    copy.pk = None
    copy.quiz = quiz
    if quiz == question.quiz:
        copy.key = unused_key(quiz.questions.all(), question.key)
        copy.order = question.order
    copy.save()
    copy.sources.set(question.sources.all())
    Choice.objects.bulk_create(
        Choice(question=copy, text=c.text, is_correct=c.is_correct, rationale=c.rationale, order=c.order)
        for c in question.choices.all()
    )
    HotspotRegion.objects.bulk_create(
        HotspotRegion(question=copy, shape=r.shape, geometry=r.geometry, feedback=r.feedback, order=r.order)
        for r in question.regions.all()
    )
    return copy


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz) -> Quiz:
    """Copy a quiz and all its questions as a new draft."""
    copy = Quiz.objects.get(pk=quiz.pk)
    copy.pk = None
    copy.slug = unused_key(Quiz.objects.all(), quiz.slug, field="slug")
    copy.title = f"{quiz.title} (copy)"
    copy.status = Quiz.Status.DRAFT
    copy.save()
    for question in quiz.questions.prefetch_related("choices", "sources"):
        question_duplicate(question=question, quiz=copy)
    return copy
