"""A question's parts come with the query that finds it, exactly as prefetch_related would give them."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import prefetch_related_objects
from django.utils.safestring import SafeString

from quizzes.models import AttemptQuestion, Choice, Question
from quizzes.question_parts import PARTS, parts_install
from quizzes.services.attempts import attempt_start
from tests.factories import (
    MATCHING_STEMS,
    make_hotspot_question,
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db


def found_with_parts(question: Question) -> Question:
    """The question as the tutor and exam views find it: through an attempt's item, its parts installed."""
    attempt = attempt_start(user=make_user(), quiz=question.quiz)
    item = (
        AttemptQuestion.objects.with_question_parts().select_related("question").get(attempt=attempt, question=question)
    )
    parts_install(item.question, item.question_parts)
    return item.question


def prefetched(question: Question) -> Question:
    fresh = Question.objects.get(pk=question.pk)
    prefetch_related_objects([fresh], *PARTS)
    return fresh


def rows(question: Question, part: str) -> list[list[tuple]]:
    """Each row of the part as (column, value, type of value): equal only if read alike."""
    return [
        [
            (field.attname, getattr(row, field.attname), type(getattr(row, field.attname)))
            for field in row._meta.concrete_fields
        ]
        for row in getattr(question, part).all()
    ]


def assert_read_as_prefetched(question: Question) -> Question:
    found = found_with_parts(question)
    expected = prefetched(question)
    for part in PARTS:
        assert rows(found, part) == rows(expected, part), part
    return found


def test_options_come_in_their_order_with_their_weights_rationales_and_retirement(django_assert_num_queries):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, options=[("Right", True), ("Wrong", False), ("Half", False)])
    first, second, third = question.choices.order_by("pk")
    Choice.objects.filter(pk=first.pk).update(order=5, weight=Decimal("1"))
    Choice.objects.filter(pk=third.pk).update(order=0, weight=Decimal("0.5"), retired=True)

    found = assert_read_as_prefetched(question)

    options = found.choices.all()
    assert [option.pk for option in options] == [third.pk, second.pk, first.pk]
    assert options[0].weight == Decimal("0.50") and options[0].retired is True
    assert isinstance(options[0].rationale_html, SafeString) and "<p>" in options[0].rationale_html
    with django_assert_num_queries(0):
        assert all(option.question is found for option in options)


def test_sources_come_ordered_by_title_with_their_dates_and_only_the_questions_own():
    quiz = make_quiz(questions=0)
    later = make_source(title="Zeta review", published_on=datetime.date(2024, 3, 1), url="https://example.org/z")
    earlier = make_source(title="Alpha atlas", doi="10.1000/xyz")
    question = make_question(quiz=quiz, sources=[later, earlier])
    make_question(quiz=quiz, order=2, sources=[make_source(title="Another question's source")])

    found = assert_read_as_prefetched(question)

    assert [source.title for source in found.sources.all()] == ["Alpha atlas", "Zeta review"]
    assert found.sources.all()[1].published_on == datetime.date(2024, 3, 1)


def test_a_hotspot_questions_regions_come_with_their_geometry_and_feedback():
    found = assert_read_as_prefetched(make_hotspot_question(quiz=make_quiz(questions=0)))

    (region,) = found.regions.all()
    assert region.geometry == {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.1}
    assert "<strong>cavitating</strong>" in region.feedback_html
    assert found.choices.all() == [] and found.match_stems.all() == []


def test_a_short_answers_accepted_answers_and_a_matching_questions_stems_come_as_prefetched():
    quiz = make_quiz(questions=0)

    typed = assert_read_as_prefetched(make_short_answer_question(quiz=quiz))
    matching = assert_read_as_prefetched(make_matching_question(quiz=quiz, order=2))

    assert [answer.weight for answer in typed.accepted_answers.all()][:4] == [Decimal("1.00")] * 3 + [Decimal("0.50")]
    assert [stem.text for stem in matching.match_stems.all()] == [text for text, _ in MATCHING_STEMS]
    assert {stem.answer_id for stem in matching.match_stems.all()} <= {option.pk for option in matching.choices.all()}
