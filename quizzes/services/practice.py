"""Practice sets drawn from a trainee's own record (the questions they last got wrong, the
spaced-repetition cards due today, the questions of a summary: "Practise these") or from a tag across
the published quizzes. All are tutor-mode attempts that never count for a leaderboard; answering them
reviews each question's card like any other answer (quizzes/services/review.py). None holds a question
of a quiz whose exam the trainee has open: its feedback would answer the exam."""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from quizzes.models import Attempt, Question, Quiz, Response, ReviewCard, Tag, User
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
            if not Response.objects.filter(attempt__user=user).final().exists():
                raise NothingToPractise(f"No mistakes to practise {where} yet: you have not answered a question.")
            raise NothingToPractise(f"No mistakes to practise {where}: your latest answer to every question was right.")
        return _practice_set_create(user=user, kind=Attempt.Kind.MISTAKES, quiz=quiz, question_ids=question_ids)


def review_start(*, user: User, now: datetime.datetime | None = None) -> Attempt:
    """Start a set of the trainee's cards due today (quizzes/querysets.py: due_today_q), the most
    overdue first, at most PRACTICE_SET_SIZE of them; or, while one is unfinished, go back to it: one
    due-today set at a time."""
    with transaction.atomic():
        # The trainee's row lock: two "Review now" clicks at once start one set, not two.
        User.objects.select_for_update().filter(pk=user.pk).first()
        unfinished = Attempt.objects.filter(user=user, kind=Attempt.Kind.REVIEW).unfinished().first()
        if unfinished is not None:
            return unfinished
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


def these_start(*, user: User, attempt: Attempt, only_wrong: bool = False) -> Attempt:
    """Start a set of the questions of one of the trainee's finished attempts, in its order: all of
    them, or (`only_wrong`) those not answered right. Questions trainees may no longer see (drafts,
    unpublished quizzes) and those of a quiz whose exam is open are left out."""
    if attempt.user_id != user.pk or not attempt.is_finished:
        raise ValueError("Only a finished attempt of the trainee's own can be practised again.")
    questions = Question.objects.in_attempt(attempt).published().exclude(quiz__in=quizzes_with_open_exams(user))
    if only_wrong:
        right = Response.objects.filter(attempt=attempt, question=OuterRef("pk"), is_correct=True)
        questions = questions.exclude(Exists(right))
    with transaction.atomic():
        question_ids = list(questions.values_list("pk", flat=True))
        if not question_ids:
            raise NothingToPractise("Nothing to practise: you got every one of these questions right.")
        return _practice_set_create(user=user, kind=Attempt.Kind.AGAIN, quiz=attempt.quiz, question_ids=question_ids)


def _practice_set_create(
    *, user: User, kind: str, quiz: Quiz | None, question_ids: list[int], tag: Tag | None = None
) -> Attempt:
    attempt = Attempt.objects.create(user=user, kind=kind, quiz=quiz, tag=tag, mode=Attempt.Mode.TUTOR, is_ranked=False)
    attempt_questions_add(attempt=attempt, question_ids=question_ids)
    return attempt
