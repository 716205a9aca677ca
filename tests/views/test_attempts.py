"""Taking a quiz through the web: start, answer (HTMX and plain), finish, summary, access rules."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, Question, Response
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import HTMX, make_question, make_quiz, questions_of, right_choices, wrong_choices

pytestmark = pytest.mark.django_db


def label_of(attempt, question, choice):
    return next(option.label for option in presented_options(question, attempt.shuffle_seed) if option.choice == choice)


def answer_url(attempt, question):
    return reverse("answer", args=[attempt.pk, question.pk])


def test_starting_a_quiz_redirects_to_its_first_question(trainee_client, trainee, quiz):
    response = trainee_client.post(reverse("attempt_start", args=[quiz.slug]), follow=True)

    attempt = Attempt.objects.get(user=trainee)
    first = questions_of(quiz)[0]
    assert response.redirect_chain[-1][0] == reverse("question_show", args=[attempt.pk, first.pk])
    assert "Stem of question 1?" in response.content.decode()


def test_starting_needs_a_post(trainee_client, quiz):
    assert trainee_client.get(reverse("attempt_start", args=[quiz.slug])).status_code == 405
    assert not Attempt.objects.exists()


def test_a_draft_quiz_cannot_be_started(trainee_client):
    draft = make_quiz(status="draft")

    assert trainee_client.post(reverse("attempt_start", args=[draft.slug])).status_code == 404
    assert not Attempt.objects.exists()


def test_htmx_answer_swaps_in_feedback_and_updates_progress_out_of_band(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    right = right_choices(question)[0]

    response = trainee_client.post(
        answer_url(attempt, question), {"answer": label_of(attempt, question, right)}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment, not a page
    assert 'id="feedback"' in html and "Correct" in html
    assert "Rationale for Right 1" in html and "Rationale for Wrong 1a" in html
    assert "Explanation of question 1." in html and "Learning point of question 1." in html
    assert "Test Publisher" in html  # the citation
    assert 'id="progress" class="progress" hx-swap-oob="true"' in html
    assert "1 of 3 answered" in html and "Score so far: <strong>10</strong> of 10 points" in html
    assert 'role="status"' in html and "Correct. 1 of 3 answered" in html
    assert "Next question" in html


def test_htmx_wrong_answer_marks_the_right_option_and_the_trainees_choice(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    wrong = wrong_choices(question)[0]

    html = trainee_client.post(
        answer_url(attempt, question), {"answer": label_of(attempt, question, wrong)}, **HTMX
    ).content.decode()

    assert "Incorrect" in html
    assert html.count("Right answer") == 1 and html.count("Your answer") == 1
    assert "Score so far: <strong>0</strong> of 10 points" in html


def test_plain_answer_redirects_to_the_question_page_showing_feedback(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    right = right_choices(question)[0]

    response = trainee_client.post(answer_url(attempt, question), {"answer": label_of(attempt, question, right)})

    assert response.status_code == 302
    assert response["Location"] == reverse("question_show", args=[attempt.pk, question.pk]) + "#feedback"
    page = trainee_client.get(response["Location"]).content.decode()
    assert "<html" in page and 'id="feedback"' in page and "Correct" in page
    assert "Rationale for Wrong 1a" in page and "1 of 3 answered" in page


def test_a_second_submission_changes_nothing_and_says_so(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    wrong, right = wrong_choices(question)[0], right_choices(question)[0]
    trainee_client.post(answer_url(attempt, question), {"answer": label_of(attempt, question, wrong)})

    htmx = trainee_client.post(answer_url(attempt, question), {"answer": label_of(attempt, question, right)}, **HTMX)
    plain = trainee_client.post(
        answer_url(attempt, question), {"answer": label_of(attempt, question, right)}, follow=True
    )

    assert "already answered" in htmx.content.decode() and "Incorrect" in htmx.content.decode()
    assert "already answered" in plain.content.decode()
    response = Response.objects.get()
    assert not response.is_correct and list(response.chosen.all()) == [wrong]


@pytest.mark.parametrize("data", [{}, {"answer": "Z"}, {"answer": ""}, {"answer": "<script>"}])
def test_a_missing_or_unknown_option_is_refused_with_a_message(trainee_client, trainee, quiz, data):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]

    htmx = trainee_client.post(answer_url(attempt, question), data, **HTMX)
    plain = trainee_client.post(answer_url(attempt, question), data)

    assert htmx.status_code == plain.status_code == 422
    assert 'role="alert"' in htmx.content.decode()
    assert "option" in htmx.content.decode().lower()
    assert 'id="feedback"' not in htmx.content.decode()
    assert "<html" in plain.content.decode() and 'id="answer-error"' in plain.content.decode()
    assert not Response.objects.exists()


def test_multiple_select_takes_several_options(trainee_client, trainee):
    quiz = make_quiz(questions=0)
    question = make_question(
        quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A1", True), ("B1", True), ("C1", False)]
    )
    attempt = attempt_start(user=trainee, quiz=quiz)
    labels = [label_of(attempt, question, choice) for choice in right_choices(question)]

    html = trainee_client.post(answer_url(attempt, question), {"answer": labels}, **HTMX).content.decode()

    assert "Correct" in html and html.count("Your answer") == 2
    assert set(Response.objects.get().chosen.values_list("text", flat=True)) == {"A1", "B1"}


def test_a_later_question_cannot_be_opened_before_the_current_one_is_answered(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, _second, third = questions_of(quiz)

    response = trainee_client.get(reverse("question_show", args=[attempt.pk, third.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("question_show", args=[attempt.pk, first.pk])
    assert "Stem of question 3?" not in response.content.decode()


def test_answering_every_question_then_finishing_shows_the_summary(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    for number, question in enumerate(questions_of(quiz)):
        choice = right_choices(question)[0] if number < 2 else wrong_choices(question)[0]
        trainee_client.post(answer_url(attempt, question), {"answer": label_of(attempt, question, choice)})
    last_page = trainee_client.get(reverse("attempt_resume", args=[attempt.pk]), follow=True).content.decode()
    assert "Finish and see your results" in last_page

    response = trainee_client.post(reverse("attempt_finish", args=[attempt.pk]), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("attempt_summary", args=[attempt.pk])
    assert "20 / 30 (67%)" in html and "Time taken" in html
    # Each question says both in its answer pair, and again as tags on the options they name.
    assert html.count("<dt>Right answer</dt>") == 3 and html.count("<dt>Your answer</dt>") == 3
    assert (
        html.count('class="tag tag-right">Right answer') == 3 and html.count('class="tag tag-chosen">Your answer') == 3
    )
    assert "Wrong 3a" in html and "Right 3" in html


def test_the_summary_of_an_unfinished_attempt_sends_the_trainee_back_to_it(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)

    response = trainee_client.get(reverse("attempt_summary", args=[attempt.pk]))

    assert response["Location"] == reverse("attempt_resume", args=[attempt.pk])


@pytest.mark.parametrize("name", ["attempt_resume", "attempt_summary"])
def test_a_logged_out_visitor_is_sent_to_log_in(client, trainee, quiz, name):
    attempt = attempt_start(user=trainee, quiz=quiz)
    url = reverse(name, args=[attempt.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_another_users_attempt_is_not_found(trainee_client, other_trainee, quiz):
    attempt = attempt_start(user=other_trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    right = right_choices(question)[0]

    for url in [
        reverse("attempt_resume", args=[attempt.pk]),
        reverse("question_show", args=[attempt.pk, question.pk]),
        reverse("attempt_summary", args=[attempt.pk]),
    ]:
        assert trainee_client.get(url).status_code == 404
    assert (
        trainee_client.post(answer_url(attempt, question), {"answer": label_of(attempt, question, right)}).status_code
        == 404
    )
    assert trainee_client.post(reverse("attempt_finish", args=[attempt.pk])).status_code == 404
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.finished_at is None


def test_a_question_from_another_quiz_is_not_found(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    elsewhere = questions_of(make_quiz(questions=1))[0]

    response = trainee_client.post(answer_url(attempt, elsewhere), {"answer": "A"})

    assert response.status_code == 404
    assert not Response.objects.exists()


def test_answering_after_the_attempt_finished_is_refused(trainee_client, trainee, quiz):
    attempt = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    question = questions_of(quiz)[0]

    htmx = trainee_client.post(answer_url(attempt, question), {"answer": "A"}, **HTMX)

    assert "finished" in htmx.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("data", [{}, {"answer": "Z"}])
def test_a_finished_attempt_refuses_an_answer_before_looking_at_the_form(trainee_client, trainee, quiz, data):
    # The refusal comes first: an invalid form on a finished attempt is told the attempt is finished.
    attempt = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    question = questions_of(quiz)[0]

    htmx = trainee_client.post(answer_url(attempt, question), data, **HTMX)

    assert htmx.status_code == 409 and "This attempt is finished" in htmx.content.decode()
    assert 'id="answer-error"' not in htmx.content.decode()
    assert not Response.objects.exists()


def test_an_invalid_form_on_an_exam_through_the_tutor_route_is_refused_as_an_exam_answer(trainee_client, trainee):
    quiz = make_quiz(questions=1, exam_minutes=10)
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)

    htmx = trainee_client.post(answer_url(exam, questions_of(quiz)[0]), {"answer": "Z"}, **HTMX)

    assert htmx.status_code == 409 and "This attempt is an exam" in htmx.content.decode()


def answer_query_count(client, user, quiz_size):
    quiz = make_quiz(questions=quiz_size)
    attempt = attempt_start(user=user, quiz=quiz)
    question = questions_of(quiz)[0]
    label = label_of(attempt, question, right_choices(question)[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(answer_url(attempt, question), {"answer": label}, **HTMX)
    assert response.status_code == 200 and "Correct" in response.content.decode()
    return len(queries)


def test_answering_costs_the_same_queries_with_10_and_1000_questions_in_the_bank(trainee_client, trainee):
    small = answer_query_count(trainee_client, trainee, 10)
    large = answer_query_count(trainee_client, trainee, 1000)

    # session, user, attempt, question (with its position in the attempt), its options, its sources (and
    # nothing else: only other kinds have regions, accepted answers or stems); the question's position, is an
    # earlier question still open (the order rule); savepoint, lock the unfinished attempt (the lock finishing
    # takes), insert response, insert chosen options, stamp the attempt, add to the leaderboard totals (one upsert
    # of three rows: the first attempt at a quiz counts), read and write the question's review card, release;
    # tally, question count, next.
    assert small == large == 20


def test_before_any_answer_the_running_score_says_no_answers_yet(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)

    html = trainee_client.get(reverse("attempt_resume", args=[attempt.pk]), follow=True).content.decode()

    assert "No answers yet." in html and "Score so far" not in html and "0 of 0 points" not in html


def test_a_refused_submit_puts_focus_on_the_first_option_beside_the_error(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]

    plain = trainee_client.post(answer_url(attempt, question), {})
    htmx = trainee_client.post(answer_url(attempt, question), {}, **HTMX)

    for response in (plain, htmx):
        html = response.content.decode()
        assert response.status_code == 422 and 'id="answer-error"' in html
        assert html.count("autofocus") == 1 and re.search(r'id="option-A"[^>]*autofocus', html)


def test_the_summary_lists_each_questions_options_in_the_order_the_trainee_saw_them(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    trainee_client.post(
        answer_url(attempt, question), {"answer": label_of(attempt, question, wrong_choices(question)[0])}
    )
    attempt_finish(attempt=attempt)
    attempt.refresh_from_db()

    html = trainee_client.get(reverse("attempt_summary", args=[attempt.pk])).content.decode()

    seen = [option.choice.text for option in presented_options(question, attempt.shuffle_seed)]
    positions = [html.index(f"</span> {text}") for text in seen]
    assert positions == sorted(positions)
