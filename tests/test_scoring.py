"""The rules of scoring: what each kind of answer is worth, which clicks hit a target, and which rating
an answer gives its review card. Plain functions: these tests need no database except to build a question."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from quizzes.models import POINTS_PER_QUESTION, Choice, HotspotRegion, Question, ReviewCard
from quizzes.scoring import (
    RULES,
    Answer,
    Scored,
    accepted_answer_matched,
    answer_scored,
    first_intervals,
    model_answer,
    partial_credit,
    rating_for,
    regions_hit,
)
from tests.factories import (
    make_hotspot_question,
    make_matching_question,
    make_question,
    make_short_answer_question,
    questions_of,
    right_choices,
    stem_answers,
    wrong_choices,
)

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


def scored(question, *chosen) -> Scored:
    return answer_scored(question=question, answer=Answer(chosen=chosen))


def weighted_question(quiz, kind, weights):
    """A question whose options A, B, C... carry these weights (right when the weight is positive)."""
    options = [(chr(ord("A") + n), Decimal(w) > 0) for n, w in enumerate(weights)]
    question = make_question(quiz=quiz, order=9, kind=kind, options=options)
    for choice, weight in zip(question.choices.all(), weights, strict=True):
        Choice.objects.filter(pk=choice.pk).update(weight=Decimal(weight))
    return Question.objects.prefetch_related("choices").get(pk=question.pk)


@pytest.mark.django_db
def test_a_weighted_single_answer_earns_the_chosen_options_weight_never_below_zero(quiz):
    question = weighted_question(quiz, Question.Kind.SINGLE, ["1", "0.5", "-0.25", "0"])
    a, b, c, d = question.choices.all()

    assert scored(question, a) == Scored(True, 10)
    assert scored(question, b) == Scored(False, 5)
    assert scored(question, c) == Scored(False, 0)
    assert scored(question, d) == Scored(False, 0)
    assert scored(question) == Scored(False, 0)


@pytest.mark.django_db
def test_a_weighted_multiple_answer_earns_the_sum_of_its_weights_within_zero_and_full_marks(quiz):
    question = weighted_question(quiz, Question.Kind.MULTIPLE, ["0.5", "0.5", "-0.5", "-1"])
    a, b, c, d = question.choices.all()

    assert scored(question, a, b) == Scored(True, 10)
    assert scored(question, a) == Scored(False, 5)
    assert scored(question, a, b, c) == Scored(False, 5)
    assert scored(question, a, c) == Scored(False, 0)
    assert scored(question, a, d) == Scored(False, 0)


@pytest.mark.django_db
def test_moodles_thirds_add_up_to_full_marks_and_weights_over_full_marks_are_capped(quiz):
    thirds = weighted_question(quiz, Question.Kind.MULTIPLE, ["0.3333333", "0.3333333", "0.3333333", "-1"])
    generous = make_question(quiz=quiz, order=10, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True)])
    generous.choices.update(weight=Decimal("0.75"))
    generous = Question.objects.prefetch_related("choices").get(pk=generous.pk)

    assert answer_scored(question=thirds, answer=Answer(chosen=list(thirds.choices.all())[:3])) == Scored(True, 10)
    assert answer_scored(question=thirds, answer=Answer(chosen=list(thirds.choices.all())[:2])) == Scored(False, 6)
    assert answer_scored(question=generous, answer=Answer(chosen=list(generous.choices.all()))) == Scored(True, 10)


@pytest.mark.django_db
def test_a_retired_option_weighs_nothing_and_is_not_needed_for_full_marks(quiz):
    question = make_question(
        quiz=quiz, order=9, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)]
    )
    a, b, _c = question.choices.all()
    Choice.objects.filter(pk=b.pk).update(retired=True)
    question = Question.objects.prefetch_related("choices").get(pk=question.pk)

    assert answer_scored(question=question, answer=Answer(chosen=[a])) == Scored(True, 10)


@pytest.mark.django_db
def test_the_database_refuses_a_weight_outside_minus_one_to_one(quiz):
    choice = questions_of(quiz)[0].choices.first()
    choice.weight = Decimal("1.5")

    with pytest.raises(IntegrityError):
        choice.save()


def scored_as_before(question: Question, chosen: set[int]) -> Scored:
    """The rules as they were before weights (frozen here): single answers all or nothing, multiple
    select 10 x (right chosen - wrong chosen) / right options, rounded down, never below 0."""
    right = {choice.pk for choice in question.choices.all() if choice.is_correct}
    if question.kind != Question.Kind.MULTIPLE or not right:
        return Scored(chosen == right, 10 if chosen == right else 0)
    points = max(0, 10 * (len(chosen & right) - len(chosen - right)) // len(right))
    return Scored(chosen == right, points)


@pytest.mark.django_db
def test_every_possible_answer_to_every_bundled_question_scores_as_before_weights():
    call_command("load_content", verbosity=0)
    # The kinds there were before weights: those answered by ticking options.
    kinds = [Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE]
    questions = Question.objects.filter(kind__in=kinds).prefetch_related("choices", "regions")
    answers = 0
    for question in questions:
        choices = list(question.choices.all())
        assert all(choice.weight is None for choice in choices)
        for size in range(len(choices) + 1):
            for chosen in itertools.combinations(choices, size):
                if question.kind != Question.Kind.MULTIPLE and size > 1:
                    continue  # a single answer's form takes one option
                expected = scored_as_before(question, {choice.pk for choice in chosen})
                assert answer_scored(question=question, answer=Answer(chosen=chosen)) == expected, question.key
                answers += 1
    assert answers > 100


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


# --- Short answer and extended matching --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected", "matched"),
    [
        ("Miliary metastases.", Scored(True, 10), "miliary metastases"),
        ("millary metastases", Scored(True, 10), "miliary metastases"),
        ("hematogenous metastases", Scored(True, 10), "hematogenous metastases"),
        ("metastases", Scored(False, 5), "metastases"),
        ("military", Scored(False, 0), "military"),
        ("sarcoidosis", Scored(False, 0), None),
    ],
)
def test_a_short_answer_earns_the_weight_of_the_accepted_answer_it_matches(quiz, typed, expected, matched):
    question = questions_of_kind(make_short_answer_question(quiz=quiz, order=9))

    assert answer_scored(question=question, answer=Answer(typed=typed)) == expected
    found = accepted_answer_matched(question, typed)
    assert (found.text if found else None) == matched


@pytest.mark.django_db
def test_a_short_answer_with_slips_turned_off_must_match_exactly(quiz):
    question = questions_of_kind(make_short_answer_question(quiz=quiz, order=9, forgive_typos=False))

    assert answer_scored(question=question, answer=Answer(typed="millary metastases")) == Scored(False, 0)
    assert answer_scored(question=question, answer=Answer(typed="MILIARY METASTASES")) == Scored(True, 10)


@pytest.mark.django_db
def test_a_case_sensitive_short_answer_minds_capitals(quiz):
    accepted = [("CT", "1", "")]
    sensitive = questions_of_kind(
        make_short_answer_question(quiz=quiz, order=9, accepted=accepted, case_sensitive=True)
    )
    insensitive = questions_of_kind(make_short_answer_question(quiz=quiz, order=10, accepted=accepted))

    assert answer_scored(question=sensitive, answer=Answer(typed="ct")) == Scored(False, 0)
    assert answer_scored(question=insensitive, answer=Answer(typed="ct")) == Scored(True, 10)


@pytest.mark.django_db
def test_the_model_answer_is_the_first_full_weight_answer_without_a_wildcard(quiz):
    question = questions_of_kind(
        make_short_answer_question(
            quiz=quiz,
            order=9,
            accepted=[("metastases", "0.5", ""), ("miliary metasta*", "1", ""), ("miliary", "1", "")],
        )
    )

    assert model_answer(question).text == "miliary"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("right", "expected"),
    [(4, Scored(True, 10)), (3, Scored(False, 7)), (2, Scored(False, 5)), (1, Scored(False, 2)), (0, Scored(False, 0))],
)
def test_a_matching_answer_earns_points_in_proportion_to_the_stems_matched(quiz, right, expected):
    question = questions_of_kind(make_matching_question(quiz=quiz, order=9))

    assert answer_scored(question=question, answer=Answer(matches=stem_answers(question, right=right))) == expected


@pytest.mark.django_db
def test_a_stem_left_unanswered_is_a_stem_not_matched(quiz):
    question = questions_of_kind(make_matching_question(quiz=quiz, order=9))
    answers = stem_answers(question)
    first_stem = next(iter(answers))
    del answers[first_stem]

    assert answer_scored(question=question, answer=Answer(matches=answers)) == Scored(False, 7)
    assert answer_scored(question=question, answer=Answer()) == Scored(False, 0)


def questions_of_kind(question):
    """The question again, with what its kind's rule reads prefetched."""
    return Question.objects.prefetch_related("choices", "accepted_answers", "match_stems").get(pk=question.pk)
