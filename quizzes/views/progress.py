"""A trainee's own record: every attempt and practice set, best and last score per quiz, accuracy
and calibration per topic, the mistakes left to practise, and the problems they reported."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from quizzes import calibration
from quizzes.models import Attempt, ProblemReport, Question, Response, Tag
from quizzes.services.practice import PRACTICE_SET_SIZE


@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    attempts = list(Attempt.objects.owned_by(request.user).select_related("quiz", "quiz__topic", "tag"))
    per_quiz = {}
    # Attempts arrive newest first, so the first finished one seen for a quiz is its last score.
    # Practice sets are left out: they are not attempts at the quiz they were drawn from.
    for attempt in attempts:
        if not attempt.is_finished or attempt.kind != Attempt.Kind.QUIZ:
            continue
        row = per_quiz.setdefault(attempt.quiz_id, {"quiz": attempt.quiz, "last": attempt, "best": attempt, "count": 0})
        row["count"] += 1
        if (attempt.percent or 0) > (row["best"].percent or 0):
            row["best"] = attempt
    # An unfinished exam's verdicts are not shown yet, so its answers count nowhere on this page.
    responses = Response.objects.filter(attempt__user=request.user).final()
    topics = [
        {
            "name": row["question__quiz__topic__name"],
            "answered": row["answered"],
            "correct": row["correct"],
            "percent": round(100 * row["correct"] / row["answered"]),
        }
        for row in responses.accuracy_by_topic()
    ]
    return render(
        request,
        "quizzes/progress.html",
        {
            "attempts": attempts,
            "per_quiz": list(per_quiz.values()),
            "topics": topics,
            "mistakes_by_quiz": list(Question.objects.latest_mistakes_of(request.user).count_per_quiz()),
            "practice_set_size": PRACTICE_SET_SIZE,
            "tags": list(Tag.objects.practisable()),
            "reports": list(ProblemReport.objects.reported_by(request.user).select_related("question__quiz")),
            "calibration": calibration.calibration_table(responses.calibration_by_topic()),
            "calibration_rule": {
                "min_answers": calibration.MIN_ANSWERS,
                "over_below": calibration.OVER_CONFIDENT_BELOW_PERCENT,
                "under_above": calibration.UNDER_CONFIDENT_ABOVE_PERCENT,
            },
        },
    )
