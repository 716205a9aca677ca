"""Short-answer (typed diagnosis) questions through the web: the text box, its refusals, the feedback, exam
mode, and no accepted answer in any page or fragment before the answer is marked."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AcceptedAnswer, Attempt, Response, Tag
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_save
from quizzes.services.practice import mistakes_start, review_start, tag_practice_start, these_start
from tests.factories import (
    HTMX,
    card_due,
    make_question,
    make_quiz,
    make_short_answer_question,
    make_user,
    questions_of,
    time_is,
)
from tests.views.test_attempts import answer_queries
from tests.views.test_no_answer_leakage import assert_pages_ignore_the_key

pytestmark = pytest.mark.django_db
EXAM = Attempt.Mode.EXAM

SECRET_ACCEPTED = [
    ("XYZZY-ACCEPTED-FULL", "1", "XYZZY-FEEDBACK-FULL"),
    ("XYZZY-ACCEPTED-HALF*", "0.5", "XYZZY-FEEDBACK-HALF"),
]
SECRETS = ["XYZZY-ACCEPTED", "XYZZY-FEEDBACK", "XYZZY-EXPLANATION", "XYZZY-LEARNING"]


def answer_url(attempt, question):
    return reverse("answer", args=[attempt.pk, question.pk])


def question_url(attempt, question):
    return reverse("question_show", args=[attempt.pk, question.pk])


def exam_url(name, attempt, question):
    return reverse(name, args=[attempt.pk, question.pk])


@pytest.fixture
def typed_quiz(db):
    """A published quiz: a short answer first, then a single-best-answer question."""
    quiz = make_quiz(questions=0, exam_minutes=30, title="Patterns")
    make_short_answer_question(quiz=quiz, order=1)
    make_question(quiz=quiz, order=2)
    return quiz


@pytest.fixture
def secret_quiz(db):
    quiz = make_quiz(questions=0, exam_minutes=30)
    make_short_answer_question(
        quiz=quiz,
        order=1,
        accepted=SECRET_ACCEPTED,
        explanation="XYZZY-EXPLANATION",
        learning_point="XYZZY-LEARNING-POINT",
    )
    make_question(quiz=quiz, order=2)
    return quiz


def key_changed(question):
    """Another answer key: other texts, weights and feedback for every accepted answer."""

    def change():
        for n, accepted in enumerate(question.accepted_answers.all()):
            AcceptedAnswer.objects.filter(pk=accepted.pk).update(
                text=f"other answer {n}", weight=Decimal(1) - accepted.weight, feedback=f"other feedback {n}"
            )

    return change


def assert_no_secret(html, where):
    for secret in SECRETS:
        assert secret not in html, f"{secret} on {where}"


def tutor_requests(client, attempt, question):
    """Every page and fragment a trainee can get of an unanswered question in a tutor attempt."""
    return [
        (f"{attempt.kind} question page", lambda: client.get(question_url(attempt, question))),
        (f"{attempt.kind} resume", lambda: client.get(reverse("attempt_resume", args=[attempt.pk]), follow=True)),
        (f"{attempt.kind} 422 page", lambda: client.post(answer_url(attempt, question), {"answer": ""})),
        (f"{attempt.kind} 422 fragment", lambda: client.post(answer_url(attempt, question), {"answer": ""}, **HTMX)),
        (
            f"{attempt.kind} 422 fragment, too long",
            lambda: client.post(answer_url(attempt, question), {"answer": "x" * 201}, **HTMX),
        ),
    ]


def attempts_holding_it_unanswered(trainee, question, **wrong_answer) -> list[Attempt]:
    """Every kind of tutor attempt with `question` unanswered: another attempt at its quiz, and the practice
    sets (mistakes, due today, a tag, "practise these") that hold it after `wrong_answer` to it."""
    question.tags.add(tag := Tag.objects.create(name="Practised", slug="practised"))
    first = attempt_start(user=trainee, quiz=question.quiz)
    answer_submit(attempt=first, question=question, **wrong_answer)
    attempt_finish(attempt=first)
    card_due(trainee, question, timezone.now() - datetime.timedelta(minutes=1))
    return [
        attempt_start(user=trainee, quiz=question.quiz),
        mistakes_start(user=trainee),
        review_start(user=trainee),
        tag_practice_start(user=trainee, tag=tag),
        these_start(user=trainee, attempt=first, only_wrong=True),
    ]


def preview_request(admin_client, question):
    preview = reverse("admin:quizzes_question_preview", args=[question.pk])
    return "preview as trainee", lambda: admin_client.get(preview)


def test_no_tutor_page_or_fragment_holds_an_accepted_answer_before_answering(
    client, trainee, secret_quiz, admin_client
):
    client.force_login(trainee)
    question = questions_of(secret_quiz)[0]
    attempts = attempts_holding_it_unanswered(trainee, question, typed="sarcoidosis")
    requests = [request for attempt in attempts for request in tutor_requests(client, attempt, question)]
    requests.append(preview_request(admin_client, question))

    for where, make in requests:
        assert_no_secret(make().content.decode(), where)
    assert_pages_ignore_the_key(requests, key_changed(question))
    assert Response.objects.count() == 1  # the first attempt's: no refused form recorded anything


def test_no_exam_page_or_fragment_holds_an_accepted_answer_or_marks_a_saved_one(trainee_client, trainee, secret_quiz):
    question, second = questions_of(secret_quiz)
    client = trainee_client
    with time_is(timezone.now()):
        exam = attempt_start(user=trainee, quiz=secret_quiz, mode=EXAM)
        exam_answer_save(attempt=exam, question=question, typed="XYZZY-ACCEPTED-FULL")
        saved = {"answer": "XYZZY-ACCEPTED-FULL"}
        requests = [
            ("page", lambda: client.get(exam_url("exam_question", exam, question))),
            ("422 page", lambda: client.post(exam_url("exam_answer", exam, question), {"answer": ""})),
            ("422 fragment", lambda: client.post(exam_url("exam_answer", exam, question), {"answer": ""}, **HTMX)),
            ("saved fragment", lambda: client.post(exam_url("exam_answer", exam, question), saved, **HTMX)),
            ("saved, next", lambda: client.post(exam_url("exam_answer", exam, question), saved, follow=True)),
            ("flagged", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "1"}, **HTMX)),
            ("unflagged", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "0"}, **HTMX)),
            ("flag 422", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "x"})),
            ("second question", lambda: client.get(exam_url("exam_question", exam, second))),
            ("review", lambda: client.get(reverse("exam_review", args=[exam.pk]))),
            ("tutor 409", lambda: client.post(answer_url(exam, question), saved, **HTMX)),
            ("quiz page", lambda: client.get(secret_quiz.get_absolute_url())),
        ]

        for where, make in requests:
            html = make().content.decode()
            # The trainee's own text is shown back as saved ("XYZZY-ACCEPTED-FULL"), and nothing else.
            for secret in ["XYZZY-ACCEPTED-HALF", *SECRETS[1:]]:
                assert secret not in html, f"{secret} on {where}"
            for word in ("Correct", "Incorrect", "points", "matched", "Model answer"):
                assert word not in html, f"{word!r} on {where}"
        assert_pages_ignore_the_key(requests, key_changed(question))

        # Once finished, the results mark it.
        attempt_finish(attempt=exam)
        summary = client.get(reverse("attempt_summary", args=[exam.pk])).content.decode()
    assert "It matched none of the accepted answers." in summary  # the key changed: none takes it now
    assert 'You typed: <strong class="typed-text">“XYZZY-ACCEPTED-FULL”</strong>' in summary


def test_the_text_box_is_labelled_limited_and_neither_remembered_nor_spellchecked(trainee_client, trainee, typed_quiz):
    attempt = attempt_start(user=trainee, quiz=typed_quiz)

    html = trainee_client.get(question_url(attempt, questions_of(typed_quiz)[0])).content.decode()

    assert '<label for="typed-answer">Your answer</label>' in html
    for attribute in ('type="text"', 'name="answer"', 'maxlength="200"', 'autocomplete="off"', 'spellcheck="false"'):
        assert attribute in html
    assert "nor does a small spelling slip in a longer word" in html


def test_feedback_shows_the_typed_answer_what_it_matched_its_feedback_the_model_answer_and_the_explanation(
    trainee_client, trainee, typed_quiz
):
    attempt = attempt_start(user=trainee, quiz=typed_quiz)
    question = questions_of(typed_quiz)[0]

    fragment = trainee_client.post(answer_url(attempt, question), {"answer": "Metastases!"}, **HTMX)
    page = trainee_client.get(question_url(attempt, question))

    for html in (fragment.content.decode(), page.content.decode()):
        assert 'You typed: <strong class="typed-text">“Metastases!”</strong>' in html
        assert "It matched the accepted answer <strong>“metastases”</strong>, worth 50% of the marks." in html
        assert "Be specific about the pattern." in html
        assert "Model answer: <strong>miliary metastases</strong>" in html
        assert question.explanation in html and "5 of 10 points" in html and "partial credit" in html
    assert fragment.status_code == 200


def test_feedback_says_when_no_accepted_answer_matched(trainee_client, trainee, typed_quiz):
    attempt = attempt_start(user=trainee, quiz=typed_quiz)
    question = questions_of(typed_quiz)[0]

    html = trainee_client.post(answer_url(attempt, question), {"answer": "sarcoidosis"}, **HTMX).content.decode()

    assert "It matched none of the accepted answers." in html and "Incorrect" in html
    assert "Model answer: <strong>miliary metastases</strong>" in html


@pytest.mark.parametrize(
    ("posted", "message"),
    [({"answer": ""}, "Type your answer."), ({"answer": "x" * 201}, "Keep your answer to 200 characters or fewer.")],
)
def test_an_empty_or_overlong_answer_is_refused_with_422_and_records_nothing(
    trainee_client, trainee, typed_quiz, posted, message
):
    attempt = attempt_start(user=trainee, quiz=typed_quiz)
    question = questions_of(typed_quiz)[0]

    page = trainee_client.post(answer_url(attempt, question), posted)
    fragment = trainee_client.post(answer_url(attempt, question), posted, **HTMX)

    for response in (page, fragment):
        html = response.content.decode()
        assert response.status_code == 422 and message in html
        assert 'id="typed-answer"' in html and 'aria-invalid="true" autofocus' in html
    assert not Response.objects.exists()


def test_the_exam_page_shows_the_saved_answer_and_the_results_mark_it(trainee_client, trainee, typed_quiz):
    exam = attempt_start(user=trainee, quiz=typed_quiz, mode=EXAM)
    question = questions_of(typed_quiz)[0]

    saved = trainee_client.post(exam_url("exam_answer", exam, question), {"answer": "metastases"}, **HTMX)
    changed = trainee_client.post(exam_url("exam_answer", exam, question), {"answer": "miliary metastases"})
    page = trainee_client.get(exam_url("exam_question", exam, question)).content.decode()

    assert "your saved answer is “metastases”" in saved.content.decode()
    assert changed.status_code == 302
    assert 'value="miliary metastases"' in page and "your saved answer is “miliary metastases”" in page
    attempt_finish(attempt=exam)
    summary = trainee_client.get(reverse("attempt_summary", args=[exam.pk])).content.decode()
    assert "It matched the accepted answer <strong>“miliary metastases”</strong>." in summary
    assert "10 of 10 points" in summary


def test_answering_in_the_preview_shows_the_feedback_and_records_nothing(admin_client, typed_quiz):
    question = questions_of(typed_quiz)[0]
    preview = reverse("admin:quizzes_question_preview", args=[question.pk])

    html = admin_client.post(preview, {"answer": "haematogenous metastases"}).content.decode()

    assert "It matched the accepted answer <strong>“haematogenous metastases”</strong>." in html
    assert "Preview: nothing was recorded." in html
    assert not Response.objects.exists()


# --- cost --------------------------------------------------------------------------------------------


def answer_query_count(client, make, answer, quiz_size):
    """Queries of one htmx answer to the first question (made by `make`) of a quiz of `quiz_size` questions,
    by a new trainee; `answer(attempt, question)` is what is posted."""
    user = make_user()
    client.force_login(user)
    quiz = make_quiz(questions=0)
    make(quiz=quiz, order=0)
    for order in range(1, quiz_size):
        make_question(quiz=quiz, order=order)
    attempt = attempt_start(user=user, quiz=quiz)
    question = questions_of(quiz)[0]
    posted = answer(attempt, question)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(answer_url(attempt, question), posted, **HTMX)
    assert response.status_code == 200 and "Correct" in response.content.decode()
    return len(queries)


def single_best_answer(attempt, question):
    from tests.views.test_attempts import label_of

    return {"answer": label_of(attempt, question, question.choices.get(is_correct=True))}


def typed_right(_attempt, _question):
    return {"answer": "Miliary metastases"}


def test_a_short_answer_costs_a_fixed_number_of_queries_no_more_than_a_single_best_answer(as_in_production, client):
    typed = [answer_query_count(client, make_short_answer_question, typed_right, n) for n in (10, 300)]
    single = answer_query_count(client, make_question, single_best_answer, 10)

    # As a single best answer (tests/views/test_attempts.py: answer_queries) but with no chosen options to
    # insert (what was typed and the accepted answer it matched are columns of the response).
    assert typed == [answer_queries(rows=False)] * 2 and single == answer_queries()
    assert answer_queries(rows=False) <= answer_queries()
