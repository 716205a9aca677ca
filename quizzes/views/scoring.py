"""The page that explains the scoring: points per kind of answer, the leaderboards, how answers
schedule review cards, and when a cohort's assignment is done. Its numbers come from quizzes/scoring.py, so the page cannot drift from the rules."""

import datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quizzes.assignments import DUE_SOON_DAYS
from quizzes.models import POINTS_PER_QUESTION, LeaderboardEntry, ReviewCard
from quizzes.scoring import LEARNING_STEP, first_intervals, partial_credit, weighted
from quizzes.typed_answers import best_match

# Worked examples for the scoring page: (the right options, how many, what was ticked, right and wrong
# ticked). Their points come from the function that scores answers, so the page cannot drift from it.
PARTIAL_CREDIT_EXAMPLES = [
    ("A and B", 2, "A and B", 2, 0),
    ("A and B", 2, "A", 1, 0),
    ("A and B", 2, "A, B and C", 2, 1),
    ("A and B", 2, "A and C", 1, 1),
    ("A and B", 2, "A, B, C and D", 2, 2),
    ("A, B and C", 3, "A", 1, 0),
    ("A, B and C", 3, "A and B", 2, 0),
    ("A, B and C", 3, "A, B and D", 2, 1),
]


# Worked examples of weighted options (as Moodle XML and GIFT banks give them): (the question's options
# with their weights, what was ticked, the ticked options' weights). Points come from the scoring rule.
WEIGHT_EXAMPLES = [
    ("Single answer: A 100%, B 50%, C 0%", "B", ["0.5"]),
    ("Single answer: A 100%, B 50%, C −25%", "C", ["-0.25"]),
    ("Multiple select: A 50%, B 50%, C −50%", "A and B", ["0.5", "0.5"]),
    ("Multiple select: A 50%, B 50%, C −50%", "A and C", ["0.5", "-0.5"]),
    ("Multiple select: A 50%, B 50%, C −50%", "A, B and C", ["0.5", "0.5", "-0.5"]),
    ("Multiple select: A, B and C 33.33333% each", "A, B and C", ["0.3333333"] * 3),
]


# Worked examples of a short answer: one question's accepted answers (text, weight), then what was typed.
# What each matches, and its points, come from the matching and scoring rules.
ACCEPTED_EXAMPLE = [
    ("miliary metastases", "1"),
    ("haematogenous metastases", "1"),
    ("hematogenous metastases", "1"),
    ("metasta*", "0.5"),
]
TYPED_EXAMPLES = [
    "Miliary metastases.",
    "miliary metastasis",
    "Hematogenous  metastases",
    "metastatic disease",
    "sarcoidosis",
]

# Worked examples of extended matching: (stems, stems matched to their right option).
MATCHING_EXAMPLES = [(4, 4), (4, 3), (4, 2), (4, 1), (3, 2)]


def typed_examples() -> list[dict]:
    accepted = [(text, Decimal(weight)) for text, weight in ACCEPTED_EXAMPLE]
    rows = []
    for typed in TYPED_EXAMPLES:
        index = best_match(accepted, typed)
        share = Fraction(accepted[index][1]) if index is not None else Fraction(0)
        rows.append(
            {
                "typed": typed,
                "matched": f"“{accepted[index][0]}”" if index is not None else "none",
                "points": weighted(share).points,
            }
        )
    return rows


@require_GET
def scoring(request: HttpRequest) -> HttpResponse:
    examples = [
        {"right": right, "ticked": ticked, "points": partial_credit(right_chosen=r, wrong_chosen=w, right_options=n)}
        for right, n, ticked, r, w in PARTIAL_CREDIT_EXAMPLES
    ]
    return render(
        request,
        "quizzes/scoring.html",
        {
            "points": POINTS_PER_QUESTION,
            "top": LeaderboardEntry.TOP,
            "time_zone": settings.TIME_ZONE,
            "examples": examples,
            "weight_examples": [
                {"options": options, "ticked": ticked, "points": weighted(Fraction(sum(map(Decimal, weights)))).points}
                for options, ticked, weights in WEIGHT_EXAMPLES
            ],
            "accepted_example": [
                {"text": text, "percent": round(Decimal(weight) * 100)} for text, weight in ACCEPTED_EXAMPLE
            ],
            "typed_examples": typed_examples(),
            "matching_examples": [
                {"stems": stems, "right": right, "points": weighted(Fraction(right, stems)).points}
                for stems, right in MATCHING_EXAMPLES
            ],
            "ratings": review_ratings(),
            "learning_step_minutes": round(LEARNING_STEP.total_seconds() / 60),
            "due_soon_days": DUE_SOON_DAYS,
        },
    )


# Which answers give which rating: the rule itself is quizzes/scoring.py, rating_for.
ANSWER_RATINGS = [
    ("Wrong (partial credit counts as wrong)", ReviewCard.Rating.AGAIN),
    ("Right, with low confidence (“a guess”)", ReviewCard.Rating.HARD),
    ("Right, with medium confidence or none given", ReviewCard.Rating.GOOD),
    ("Right, with high confidence (“sure”)", ReviewCard.Rating.EASY),
]


def review_ratings() -> list[dict]:
    """The spaced-repetition table: each kind of answer, its rating, and when a new card then comes back."""
    intervals = first_intervals()
    return [
        {"answer": answer, "rating": rating.label, "after": interval_words(intervals[rating])}
        for answer, rating in ANSWER_RATINGS
    ]


def interval_words(interval: datetime.timedelta) -> str:
    if interval < datetime.timedelta(days=1):
        return f"after {round(interval.total_seconds() / 60)} minutes, the same day"
    return "the next day" if interval.days == 1 else f"after {interval.days} days"
