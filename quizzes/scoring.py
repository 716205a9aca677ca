"""How an answer scores and how it rates the question's review card: pure rules, no database writes.

Services record what these say; the scoring page (quizzes/templates/quizzes/scoring.html), the admin's
preview and item analysis show it. Each kind of question has one rule in RULES.

The scoring rules:
- every question is worth POINTS_PER_QUESTION (10) points;
- single best answer and true/false: all 10 for the right option, 0 otherwise;
- multiple select: 10 x (right options chosen - wrong options chosen) / right options, rounded
  down, never below 0. Exactly the right options earn all 10, and only they count as "correct";
- hotspot: all 10 for a point inside any target region, or for "No abnormality" when the question
  has no target regions; 0 otherwise;
- an attempt's score is the sum of its responses' points, out of 10 x its questions.

The rating an answer gives its review card (rating_for):
- wrong (including partial credit)       -> Again
- right, confidence "low"                -> Hard
- right, confidence "medium" or not said -> Good
- right, confidence "high"               -> Easy

The scheduler (FSRS, the `fsrs` package) has one learning step and one relearning step of LEARNING_STEP
(10 minutes): a wrong answer, to a new question or to one the trainee had learnt (a lapse), comes back
10 minutes later, within the same session, and a right guess (Hard) on a new question after 1.5 steps
(15 minutes); a right answer then moves the card on to days. Fuzzing is off so that a review's due
date depends only on the card and the rating.
"""

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import fsrs

from quizzes import hotspots
from quizzes.models import POINTS_PER_QUESTION, Choice, HotspotRegion, Question, Response, ReviewCard

type Point = tuple[float, float]


@dataclass(frozen=True)
class Answer:
    """What the trainee gave: the options ticked, and for a hotspot question where they clicked
    (relative to the image), None standing for "No abnormality"."""

    chosen: Collection[Choice] = ()
    point: Point | None = None


class Scored(NamedTuple):
    is_correct: bool
    points: int


def answer_scored(*, question: Question, answer: Answer) -> Scored:
    """Whether an answer to any kind of question is right, and its whole points. `question` must have
    its choices (and, for a hotspot question, its regions) prefetched."""
    return RULES[question.kind](question, answer)


def all_or_nothing(right: bool) -> Scored:
    return Scored(right, POINTS_PER_QUESTION if right else 0)


def single_answer_scored(question: Question, answer: Answer) -> Scored:
    """Single best answer and true/false: right means exactly the right option."""
    return all_or_nothing({choice.pk for choice in answer.chosen} == right_option_ids(question))


def multiple_select_scored(question: Question, answer: Answer) -> Scored:
    """Right means exactly the right options, all of them and nothing else; points are partial credit."""
    right_ids = right_option_ids(question)
    chosen_ids = {choice.pk for choice in answer.chosen}
    if not right_ids:
        return all_or_nothing(not chosen_ids)
    points = partial_credit(
        right_chosen=len(chosen_ids & right_ids), wrong_chosen=len(chosen_ids - right_ids), right_options=len(right_ids)
    )
    return Scored(chosen_ids == right_ids, points)


def partial_credit(*, right_chosen: int, wrong_chosen: int, right_options: int) -> int:
    """Multiple select: POINTS_PER_QUESTION x (right chosen - wrong chosen) / right options, rounded
    down and never below 0. Each wrong pick cancels a right one, so ticking every option earns
    nothing; with two right options one right pick earns 5 of 10, with three 3 and then 6."""
    return max(0, POINTS_PER_QUESTION * (right_chosen - wrong_chosen) // right_options)


def hotspot_scored(question: Question, answer: Answer) -> Scored:
    """A point inside any target region is right; no point ("No abnormality") is right only when the
    question has no target regions."""
    regions = list(question.regions.all())
    if answer.point is None:
        return all_or_nothing(not regions)
    return all_or_nothing(bool(regions_hit(regions, answer.point)))


def regions_hit(regions: Iterable[HotspotRegion], point: Point | None) -> list[HotspotRegion]:
    """The target regions that hold the point (none for no point): the one hit test of a click."""
    if point is None:
        return []
    return [region for region in regions if hotspots.contains(region.shape, region.geometry, *point)]


def right_option_ids(question: Question) -> set[int]:
    return {choice.pk for choice in question.choices.all() if choice.is_correct}


RULES: dict[str, Callable[[Question, Answer], Scored]] = {
    Question.Kind.SINGLE: single_answer_scored,
    Question.Kind.TRUE_FALSE: single_answer_scored,
    Question.Kind.MULTIPLE: multiple_select_scored,
    Question.Kind.HOTSPOT: hotspot_scored,
}


# --- Review cards ----------------------------------------------------------------------------------

LEARNING_STEP = datetime.timedelta(minutes=10)
SCHEDULER = fsrs.Scheduler(learning_steps=(LEARNING_STEP,), relearning_steps=(LEARNING_STEP,), enable_fuzzing=False)


def rating_for(*, is_correct: bool, confidence: str) -> ReviewCard.Rating:
    if not is_correct:
        return ReviewCard.Rating.AGAIN
    if confidence == Response.Confidence.LOW:
        return ReviewCard.Rating.HARD
    if confidence == Response.Confidence.HIGH:
        return ReviewCard.Rating.EASY
    return ReviewCard.Rating.GOOD


def first_intervals() -> dict[ReviewCard.Rating, datetime.timedelta]:
    """How long after a question's first answer its card comes due, for each rating (for the scoring
    page, so that what it says is what the scheduler does)."""
    start = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)  # any moment: the intervals do not depend on it
    return {
        rating: SCHEDULER.review_card(fsrs.Card(due=start), fsrs.Rating(rating), review_datetime=start)[0].due - start
        for rating in ReviewCard.Rating
    }
