"""The results of an attempt (tutor, exam or practice set): per question the trainee's answer, the
right answer, every option's rationale, the explanation, the learning point and the citation;
"show only the ones I got wrong" and "practise these"."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, Question, Quiz, User
from quizzes.options import presented_options
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_save
from tests.factories import HTMX, make_question, make_quiz, questions_of, right_choices, take_quiz, wrong_choices

pytestmark = pytest.mark.django_db


def summary_url(attempt, **query):
    url = reverse("attempt_summary", args=[attempt.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def finished(trainee, quiz):
    return attempt_finish(attempt=take_quiz(trainee, quiz, [True, False, True]))


def test_every_summary_item_gives_the_reasons(trainee_client, finished, quiz):
    html = trainee_client.get(summary_url(finished)).content.decode()

    for question in questions_of(quiz):
        for choice in question.choices.all():
            assert choice.rationale in html
        assert f"Explanation of question {question.order}." in html
        assert f"Learning point of question {question.order}." in html
    assert html.count('<p class="citation">Source: <cite>Test Publisher, “Source') == 3


def test_a_question_without_a_source_cites_its_author_in_feedback_and_summary(trainee_client, trainee):
    author = User.objects.create_user(
        username="ada-login", password="x-long-password-1", display_name="Dr Ada Byron", department="Radiology"
    )
    quiz = make_quiz(questions=1)
    question = questions_of(quiz)[0]
    question.sources.clear()
    Question.objects.filter(pk=question.pk).update(author=author)
    attempt = attempt_start(user=trainee, quiz=quiz)
    feedback_url = reverse("answer", args=[attempt.pk, question.pk])
    option = presented_options(question, attempt.shuffle_seed)[0]

    feedback = trainee_client.post(feedback_url, {"answer": option.label}, **HTMX).content.decode()
    attempt_finish(attempt=attempt)
    summary = trainee_client.get(summary_url(attempt)).content.decode()

    for html in (feedback, summary):
        assert '<p class="citation">Written by Dr Ada Byron, Radiology</p>' in html
        assert "Source:" not in html and "ada-login" not in html


def test_a_summary_of_questions_without_sources_takes_as_many_queries_as_one_with_them(
    trainee_client, trainee, django_assert_num_queries
):
    sourced, unsourced = make_quiz(questions=3), make_quiz(questions=3)
    author = User.objects.create_user(username="writer", password="x-long-password-1", display_name="Dr Writer")
    for question in questions_of(unsourced):
        question.sources.clear()
    unsourced.questions.update(author=author)
    attempts = [attempt_finish(attempt=take_quiz(trainee, quiz, [True, False, True])) for quiz in (sourced, unsourced)]
    with CaptureQueriesContext(connection) as with_sources:
        trainee_client.get(summary_url(attempts[0]))

    with django_assert_num_queries(len(with_sources)):
        html = trainee_client.get(summary_url(attempts[1])).content.decode()
    assert html.count("Written by Dr Writer") == 3


def test_an_exam_result_gives_the_reasons_too(trainee_client, trainee):
    quiz = make_quiz(questions=2, exam_minutes=10)
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)
    first = questions_of(quiz)[0]
    exam_answer_save(attempt=exam, question=first, chosen=wrong_choices(first)[:1])
    attempt_finish(attempt=exam)

    html = trainee_client.get(summary_url(exam)).content.decode()

    assert "Explanation of question 1." in html and wrong_choices(first)[0].rationale in html
    assert 'Question 2: <span class="verdict">Not answered' in html


def test_a_right_option_missed_in_multiple_select_is_marked_missed(trainee_client, trainee):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A1", True), ("A2", True), ("B", False)])
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=attempt, question=questions_of(quiz)[0], chosen=[question.choices.get(text="A1")])
    attempt_finish(attempt=attempt)

    html = trainee_client.get(summary_url(attempt)).content.decode()

    missed = html.split("> A2")[1].split("</p>")[0]
    assert 'class="tag tag-missed">Missed' in missed and html.count("tag-missed") == 1


def test_show_only_the_ones_i_got_wrong_is_a_plain_get_filter(trainee_client, finished):
    every = trainee_client.get(summary_url(finished)).content.decode()
    wrong = trainee_client.get(summary_url(finished, only="wrong")).content.decode()

    assert "Show only the ones I got wrong (1)" in every and all(f"Stem of question {n}?" in every for n in (1, 2, 3))
    assert "Stem of question 2?" in wrong and "Stem of question 1?" not in wrong and "Stem of question 3?" not in wrong
    assert "Showing the 1 question you got wrong or left unanswered, of 3." in wrong
    assert "Show every question" in wrong


@pytest.mark.parametrize(("only", "expected"), [("", [1, 2, 3]), ("wrong", [2])])
def test_practise_these_starts_a_practice_set_of_the_questions_shown(trainee_client, trainee, finished, only, expected):
    html = trainee_client.get(summary_url(finished, only=only) if only else summary_url(finished)).content.decode()
    assert f"Practise these {len(expected)} question" in html

    response = trainee_client.post(reverse("practice_these_start", args=[finished.pk]), {"only": only})

    practice = Attempt.objects.exclude(pk=finished.pk).get()
    assert response["Location"] == reverse("attempt_resume", args=[practice.pk])
    assert practice.kind == Attempt.Kind.AGAIN and not practice.is_ranked and practice.mode == Attempt.Mode.TUTOR
    assert [q.order for q in Question.objects.in_attempt(practice)] == expected


def test_practise_these_refuses_another_trainees_attempt(client, other_trainee, finished):
    client.force_login(other_trainee)

    response = client.post(reverse("practice_these_start", args=[finished.pk]))

    assert response.status_code == 404 and Attempt.objects.count() == 1


def test_a_case_summary_withholds_the_case_report_title_while_the_final_stage_is_unanswered(trainee_client, trainee):
    call_command("load_content", verbosity=0)
    case = Quiz.objects.get(slug="mesothelioma-case")
    attempt = attempt_start(user=trainee, quiz=case)
    first = questions_of(case)[0]
    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    attempt_finish(attempt=attempt)

    html = trainee_client.get(summary_url(attempt)).content.decode()

    assert "(full reference with the final stage)" in html
    for source in first.sources.all():
        assert source.title not in html
