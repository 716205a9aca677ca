"""Practice sets drawn from a trainee's own record (the questions they last got wrong, and the
spaced-repetition cards due today) or from a tag across the published quizzes. All are tutor-mode
attempts that never count for a leaderboard; answering them reviews each question's card like any other
answer (quizzes/services/review.py). None holds a question of a quiz whose exam the trainee has open:
its feedback would answer the exam."""

import datetime

from django.db import transaction

from quizzes.models import Attempt, Question, Quiz, ReviewCard, Tag, User
from quizzes.services.attempts import attempt_questions_add

# A set is one sitting: past this many questions the rest wait for the next set (the pages say so).
PRACTICE_SET_SIZE = 20


class NothingToPractise(Exception):
    """The set would be empty, so none was started; the message says why, in words for the trainee."""


def mistakes_start(*, user: User, quiz: Quiz | None = None) -> Attempt:
    """Start a set of the questions whose most recent answer was wrong (in `quiz`, or in every
    published quiz), the most recent mistake first, at most PRACTICE_SET_SIZE of them."""
    with transaction.atomic():
        exams = quizzes_with_open_exams(user)
        if quiz is not None and quiz.pk in exams:
            raise NothingToPractise(f"Your exam at “{quiz.title}” is open: practise its mistakes once it has finished.")
        question_ids = list(
            Question.objects.latest_mistakes_of(user, quiz=quiz)
            .exclude(quiz__in=exams)
            .values_list("pk", flat=True)[:PRACTICE_SET_SIZE]
        )
        if not question_ids:
            where = f"in “{quiz.title}”" if quiz else "anywhere"
            raise NothingToPractise(f"No mistakes to practise {where}: your latest answer to every question was right.")
        return _practice_set_create(user=user, kind=Attempt.Kind.MISTAKES, quiz=quiz, question_ids=question_ids)


def review_start(*, user: User, now: datetime.datetime | None = None) -> Attempt:
    """Start a set of the trainee's cards due by the end of today (in the site's time zone), the most
    overdue first, at most PRACTICE_SET_SIZE of them."""
    with transaction.atomic():
        question_ids = list(
            ReviewCard.objects.of(user)
            .in_published_quizzes()
            .due_today(now)
            .exclude(question__quiz__in=quizzes_with_open_exams(user))
            .values_list("question_id", flat=True)[:PRACTICE_SET_SIZE]
        )
        if not question_ids:
            raise NothingToPractise("Nothing is due for review today.")
        return _practice_set_create(user=user, kind=Attempt.Kind.REVIEW, quiz=None, question_ids=question_ids)


def tag_practice_start(*, user: User, tag: Tag) -> Attempt:
    """Start a set of the published questions that carry `tag`, across every published quiz, in the
    site's quiz order, at most PRACTICE_SET_SIZE of them."""
    with transaction.atomic():
        question_ids = list(
            Question.objects.published()
            .tagged(tag)
            .exclude(quiz__in=quizzes_with_open_exams(user))
            .order_by("quiz__topic__order", "quiz__topic__name", "quiz__order", "quiz__title", "order", "pk")
            .values_list("pk", flat=True)[:PRACTICE_SET_SIZE]
        )
        if not question_ids:
            raise NothingToPractise(f"No published questions are tagged “{tag.name}” yet.")
        return _practice_set_create(user=user, kind=Attempt.Kind.TAG, quiz=None, tag=tag, question_ids=question_ids)


def quizzes_with_open_exams(user: User) -> set[int]:
    return set(Attempt.objects.owned_by(user).exams_open().values_list("quiz_id", flat=True))


def _practice_set_create(
    *, user: User, kind: str, quiz: Quiz | None, question_ids: list[int], tag: Tag | None = None
) -> Attempt:
    attempt = Attempt.objects.create(user=user, kind=kind, quiz=quiz, tag=tag, mode=Attempt.Mode.TUTOR, is_ranked=False)
    attempt_questions_add(attempt=attempt, question_ids=question_ids)
    return attempt
