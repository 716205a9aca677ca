"""Problem reports: recorded against the question, the attempt and the answer; resolved by an educator."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from quizzes.models import ProblemReport
from quizzes.services.attempts import attempt_start
from quizzes.services.reports import problem_report_create, problem_reports_resolve
from tests.factories import make_quiz, make_user, questions_of, take_quiz

pytestmark = pytest.mark.django_db


def test_a_report_points_at_the_question_the_attempt_and_the_answer_given(trainee, quiz):
    attempt = take_quiz(trainee, quiz, [False])
    first = questions_of(quiz)[0]

    report = problem_report_create(
        reporter=trainee, attempt=attempt, question=first, reason="factual", note="  The dose is wrong.  "
    )

    assert report.response == attempt.responses.get(question=first) and report.attempt == attempt
    assert report.status == ProblemReport.Status.OPEN and report.note == "The dose is wrong."


def test_a_report_on_an_unanswered_question_has_no_answer(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)

    report = problem_report_create(
        reporter=trainee, attempt=attempt, question=questions_of(quiz)[2], reason="unclear", note="Which side?"
    )

    assert report.response is None


def test_a_report_is_made_only_from_the_reporters_own_attempt_and_its_questions(trainee, other_trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    elsewhere = questions_of(make_quiz(questions=1))[0]

    with pytest.raises(ValueError):
        problem_report_create(
            reporter=other_trainee, attempt=attempt, question=questions_of(quiz)[0], reason="other", note="x"
        )
    with pytest.raises(ValueError):
        problem_report_create(reporter=trainee, attempt=attempt, question=elsewhere, reason="other", note="x")
    assert not ProblemReport.objects.exists()


def test_resolving_stamps_who_and_when_once_and_keeps_the_reply(trainee, quiz):
    educator = make_user()
    attempt = attempt_start(user=trainee, quiz=quiz)
    report = problem_report_create(
        reporter=trainee, attempt=attempt, question=questions_of(quiz)[0], reason="image", note="Too dark."
    )

    first = problem_reports_resolve(reports=ProblemReport.objects.all(), educator=educator, reply="Replaced.")
    again = problem_reports_resolve(reports=ProblemReport.objects.all(), educator=make_user())

    report.refresh_from_db()
    assert (first, again) == (1, 0)
    assert report.is_resolved and report.resolved_by == educator and report.reply == "Replaced."


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": "rude"},
        {"note": ""},
        {"status": "resolved"},  # resolved with no time
        {"status": "open", "resolved_at": "now"},
    ],
)
def test_the_database_refuses_an_inconsistent_report(trainee, quiz, fields):
    fields = {key: timezone.now() if value == "now" else value for key, value in fields.items()}
    row = {"reporter": trainee, "question": questions_of(quiz)[0], "reason": "other", "note": "x"} | fields

    with pytest.raises(IntegrityError):
        ProblemReport.objects.create(**row)
