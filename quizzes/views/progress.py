"""A trainee's own record: every attempt, best and last score per quiz, accuracy per topic."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from quizzes.models import Attempt, Response


@login_required
def my_progress(request):
    attempts = list(Attempt.objects.owned_by(request.user).select_related("quiz", "quiz__topic"))
    per_quiz = {}
    # Attempts arrive newest first, so the first finished one seen for a quiz is its last score.
    for attempt in attempts:
        if not attempt.is_finished:
            continue
        row = per_quiz.setdefault(attempt.quiz_id, {"quiz": attempt.quiz, "last": attempt, "best": attempt, "count": 0})
        row["count"] += 1
        if (attempt.percent or 0) > (row["best"].percent or 0):
            row["best"] = attempt
    topics = [
        {
            "name": row["question__quiz__topic__name"],
            "answered": row["answered"],
            "correct": row["correct"],
            "percent": round(100 * row["correct"] / row["answered"]),
        }
        for row in Response.objects.filter(attempt__user=request.user).accuracy_by_topic()
    ]
    return render(
        request,
        "quizzes/progress.html",
        {"attempts": attempts, "per_quiz": list(per_quiz.values()), "topics": topics},
    )
