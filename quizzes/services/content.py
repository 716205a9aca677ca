"""Saving parsed question banks: create or update topics, sources, quizzes, questions, options."""

from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from quizzes.bank.quizpack import PackQuestion, PackQuiz
from quizzes.models import Choice, Question, Quiz, Source, Topic


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
            defaults={"title": source.title, "publisher": source.publisher,
                      "published_on": source.published_on, "url": source.url, "doi": source.doi},
        )
    quiz, _ = Quiz.objects.update_or_create(
        slug=pack.slug,
        defaults={"title": pack.title, "description": pack.description, "topic": topic,
                  "kind": pack.kind, "status": pack.status, "order": pack.order},
    )
    keys = [question.key for question in pack.questions]
    quiz.questions.exclude(key__in=keys).delete()
    for order, item in enumerate(pack.questions, start=1):
        question_save(quiz=quiz, item=item, order=order, sources=[sources[key] for key in item.sources],
                      images_dir=images_dir)
    return quiz


def question_save(*, quiz: Quiz, item: PackQuestion, order: int, sources: list[Source], images_dir: Path) -> Question:
    question, _ = Question.objects.update_or_create(
        quiz=quiz, key=item.key,
        defaults={"order": order, "kind": item.kind, "stage": item.stage, "stem": item.stem,
                  "explanation": item.explanation, "learning_point": item.learning_point,
                  "image_alt": item.image_alt},
    )
    image_attach(question=question, file=images_dir / item.image_file if item.image_file else None)
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
    Choice.objects.filter(pk__in=[choice.pk for choice in existing[len(item.options):]]).delete()
    return question


def image_attach(*, question: Question, file: Path | None) -> None:
    if file is None:
        if question.image:
            question.image = ""
            question.save(update_fields=["image"])
        return
    data = file.read_bytes()
    if question.image and question.image.storage.exists(question.image.name):
        with question.image.open("rb") as stored:
            if stored.read() == data:
                return
    question.image.save(f"{question.quiz.slug}-{file.name}", ContentFile(data), save=True)
