"""The rules of scoring: what each kind of answer is worth, which clicks hit a target, and which rating
an answer gives its review card. Plain functions: these tests need no database except to build a question."""

import datetime

import pytest

from quizzes.models import POINTS_PER_QUESTION, HotspotRegion, Question, ReviewCard
from quizzes.scoring import (
    RULES,
    Answer,
    Scored,
    answer_scored,
    first_intervals,
    partial_credit,
    rating_for,
    regions_hit,
)
from tests.factories import make_hotspot_question, make_question, right_choices, wrong_choices

Rating = ReviewCard.Rating


def test_every_kind_of_question_has_a_scoring_rule():
    assert set(RULES) == set(Question.Kind.values)


@pytest.mark.parametrize(
    ("right_chosen", "wrong_chosen", "right_options", "points"),
    [(2, 0, 2, 10), (1, 0, 2, 5), (2, 1, 2, 5), (1, 1, 2, 0), (2, 2, 2, 0), (1, 0, 3, 3), (2, 0, 3, 6), (0, 3, 3, 0)],
)
def test_partial_credit_is_rounded_down_and_never_below_zero(right_chosen, wrong_chosen, right_options, points):
    assert partial_credit(right_chosen=right_chosen, wrong_chosen=wrong_chosen, right_options=right_options) == points


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Question.Kind.SINGLE, Question.Kind.TRUE_FALSE])
def test_a_single_answer_is_all_or_nothing(quiz, kind):
    options = [("True", True), ("False", False)] if kind == Question.Kind.TRUE_FALSE else None
    question = make_question(quiz=quiz, order=9, kind=kind, options=options)

    right = answer_scored(question=question, answer=Answer(chosen=right_choices(question)))
    wrong = answer_scored(question=question, answer=Answer(chosen=wrong_choices(question)[:1]))
    nothing = answer_scored(question=question, answer=Answer())

    assert (right, wrong, nothing) == (Scored(True, POINTS_PER_QUESTION), Scored(False, 0), Scored(False, 0))


@pytest.mark.django_db
def test_multiple_select_is_correct_only_with_exactly_the_right_options_and_otherwise_earns_partial_credit(quiz):
    question = make_question(
        quiz=quiz, order=9, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)]
    )
    a, b, c = question.choices.all()

    def scored(*chosen):
        return answer_scored(question=question, answer=Answer(chosen=chosen))

    assert scored(a, b) == Scored(True, 10)
    assert scored(a) == Scored(False, 5)
    assert scored(a, b, c) == Scored(False, 5)
    assert scored(a, c) == Scored(False, 0)


@pytest.mark.django_db
def test_a_hotspot_click_inside_a_target_is_right_and_no_abnormality_is_right_only_without_targets(quiz):
    with_target = make_hotspot_question(quiz=quiz, order=8)
    without = make_hotspot_question(quiz=quiz, order=9, regions=(), allow_no_abnormality=True)

    assert answer_scored(question=with_target, answer=Answer(point=(0.5, 0.5))) == Scored(True, 10)
    assert answer_scored(question=with_target, answer=Answer(point=(0.9, 0.9))) == Scored(False, 0)
    assert answer_scored(question=with_target, answer=Answer(point=None)) == Scored(False, 0)
    assert answer_scored(question=without, answer=Answer(point=None)) == Scored(True, 10)
    assert answer_scored(question=without, answer=Answer(point=(0.5, 0.5))) == Scored(False, 0)


def test_regions_hit_are_every_target_that_holds_the_click():
    left = HotspotRegion(shape="ellipse", geometry={"cx": 0.3, "cy": 0.5, "rx": 0.2, "ry": 0.2})
    right = HotspotRegion(shape="ellipse", geometry={"cx": 0.6, "cy": 0.5, "rx": 0.2, "ry": 0.2})

    assert regions_hit([left, right], (0.45, 0.5)) == [left, right]
    assert regions_hit([left, right], (0.2, 0.5)) == [left]
    assert regions_hit([left, right], (0.95, 0.05)) == []
    assert regions_hit([left, right], None) == []


@pytest.mark.parametrize(
    ("is_correct", "confidence", "rating"),
    [
        (False, "", Rating.AGAIN),
        (False, "high", Rating.AGAIN),
        (True, "low", Rating.HARD),
        (True, "medium", Rating.GOOD),
        (True, "", Rating.GOOD),
        (True, "high", Rating.EASY),
    ],
)
def test_an_answer_rates_its_card_by_correctness_and_confidence(is_correct, confidence, rating):
    assert rating_for(is_correct=is_correct, confidence=confidence) == rating


def test_first_intervals_are_what_the_scoring_page_promises():
    # One learning step of 10 minutes: a wrong answer comes back after it, a right guess (Hard) after
    # 1.5 steps; Good and Easy leave the learning step at once, for days.
    assert first_intervals() == {
        Rating.AGAIN: datetime.timedelta(minutes=10),
        Rating.HARD: datetime.timedelta(minutes=15),
        Rating.GOOD: datetime.timedelta(days=2),
        Rating.EASY: datetime.timedelta(days=8),
    }
