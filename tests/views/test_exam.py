"""Exam mode through the web: choosing it, saving and changing answers, flags, moving between questions,
"Submit all", the time limit enforced by the server, and nothing marked before the end."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from quizzes.models import Attempt, AttemptQuestion, HotspotRegion, LeaderboardEntry, Question, Response
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_save, exam_flag_set
from tests.factories import (
    HTMX,
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
    questions_of,
    right_choices,
    stem_answers,
    time_is,
    wrong_choices,
)
from tests.views.test_no_answer_leakage import option_blocks_without_their_text

pytestmark = pytest.mark.django_db
EXAM = Attempt.Mode.EXAM


@pytest.fixture
def exam_quiz(db):
    return make_quiz(questions=3, exam_minutes=20, title="Spinal metastases")


@pytest.fixture
def exam(trainee, exam_quiz):
    return attempt_start(user=trainee, quiz=exam_quiz, mode=EXAM)


def label_of(attempt, question, choice):
    return next(option.label for option in presented_options(question, attempt.shuffle_seed) if option.choice == choice)


def page_url(attempt, question):
    return reverse("exam_question", args=[attempt.pk, question.pk])


def save_url(attempt, question):
    return reverse("exam_answer", args=[attempt.pk, question.pk])


def flag_url(attempt, question):
    return reverse("exam_flag", args=[attempt.pk, question.pk])


def review_url(attempt):
    return reverse("exam_review", args=[attempt.pk])


def checked_labels(html):
    return re.findall(r'value="([A-Z])"\s+checked', html)


# --- choosing the mode ---------------------------------------------------------------------------


def test_the_quiz_page_offers_exam_mode_with_its_time_limit(trainee_client, exam_quiz):
    html = trainee_client.get(exam_quiz.get_absolute_url()).content.decode()

    assert "Start quiz (tutor mode)" in html and "Start exam (20 min)" in html
    assert "20 minutes for all the questions, with no feedback or score until you submit" in html


@pytest.mark.parametrize("fields", [{"exam_minutes": None}, {"kind": "case"}])
def test_case_quizzes_and_quizzes_without_a_time_limit_offer_tutor_mode_only(trainee_client, trainee, fields):
    quiz = make_quiz(questions=2, **fields)

    html = trainee_client.get(quiz.get_absolute_url()).content.decode()
    response = trainee_client.post(reverse("attempt_start", args=[quiz.slug]), {"mode": "exam"}, follow=True)

    assert "Start exam" not in html and "Exam mode" not in html
    assert response.redirect_chain[-1][0] == quiz.get_absolute_url()
    assert "has no exam mode: take it in tutor mode" in response.content.decode()
    assert not Attempt.objects.exists()


def test_starting_an_exam_sets_its_deadline_and_opens_question_1(trainee_client, trainee, exam_quiz):
    with time_is(timezone.now()):
        response = trainee_client.post(reverse("attempt_start", args=[exam_quiz.slug]), {"mode": "exam"}, follow=True)

    exam = Attempt.objects.get(user=trainee)
    assert exam.is_exam and exam.deadline - exam.started_at == datetime.timedelta(minutes=20)
    assert response.redirect_chain[-1][0] == page_url(exam, questions_of(exam_quiz)[0])
    html = response.content.decode()
    assert "Question 1 of 3" in html and "Stem of question 1?" in html
    assert f'<time datetime="{exam.deadline.isoformat()}"' in html
    assert "Time remaining:" in html and "20 min 00 s" in html


def test_starting_without_a_mode_is_tutor_mode(trainee_client, trainee, exam_quiz):
    trainee_client.post(reverse("attempt_start", args=[exam_quiz.slug]))

    assert Attempt.objects.get(user=trainee).mode == Attempt.Mode.TUTOR


# --- saving, changing, moving between questions --------------------------------------------------


def test_saving_an_answer_goes_to_the_next_question_and_marks_it_answered(trainee_client, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)

    response = trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, right_choices(first)[0])})

    assert response.status_code == 302 and response["Location"] == page_url(exam, second)
    html = trainee_client.get(response["Location"]).content.decode()
    assert "Answer to question 1 saved." in html
    assert re.search(r">Question 1</button>:\s+answered", html) and re.search(
        r">Question 2</button>:\s+not answered", html
    )
    assert "1 of 3 answered, 2 not answered, 0 flagged for review." in html


def test_going_back_shows_the_saved_answer_and_changing_it_updates_the_one_response(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]
    right, wrong = right_choices(first)[0], wrong_choices(first)[0]
    trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, right)})

    before = trainee_client.get(page_url(exam, first)).content.decode()
    trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, wrong)})
    after = trainee_client.get(page_url(exam, first)).content.decode()

    assert checked_labels(before) == [label_of(exam, first, right)]
    assert f"your saved answer is {label_of(exam, first, right)}" in before
    assert checked_labels(after) == [label_of(exam, first, wrong)]
    response = Response.objects.get()
    assert list(response.chosen.all()) == [wrong] and not response.is_correct


def test_clearing_an_answer_makes_the_question_unanswered_again(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]
    trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, right_choices(first)[0])})

    response = trainee_client.post(reverse("exam_clear", args=[exam.pk, first.pk]), follow=True)

    assert "Answer to question 1 cleared" in response.content.decode()
    assert "Not answered yet." in response.content.decode() and checked_labels(response.content.decode()) == []
    assert not Response.objects.exists()


def go_button(position):
    return f'form="answer-form" name="go" value="{position}"'


def test_previous_and_next_are_buttons_of_the_answer_form(trainee_client, exam, exam_quiz):
    first, second, third = questions_of(exam_quiz)

    at_first = trainee_client.get(page_url(exam, first)).content.decode()
    at_second = trainee_client.get(page_url(exam, second)).content.decode()
    at_third = trainee_client.get(page_url(exam, third)).content.decode()

    assert "Previous question" not in at_first and f'{go_button(2)} class="secondary">Next question' in at_first
    assert f'{go_button(1)} class="secondary">Previous question' in at_second
    assert f'{go_button(3)} class="secondary">Next question' in at_second
    assert f'{go_button(2)} class="secondary">Previous question' in at_third and "Next question" not in at_third
    assert (
        'id="answer-form"' in at_first and f'{go_button("review")} class="secondary">Review and submit all' in at_first
    )
    # Any question can be opened in any order, unlike tutor mode.
    assert "Stem of question 3?" in at_third and 'aria-current="page">Question 3</button>' in at_third


@pytest.mark.parametrize(("go", "lands_on"), [("1", "first"), ("3", "third"), ("review", "review")])
def test_every_navigation_button_saves_the_chosen_answer_then_goes_where_it_leads(
    trainee_client, exam, exam_quiz, go, lands_on
):
    first, second, third = questions_of(exam_quiz)
    chosen = wrong_choices(second)[0]

    response = trainee_client.post(save_url(exam, second), {"answer": label_of(exam, second, chosen), "go": go})

    destinations = {"first": page_url(exam, first), "third": page_url(exam, third), "review": review_url(exam)}
    assert response.status_code == 302 and response["Location"] == destinations[lands_on]
    assert list(Response.objects.get(attempt=exam, question=second).chosen.all()) == [chosen]


def test_a_navigation_button_with_nothing_chosen_moves_on_and_keeps_the_saved_answer(trainee_client, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))

    response = trainee_client.post(save_url(exam, second), {"go": "1"})

    assert response["Location"] == page_url(exam, first)
    assert not Response.objects.filter(question=second).exists()
    assert Response.objects.get(question=first).is_correct


def test_a_change_saved_by_htmx_stays_on_the_question_and_updates_the_navigator(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]
    label = label_of(exam, first, wrong_choices(first)[0])

    response = trainee_client.post(save_url(exam, first), {"answer": label}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and f"Answered: your saved answer is {label}." in html
    assert 'id="exam-navigator"' in html and 'hx-swap-oob="true"' in html
    assert "1 of 3 answered, 2 not answered, 0 flagged for review." in html
    assert re.search(r">Question 1</button>:\s+answered", html)
    assert Response.objects.get(attempt=exam, question=first).chosen.get() == wrong_choices(first)[0]


def test_a_change_to_no_answer_by_htmx_says_it_was_not_saved(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))

    response = trainee_client.post(save_url(exam, first), {"answer": "Z"}, **HTMX)

    assert response.status_code == 422 and "Not saved:" in response.content.decode()
    assert Response.objects.get(question=first).is_correct


def test_the_answer_form_saves_on_every_change_with_htmx(trainee_client, exam, exam_quiz):
    html = trainee_client.get(page_url(exam, questions_of(exam_quiz)[0])).content.decode()

    form = html.split('id="answer-form"')[1].split(">")[0]
    assert 'hx-trigger="change"' in form and 'hx-target="#exam-state"' in form


def test_flagging_with_htmx_swaps_the_flag_and_the_navigator_without_a_reload(trainee_client, exam, exam_quiz):
    second = questions_of(exam_quiz)[1]

    response = trainee_client.post(flag_url(exam, second), {"flagged": "1"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and 'id="exam-flag"' in html and "Remove flag" in html
    assert "0 of 3 answered, 3 not answered, 1 flagged for review." in html
    assert re.search(r">Question 2</button>:\s+not answered, <span class=\"flag-word\">", html)
    assert html.count('hx-swap-oob="true"') == 2 and "<!doctype" not in html
    assert AttemptQuestion.objects.get(attempt=exam, question=second).is_flagged


def test_saving_the_last_question_goes_to_the_review_page(trainee_client, exam, exam_quiz):
    last = questions_of(exam_quiz)[-1]

    response = trainee_client.post(save_url(exam, last), {"answer": label_of(exam, last, right_choices(last)[0])})

    assert response["Location"] == review_url(exam)


def test_flagging_and_unflagging_shows_in_the_navigator_in_words(trainee_client, exam, exam_quiz):
    second = questions_of(exam_quiz)[1]

    flagged = trainee_client.post(flag_url(exam, second), {"flagged": "1"}, follow=True).content.decode()
    assert AttemptQuestion.objects.get(attempt=exam, question=second).is_flagged
    assert "Question 2 flagged for review." in flagged and "Flagged for review." in flagged
    assert re.search(r">Question 2</button>:\s+not answered, <span class=\"flag-word\">.*?flagged</span>", flagged)
    assert "Remove flag" in flagged

    unflagged = trainee_client.post(flag_url(exam, second), {"flagged": "0"}, follow=True).content.decode()
    assert not AttemptQuestion.objects.filter(is_flagged=True).exists()
    assert "Flag taken off question 2." in unflagged and "Flag for review" in unflagged


def test_the_review_page_lists_unanswered_and_flagged_questions(trainee_client, exam, exam_quiz):
    first, _second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))
    exam_flag_set(attempt=exam, question=first, flagged=True)

    html = trainee_client.get(review_url(exam)).content.decode()

    assert "You have answered 1 of 3 questions." in html
    unanswered = html.split('id="unanswered-heading"')[1].split('id="flagged-heading"')[0]
    assert "Not answered (2)" in html and "Question 2" in unanswered and "Question 3" in unanswered
    assert "Question 1" not in unanswered
    assert "Flagged for review (1)" in html and f'<a href="{page_url(exam, first)}">Question 1</a>: answered' in html
    assert f'action="{reverse("attempt_finish", args=[exam.pk])}"' in html and "Submit all answers" in html


def test_submit_all_finishes_the_exam_and_the_leaderboard_counts_it_then(trainee_client, trainee, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)
    trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, right_choices(first)[0])})
    trainee_client.post(save_url(exam, second), {"answer": label_of(exam, second, wrong_choices(second)[0])})
    assert not LeaderboardEntry.objects.exists()

    response = trainee_client.post(reverse("attempt_finish", args=[exam.pk]), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("attempt_summary", args=[exam.pk])
    assert "10 / 30 (33%)" in html and "Not answered" in html and "Time ran out" not in html
    exam.refresh_from_db()
    entry = LeaderboardEntry.objects.get(board=LeaderboardEntry.ALL_TIME, user=trainee)
    assert (entry.points, entry.answered, entry.correct) == (exam.score, 2, 1)


def test_a_hotspot_question_takes_a_point_in_an_exam(trainee_client, trainee):
    quiz = make_quiz(questions=0, exam_minutes=10)
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, "PNG")
    question = make_question(
        quiz=quiz,
        kind=Question.Kind.HOTSPOT,
        options=[],
        image_alt="A schematic chest",
        image=ContentFile(buffer.getvalue(), name="chest.png"),
    )
    HotspotRegion.objects.create(
        question=question, shape="ellipse", geometry={"cx": 0.5, "cy": 0.5, "rx": 0.2, "ry": 0.2}
    )
    exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)

    page = trainee_client.get(page_url(exam, question)).content.decode()
    saved = trainee_client.post(save_url(exam, question), {"x": "0.5", "y": "0.5"})

    assert "data-hotspot-form" in page and 'type="image" name="point"' in page
    assert saved["Location"] == review_url(exam)
    response = Response.objects.get()
    assert (response.point_x, response.point_y) == (0.5, 0.5)
    again = trainee_client.get(page_url(exam, question)).content.decode()
    assert "your saved point is 50% across, 50% down" in again and 'name="x" value="0.5000"' in again


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"answer": "Z"}, {"answer": ["A", "B"]}])
def test_invalid_input_is_refused_with_the_form_error_and_changes_nothing(trainee_client, exam, exam_quiz, data):
    first = questions_of(exam_quiz)[0]

    plain = trainee_client.post(save_url(exam, first), data)
    htmx = trainee_client.post(save_url(exam, first), data, **HTMX)

    assert plain.status_code == htmx.status_code == 422
    assert "<html" in plain.content.decode() and 'id="answer-error"' in plain.content.decode()
    assert "<html" not in htmx.content.decode() and 'role="alert"' in htmx.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("data", [{}, {"answer": "Z"}])
def test_a_finished_exam_refuses_an_answer_before_looking_at_the_form(trainee_client, exam, exam_quiz, data):
    # "This exam is finished" is what the trainee needs to hear, not what was wrong with the form.
    first = questions_of(exam_quiz)[0]
    attempt_finish(attempt=exam)

    htmx = trainee_client.post(save_url(exam, first), data, **HTMX)
    plain = trainee_client.post(save_url(exam, first), data)

    assert htmx.status_code == 409 and "This attempt is finished" in htmx.content.decode()
    assert 'id="answer-error"' not in htmx.content.decode()
    assert plain["Location"] == reverse("attempt_summary", args=[exam.pk])
    assert not Response.objects.exists()


def test_an_exam_out_of_time_refuses_an_invalid_form_saying_time_is_up(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]

    with time_is(exam.deadline + datetime.timedelta(seconds=1)):
        response = trainee_client.post(save_url(exam, first), {"answer": "Z"}, **HTMX)

    assert response.status_code == 409 and "Time is up" in response.content.decode()


def test_an_unknown_flag_value_is_refused(trainee_client, exam, exam_quiz):
    response = trainee_client.post(flag_url(exam, questions_of(exam_quiz)[0]), {"flagged": "maybe"})

    assert response.status_code == 422 and "Say whether to flag the question" in response.content.decode()
    assert not AttemptQuestion.objects.filter(is_flagged=True).exists()


def test_the_tutor_pages_send_an_exam_to_the_exam_pages(trainee_client, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))

    resume = trainee_client.get(reverse("attempt_resume", args=[exam.pk]))
    show = trainee_client.get(reverse("question_show", args=[exam.pk, first.pk]))

    assert resume["Location"] == page_url(exam, second)  # the first unanswered question
    assert show["Location"] == page_url(exam, first)


def test_the_tutor_answer_route_refuses_an_exam_answer(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]
    label = label_of(exam, first, right_choices(first)[0])

    htmx = trainee_client.post(reverse("answer", args=[exam.pk, first.pk]), {"answer": label}, **HTMX)
    plain = trainee_client.post(reverse("answer", args=[exam.pk, first.pk]), {"answer": label}, follow=True)

    assert htmx.status_code == 409 and "This attempt is an exam" in htmx.content.decode()
    assert "Correct" not in htmx.content.decode()
    assert "This attempt is an exam" in plain.content.decode()
    assert not Response.objects.exists()


def test_a_tutor_attempt_is_not_served_by_the_exam_pages(trainee_client, trainee, exam_quiz):
    tutor = attempt_start(user=trainee, quiz=exam_quiz)
    first = questions_of(exam_quiz)[0]

    page = trainee_client.get(page_url(tutor, first))
    label = label_of(tutor, first, right_choices(first)[0])
    saved = trainee_client.post(save_url(tutor, first), {"answer": label}, **HTMX)

    assert page["Location"] == reverse("attempt_resume", args=[tutor.pk])
    assert saved.status_code == 409 and "tutor mode" in saved.content.decode()
    assert not Response.objects.exists()


def test_another_trainees_exam_is_not_found(trainee_client, other_trainee, exam_quiz):
    theirs = attempt_start(user=other_trainee, quiz=exam_quiz, mode=EXAM)
    first = questions_of(exam_quiz)[0]

    assert trainee_client.get(page_url(theirs, first)).status_code == 404
    assert trainee_client.get(review_url(theirs)).status_code == 404
    assert trainee_client.post(save_url(theirs, first), {"answer": "A"}).status_code == 404
    assert trainee_client.post(flag_url(theirs, first), {"flagged": "1"}).status_code == 404
    assert trainee_client.post(reverse("exam_clear", args=[theirs.pk, first.pk])).status_code == 404
    assert not Response.objects.exists() and not AttemptQuestion.objects.filter(is_flagged=True).exists()


# --- the time limit, enforced by the server --------------------------------------------------------


def test_an_answer_after_the_time_limit_is_refused_and_the_exam_finished_at_its_deadline(
    trainee_client, exam, exam_quiz
):
    first, second, _third = questions_of(exam_quiz)
    trainee_client.post(save_url(exam, first), {"answer": label_of(exam, first, right_choices(first)[0])})

    with time_is(exam.deadline + datetime.timedelta(seconds=30)):
        late = trainee_client.post(save_url(exam, second), {"answer": label_of(exam, second, right_choices(second)[0])})
        summary = trainee_client.get(late["Location"])

    assert late["Location"] == reverse("attempt_summary", args=[exam.pk])
    html = summary.content.decode()
    assert "Time is up: this exam has finished, and answers given after its time limit are not recorded." in html
    assert (
        f"Time ran out at {timezone.localtime(exam.deadline):%H:%M}; answered questions were scored, the rest count as unanswered."
    ) in html
    assert "10 / 30 (33%)" in html
    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and exam.score == 10 and exam.max_score == 30
    assert list(Response.objects.values_list("question", flat=True)) == [first.pk]


def test_an_htmx_answer_after_the_time_limit_gets_a_409_saying_so(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]

    with time_is(exam.deadline):
        response = trainee_client.post(save_url(exam, first), {"answer": "A"}, **HTMX)

    assert response.status_code == 409
    assert "Time is up" in response.content.decode() and "See your results" in response.content.decode()
    assert not Response.objects.exists()
    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline


@pytest.mark.parametrize("name", ["exam_question", "question_show", "attempt_resume", "exam_review", "attempt_summary"])
def test_the_next_request_after_expiry_finishes_the_exam_and_shows_the_results(trainee_client, exam, exam_quiz, name):
    first, second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))
    exam_answer_save(attempt=exam, question=second, chosen=wrong_choices(second)[:1])
    url = reverse(name, args=[exam.pk, first.pk] if "question" in name else [exam.pk])

    with time_is(exam.deadline + datetime.timedelta(hours=3)):
        response = trainee_client.get(url, follow=True)

    assert response.request["PATH_INFO"] == reverse("attempt_summary", args=[exam.pk])
    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and exam.score == 10
    html = response.content.decode()
    assert "Time ran out at" in html and html.count("Not answered") == 1


def test_flagging_after_the_time_limit_is_refused(trainee_client, exam, exam_quiz):
    with time_is(exam.deadline + datetime.timedelta(seconds=1)):
        response = trainee_client.post(flag_url(exam, questions_of(exam_quiz)[0]), {"flagged": "1"}, follow=True)

    assert "Time is up" in response.content.decode()
    assert not AttemptQuestion.objects.filter(is_flagged=True).exists()


def test_submitting_all_after_the_time_limit_finishes_as_of_the_deadline(trainee_client, exam):
    with time_is(exam.deadline + datetime.timedelta(minutes=7)):
        trainee_client.post(reverse("attempt_finish", args=[exam.pk]))

    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline


def test_an_answer_a_moment_before_the_time_limit_is_saved(trainee_client, exam, exam_quiz):
    first = questions_of(exam_quiz)[0]

    with time_is(exam.deadline - datetime.timedelta(seconds=1)):
        label = label_of(exam, first, right_choices(first)[0])
        response = trainee_client.post(save_url(exam, first), {"answer": label})

    assert response.status_code == 302 and Response.objects.count() == 1


def test_the_time_remaining_is_rendered_by_the_server(trainee_client, exam, exam_quiz):
    with time_is(exam.deadline - datetime.timedelta(minutes=4, seconds=5)):
        html = trainee_client.get(page_url(exam, questions_of(exam_quiz)[0])).content.decode()

    assert "<strong data-exam-remaining>4 min 05 s</strong>" in html
    server_now = (exam.deadline - datetime.timedelta(minutes=4, seconds=5)).isoformat()
    assert f'data-server-now="{server_now}"' in html
    assert re.search(r'<script src="[^"]*exam-timer\.js" nonce="[^"]+" defer></script>', html)


# --- nothing marked before the end -----------------------------------------------------------------

SECRETS = ("XYZZY-EXPLANATION", "XYZZY-LEARNING-POINT", "XYZZY-RATIONALE")


@pytest.fixture
def secret_quiz(db):
    """An exam whose explanations, learning points and rationales are strings no page says otherwise."""
    quiz = make_quiz(questions=0, exam_minutes=30)
    make_question(quiz=quiz, order=1, explanation="XYZZY-EXPLANATION one", learning_point="XYZZY-LEARNING-POINT one")
    make_question(
        quiz=quiz,
        order=2,
        kind=Question.Kind.MULTIPLE,
        explanation="XYZZY-EXPLANATION two",
        learning_point="XYZZY-LEARNING-POINT two",
        options=[("Alpha", True), ("Beta", False), ("Gamma", True), ("Delta", False)],
    )
    make_question(
        quiz=quiz,
        order=3,
        kind=Question.Kind.TRUE_FALSE,
        explanation="XYZZY-EXPLANATION three",
        learning_point="XYZZY-LEARNING-POINT three",
        options=[("True", False), ("False", True)],
    )
    for question in quiz.questions.prefetch_related("choices"):
        for choice in question.choices.all():
            choice.rationale = f"XYZZY-RATIONALE {choice.text}"
            choice.save()
    return quiz


def assert_nothing_marked(html, where):
    for secret in SECRETS:
        assert secret not in html, f"{secret} on {where}"
    for word in ("Correct", "Incorrect", "Right answer", "points", "Score so far", "is-right", "is-wrong", "tag-right"):
        assert word not in html, f"{word!r} on {where}"


def every_exam_page_and_fragment(client, exam, questions):
    first = questions[0]
    yield "review page", client.get(review_url(exam))
    for question in questions:
        yield f"question {question.order}", client.get(page_url(exam, question))
    yield "422 page", client.post(save_url(exam, first), {"answer": "Z"})
    yield "422 fragment", client.post(save_url(exam, first), {"answer": "Z"}, **HTMX)
    yield "flag 422 page", client.post(flag_url(exam, first), {"flagged": "x"})
    yield "tutor answer 409", client.post(reverse("answer", args=[exam.pk, first.pk]), {"answer": "A"}, **HTMX)
    yield "quiz page", client.get(exam.quiz.get_absolute_url())


def test_no_exam_page_or_fragment_marks_anything_before_the_exam_is_finished(trainee_client, trainee, secret_quiz):
    exam = attempt_start(user=trainee, quiz=secret_quiz, mode=EXAM)
    questions = questions_of(secret_quiz)

    for where, response in every_exam_page_and_fragment(trainee_client, exam, questions):
        assert_nothing_marked(response.content.decode(), f"{where}, before any answer")
    for question in questions:
        options = presented_options(question, exam.shuffle_seed)
        html = trainee_client.get(page_url(exam, question)).content.decode()
        assert len(set(option_blocks_without_their_text(html, options))) == 1, "options differ beyond their text"
        # A right answer to one, a wrong one to the others: the pages must look the same either way.
        chosen = right_choices(question)[:1] if question.order == 1 else wrong_choices(question)[:1]
        saved = trainee_client.post(
            save_url(exam, question), {"answer": [label_of(exam, question, c) for c in chosen]}, follow=True
        )
        assert_nothing_marked(saved.content.decode(), f"after saving question {question.order}")
    for where, response in every_exam_page_and_fragment(trainee_client, exam, questions):
        assert_nothing_marked(response.content.decode(), f"{where}, after saving answers")
    trainee_client.post(flag_url(exam, questions[0]), {"flagged": "1"})
    assert_nothing_marked(trainee_client.get(page_url(exam, questions[0])).content.decode(), "a flagged question")

    # Once finished, the results show everything.
    attempt_finish(attempt=exam)
    summary = trainee_client.get(reverse("attempt_summary", args=[exam.pk])).content.decode()
    assert "Correct" in summary and "XYZZY-LEARNING-POINT one" in summary


# --- cost --------------------------------------------------------------------------------------------


def save_query_count(client, exam, question, choice):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(save_url(exam, question), {"answer": label_of(exam, question, choice)})
    assert response.status_code == 302
    return len(queries)


def test_saving_an_exam_answer_costs_a_fixed_number_of_queries(trainee_client, trainee):
    first_saves, changes = [], []
    for size in (3, 300):
        quiz = make_quiz(questions=size, exam_minutes=60)
        exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)
        question = questions_of(quiz)[0]
        first_saves.append(save_query_count(trainee_client, exam, question, right_choices(question)[0]))
        changes.append(save_query_count(trainee_client, exam, question, wrong_choices(question)[0]))

    # session, user; the attempt with the question, its position and its options (one query);
    # savepoint, lock the attempt, the response if any, insert it, insert its chosen option, stamp the
    # attempt and add to its running tally if the question is the attempt's (one UPDATE), release; the
    # next question.
    assert first_saves == [11, 11]
    # A change updates the response and replaces its chosen options (delete, insert) instead.
    assert changes == [12, 12]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        # As a single best answer's (11, then 12): the kind's parts come with the question, and a short
        # answer has no rows beside the response to insert or replace (one query fewer, and a change costs
        # no more than a first save); a matching answer's matches are inserted, or replaced (delete,
        # insert), as chosen options are.
        (make_short_answer_question, [10, 10]),
        (make_matching_question, [11, 12]),
    ],
)
def test_saving_a_short_answer_or_matching_answer_in_an_exam_costs_a_fixed_number_of_queries(
    trainee_client, trainee, make, expected
):
    from tests.views.test_matching import posted

    counts = []
    for size in (3, 300):
        quiz = make_quiz(questions=size - 1, exam_minutes=60)
        make(quiz=quiz, order=0)
        exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)
        question = questions_of(quiz)[0]
        if question.is_short_answer:
            first, change = {"answer": "metastases"}, {"answer": "miliary metastases"}
        else:
            first, change = (posted(exam, question, stem_answers(question, right=n)) for n in (1, 4))
        counts.append([posted_query_count(trainee_client, exam, question, data) for data in (first, change)])

    assert counts == [expected, expected]


def posted_query_count(client, exam, question, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(save_url(exam, question), data)
    assert response.status_code == 302
    return len(queries)
