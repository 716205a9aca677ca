"""How an answer scores and how it rates the question's review card: pure rules, no database writes.

Services record what these say; the scoring page (quizzes/templates/quizzes/scoring.html), the admin's
preview and item analysis show it. Each kind of question has one rule in RULES.

The scoring rules:
- every question is worth POINTS_PER_QUESTION (10) points;
- an option may carry a weight, its share of full marks from -1 to 1 (Moodle's fraction, GIFT's %n%).
  A question with weights scores as Moodle scores it: a single answer earns 10 x the chosen option's
  weight; a multiple-select answer 10 x the sum of the chosen options' weights; never below 0 nor above
  10, rounded down (after rounding to a thousandth, so that three options of 33.33333% make 10);
- a question whose options carry no weight scores by the site's default weights, which are the rules
  the site has always had:
  - single best answer and true/false: the right option weighs 1, the others 0: all 10 for the right
    option, 0 otherwise;
  - multiple select: each right option weighs 1 / (right options), each wrong one minus that, so an
    answer earns 10 x (right options chosen - wrong options chosen) / right options, rounded down,
    never below 0. Exactly the right options earn all 10;
- an answer is "correct" when it earns full marks;
- retired options are not offered, and weigh nothing;
- hotspot: all 10 for a point inside any target region, or for "No abnormality" when the question
  has no target regions; 0 otherwise;
- short answer (a typed diagnosis): the typed answer is compared with each accepted answer as a marker
  would (quizzes/typed_answers.py: case, spaces, punctuation and accents do not count, `*` is Moodle's
  wildcard, small typing slips on longer words are forgiven unless the question says not to); the
  accepted answer it matches (an exact match before one by slips, then the highest weight, then the
  first listed) gives its weight, 10 x weight rounded down as above; no match earns 0. The matched
  accepted answer is recorded with the response;
- extended matching: each stem is matched to one option; an answer earns 10 x (stems matched to their
  right option) / stems, rounded down as above (3 of 4 stems: 7 points), and is correct only with every
  stem right. A stem left unanswered is a stem not matched;
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
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import fsrs

from quizzes import hotspots, typed_answers
from quizzes.models import (
    POINTS_PER_QUESTION,
    AcceptedAnswer,
    Choice,
    HotspotRegion,
    Question,
    Response,
    ReviewCard,
)

type Point = tuple[float, float]


@dataclass(frozen=True)
class Answer:
    """What the trainee gave: the options ticked; for a hotspot question where they clicked (relative
    to the image), None standing for "No abnormality"; for a short answer what they typed; for extended
    matching the option they chose for each stem, as {stem id: option (Choice) id}."""

    chosen: Collection[Choice] = ()
    point: Point | None = None
    typed: str = ""
    matches: Mapping[int, int] = field(default_factory=dict)


class Scored(NamedTuple):
    is_correct: bool
    points: int


def answer_scored(*, question: Question, answer: Answer) -> Scored:
    """Whether an answer to any kind of question is right, and its whole points. `question` should have
    its choices and its kind's parts (Question.kind_parts) prefetched."""
    return RULES[question.kind](question, answer)


def all_or_nothing(right: bool) -> Scored:
    return Scored(right, POINTS_PER_QUESTION if right else 0)


def single_answer_scored(question: Question, answer: Answer) -> Scored:
    """Single best answer and true/false: the chosen option's weight (one option, or nothing earned)."""
    chosen_ids = {choice.pk for choice in answer.chosen}
    if len(chosen_ids) != 1:
        return all_or_nothing(False)
    return weighted(option_weights(question).get(chosen_ids.pop(), Fraction(0)))


def multiple_select_scored(question: Question, answer: Answer) -> Scored:
    """The sum of the chosen options' weights; with the default weights, partial credit."""
    weights = option_weights(question)
    chosen_ids = {choice.pk for choice in answer.chosen}
    if not weights:
        # No option is right (nothing to share full marks among): only leaving every option unticked is right.
        return all_or_nothing(not chosen_ids)
    return weighted(sum((weights.get(pk, Fraction(0)) for pk in chosen_ids), Fraction(0)))


def option_weights(question: Question) -> dict[int, Fraction]:
    """Each offered option's share of full marks, by option id: the weights the author or the bank file
    gave, or the site's default weights when no option of the question has one. Exact fractions, so
    that the default 1/3 of a multiple-select answer scores as the partial-credit formula does."""
    choices = [choice for choice in question.choices.all() if not choice.retired]
    if any(choice.weight is not None for choice in choices):
        return {choice.pk: Fraction(choice.weight or 0) for choice in choices}
    right = sum(1 for choice in choices if choice.is_correct)
    if question.kind != Question.Kind.MULTIPLE:
        return {choice.pk: Fraction(int(choice.is_correct)) for choice in choices}
    if not right:
        return {}
    return {choice.pk: Fraction(1 if choice.is_correct else -1, right) for choice in choices}


def weighted(share: Fraction) -> Scored:
    """Points for a share of full marks: clamped to [0, 1], rounded to a thousandth of a point (so that
    Moodle's 33.33333% thirds add up to full marks), then down to whole points."""
    share = min(max(share, Fraction(0)), Fraction(1))
    points = math.floor(round(share * POINTS_PER_QUESTION, 3))
    return Scored(points == POINTS_PER_QUESTION, points)


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


def short_answer_scored(question: Question, answer: Answer) -> Scored:
    """The weight of the accepted answer the typed answer matches; nothing for no match."""
    matched = accepted_answer_matched(question, answer.typed)
    return weighted(Fraction(matched.weight)) if matched else all_or_nothing(False)


def accepted_answer_matched(question: Question, typed: str) -> AcceptedAnswer | None:
    """The accepted answer a typed answer matches (quizzes/typed_answers.py: best_match), or None."""
    accepted = list(question.accepted_answers.all())
    index = typed_answers.best_match(
        [(each.text, each.weight) for each in accepted],
        typed,
        case_sensitive=question.case_sensitive,
        forgive_typos=question.forgive_typos,
    )
    return None if index is None else accepted[index]


def model_answer(question: Question) -> AcceptedAnswer | None:
    """The answer feedback shows as the one to give: the first full-weight accepted answer, one without
    a wildcard if there is one (a pattern such as "metasta*" is no answer to read)."""
    full = [each for each in question.accepted_answers.all() if each.weight == 1]
    plain = [each for each in full if typed_answers.WILDCARD not in each.text]
    return (plain or full or [None])[0]


def matching_scored(question: Question, answer: Answer) -> Scored:
    """Points in proportion to the stems matched to their right option; correct only with all of them."""
    stems = list(question.match_stems.all())
    if not stems:
        return all_or_nothing(not answer.matches)
    right = sum(1 for stem in stems if answer.matches.get(stem.pk) == stem.answer_id)
    return weighted(Fraction(right, len(stems)))


RULES: dict[str, Callable[[Question, Answer], Scored]] = {
    Question.Kind.SINGLE: single_answer_scored,
    Question.Kind.TRUE_FALSE: single_answer_scored,
    Question.Kind.MULTIPLE: multiple_select_scored,
    Question.Kind.HOTSPOT: hotspot_scored,
    Question.Kind.SHORT_ANSWER: short_answer_scored,
    Question.Kind.MATCHING: matching_scored,
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
    # With a card_id: without one, fsrs.Card() sleeps a millisecond to make one from the clock.
    new_card = fsrs.Card(card_id=0, due=start)
    return {
        rating: SCHEDULER.review_card(new_card, fsrs.Rating(rating), review_datetime=start)[0].due - start
        for rating in ReviewCard.Rating
    }
