"""The public pages: the quiz list (with a trainee's assignments and practice panels) and a quiz's own page."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from quizzes.models import Attempt, Cohort, Question, Quiz, ReviewCard, User
from quizzes.services.practice import PRACTICE_SET_SIZE
from quizzes.views.cohorts import my_assignments


def home(request: HttpRequest) -> HttpResponse:
    # Read here, not as the template loops: templates make no queries.
    quizzes = list(
        Quiz.objects.published()
        .select_related("topic")
        .with_question_count()
        .with_best_percent(request.user)
        .in_topic_order()
    )
    context = {"quizzes": quizzes}
    if request.user.is_authenticated:
        context |= practice_panels(request.user)
        # The header's count read the assignments already: the list costs no second query.
        context |= {
            "assignments": my_assignments(request),
            "cohorts": list(Cohort.objects.joined_by(request.user).current()),
        }
    return render(request, "quizzes/home.html", context)


def practice_panels(user: User | AnonymousUser) -> dict:
    """What the top of the home page shows: what to continue, then the "Due today" and "Practise my
    mistakes" panels, in three queries however much there is."""
    in_progress = list(Attempt.objects.owned_by(user).in_progress().select_related("quiz"))
    return {
        "in_progress": in_progress,
        "in_progress_quiz_ids": {a.quiz_id for a in in_progress if a.kind == Attempt.Kind.QUIZ},
        "review_in_progress": any(a.kind == Attempt.Kind.REVIEW for a in in_progress),
        "reviews": ReviewCard.objects.of(user).in_published_quizzes().due_summary(),
        "mistakes_count": Question.objects.latest_mistakes_of(user).count(),
        "practice_set_size": PRACTICE_SET_SIZE,
    }


def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.published().select_related("topic").with_question_count(), slug=slug)
    # A practice set drawn from this quiz's mistakes is not an attempt at the quiz.
    attempts = Attempt.objects.owned_by(request.user).filter(quiz=quiz, kind=Attempt.Kind.QUIZ)
    # While an exam or the counted attempt is open, it is the one way on (quizzes/refusals.py).
    counted_open = attempts.counted_open().first()
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "attempts": attempts,
            "unfinished": attempts.unfinished().first(),
            "counted_open": counted_open,
        },
    )
