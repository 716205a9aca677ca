"""The public pages: the quiz list and a quiz's own page."""

from django.shortcuts import get_object_or_404, render

from quizzes.models import Attempt, Quiz


def home(request):
    quizzes = (
        Quiz.objects.published()
        .select_related("topic")
        .with_question_count()
        .with_best_percent(request.user)
    )
    return render(request, "quizzes/home.html", {"quizzes": quizzes})


def quiz_detail(request, slug):
    quiz = get_object_or_404(Quiz.objects.published().select_related("topic").with_question_count(), slug=slug)
    attempts = Attempt.objects.owned_by(request.user).filter(quiz=quiz)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {"quiz": quiz, "attempts": attempts, "unfinished": attempts.unfinished().first()},
    )
