"""Reads: every query the views make, named for what it returns."""

from django.db import models
from django.db.models import Count, Exists, FloatField, Max, OuterRef, Q, Sum
from django.db.models.functions import Cast


class QuizQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def with_question_count(self):
        return self.annotate(question_count=Count("questions", distinct=True))

    def with_best_percent(self, user):
        """Annotate each quiz with the user's best finished score, as a percentage (or None)."""
        if not user.is_authenticated:
            return self.annotate(best_percent=models.Value(None, output_field=FloatField()))
        finished = Q(attempts__user=user, attempts__finished_at__isnull=False, attempts__max_score__gt=0)
        ratio = Cast("attempts__score", FloatField()) * 100.0 / Cast("attempts__max_score", FloatField())
        return self.annotate(best_percent=Max(ratio, filter=finished))


class QuestionQuerySet(models.QuerySet):
    def in_quiz_order(self):
        return self.order_by("order", "pk")

    def before(self, question):
        """The questions that come before `question` in quiz order."""
        return self.filter(
            Q(order__lt=question.order) | Q(order=question.order, pk__lt=question.pk), quiz=question.quiz_id
        )

    def for_display(self):
        """Everything a question page renders, in a fixed number of queries."""
        return self.select_related("quiz").prefetch_related("choices", "sources")

    def unanswered_in(self, attempt):
        from quizzes.models import Response

        answered = Response.objects.filter(attempt=attempt, question=OuterRef("pk"))
        return self.filter(quiz=attempt.quiz_id).exclude(Exists(answered)).in_quiz_order()


class AttemptQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The only way views look attempts up: nobody reaches another user's attempt."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def unfinished(self):
        return self.filter(finished_at__isnull=True)


class ResponseQuerySet(models.QuerySet):
    def tally(self) -> dict:
        """Answered count and points so far, in one query."""
        totals = self.aggregate(answered=Count("pk"), points=Sum("points"))
        return {"answered": totals["answered"], "points": totals["points"] or 0}

    def accuracy_by_topic(self):
        return (
            self.values("question__quiz__topic__name")
            .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
            .order_by("question__quiz__topic__name")
        )
