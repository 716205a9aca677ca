"""Taking a quiz through the web: start, answer (HTMX and plain), finish, summary, access rules."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, LeaderboardEntry, Question, Quiz, Response, ReviewCard
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import (
    HTMX,
    make_hotspot_question,
    make_question,
    make_quiz,
    questions_of,
    right_choices,
    take_quiz,
    wrong_choices,
)

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
    following = reverse("question_show", args=[attempt.pk, questions_of(quiz)[1].pk])
    assert f'<a class="button" href="{following}" hx-boost="true">Next question</a>' in html


def test_answering_ahead_of_an_open_question_is_refused_and_records_nothing(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    _first, second, _third = questions_of(quiz)

    htmx = trainee_client.post(answer_url(attempt, second), right_answer(attempt, second), **HTMX)

    assert htmx.status_code == 409 and "this one is not open yet" in htmx.content.decode()
    attempt.refresh_from_db()
    assert not Response.objects.exists() and (attempt.answered_count, attempt.last_answered_at) == (0, None)


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


def bank_of(size: int) -> Quiz:
    """A quiz of `size` questions: one of each kind first (with its options, or a hotspot image and its
    target), then plain questions made in bulk (without options: nothing here reads them)."""
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, order=1)
    make_question(quiz=quiz, order=2, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)])
    make_question(quiz=quiz, order=3, kind=Question.Kind.TRUE_FALSE, options=[("True", True), ("False", False)])
    make_hotspot_question(quiz=quiz, order=4)
    Question.objects.bulk_create(
        Question(quiz=quiz, key=f"filler-{n}", order=n, stem="?", explanation=".", learning_point=".")
        for n in range(5, size + 1)
    )
    return quiz


def right_answer(attempt, question) -> dict:
    if question.is_hotspot:
        return {"x": "0.5", "y": "0.5"}  # the middle of the image: inside its target
    return {"answer": [label_of(attempt, question, choice) for choice in right_choices(question)]}


def counted(work) -> tuple[int, str]:
    """How many queries `work()` made, and the page it returned."""
    with CaptureQueriesContext(connection) as queries:
        response = work()
    assert response.status_code == 200
    return len(queries), response.content.decode()


def costs_by_kind(client, user, size) -> dict[str, tuple[int, int, int]]:
    """For the first question of each kind, in turn: the queries of its page, of its answer (htmx),
    and of its page once answered."""
    quiz = bank_of(size)
    attempt = attempt_start(user=user, quiz=quiz)
    costs = {}
    questions = quiz.questions.in_quiz_order().prefetch_related("choices", "regions")[:4]
    for position, question in enumerate(questions, start=1):
        url = reverse("question_show", args=[attempt.pk, question.pk])
        page, html = counted(lambda url=url: client.get(url))
        assert f"Question {position} of {size}" in html
        answer, html = counted(lambda q=question: client.post(answer_url(attempt, q), right_answer(attempt, q), **HTMX))
        assert "Correct" in html and f"{position} of {size} answered" in html
        answered, html = counted(lambda url=url: client.get(url))
        assert "Your answer" in html or "inside the target" in html
        costs[question.kind] = (page, answer, answered)
    return costs


def answer_queries(*, rows: bool = True, ranked: bool = True) -> int:
    """An answer's queries as production makes them: the user; one query for the attempt, the question, its
    place, the trainee's review card, what feedback shows beside it and the question's parts; BEGIN; the
    UPDATE that takes the attempt's lock, checks that it is unfinished and the question open, stamps it and
    adds to its running tally; then the writes; COMMIT. On PostgreSQL the writes are one statement (data-
    modifying CTEs: quizzes/services/attempts.py, answer_recorded); SQLite has no such statement and runs
    them one by one: the response, its rows (`rows`: chosen options or matches), the leaderboard upsert
    (`ranked`: the attempt that counts) and the review card's upsert."""
    if connection.vendor == "postgresql":
        return 6
    return 4 + 1 + rows + ranked + 1 + 1


def test_each_kinds_page_and_answer_cost_the_same_few_queries_with_10_and_10000_questions(
    as_in_production, trainee_client, trainee
):
    small = costs_by_kind(trainee_client, trainee, 10)
    large = costs_by_kind(trainee_client, trainee, 10_000)

    # The session comes from the cache. The page: the user (the middleware); the attempt, the question,
    # its place and state (answered, open in the order), what feedback shows beside it and the question's
    # options, stems, regions, accepted answers and sources (one query: quizzes/question_parts.py); the
    # header's count of cohort assignments due.
    # The answer: answer_queries. The feedback is rendered from what it read and wrote.
    # The page once answered: the user, the one query, the answer, its chosen options (not for a hotspot),
    # the header's count.
    choices, hotspot = (3, answer_queries(), 5), (3, answer_queries(rows=False), 4)
    expected = {"single": choices, "multiple": choices, "true_false": choices, "hotspot": hotspot}
    assert max(answer for _page, answer, _answered in expected.values()) <= 9
    assert small == large == expected


def test_a_practice_answer_costs_a_query_less_it_counts_for_no_leaderboard(as_in_production, trainee_client, trainee):
    quiz = make_quiz(questions=2)
    question = questions_of(quiz)[0]
    counted_attempt = take_quiz(trainee, quiz, [True])  # the attempt that counts; the question's card exists
    attempt_finish(attempt=counted_attempt)
    practice = attempt_start(user=trainee, quiz=quiz)
    board = list(LeaderboardEntry.objects.values_list("board", "points"))

    queries, html = counted(
        lambda: trainee_client.post(answer_url(practice, question), right_answer(practice, question), **HTMX)
    )

    # As a first answer, without the leaderboard; the card read with the question is written in one upsert.
    assert queries == answer_queries(ranked=False) and "Correct" in html
    assert list(LeaderboardEntry.objects.values_list("board", "points")) == board
    assert ReviewCard.objects.get(user=trainee, question=question).reviews == 2


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
