"""Extended-matching questions through the web: a <select> per stem, its refusals, the feedback per stem,
exam mode with stems saved as they are chosen, and no stem's answer in any page or fragment before marking."""

import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, MatchStem, Response, ResponseMatch
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_save
from tests.factories import (
    HTMX,
    make_matching_question,
    make_question,
    make_quiz,
    questions_of,
    stem_answers,
    time_is,
)
from tests.views.test_attempts import answer_queries
from tests.views.test_no_answer_leakage import assert_pages_ignore_the_key
from tests.views.test_short_answer import (
    answer_query_count,
    answer_url,
    attempts_holding_it_unanswered,
    exam_url,
    preview_request,
    question_url,
    single_best_answer,
)

pytestmark = pytest.mark.django_db
EXAM = Attempt.Mode.EXAM
# A stem's verdict in the feedback.
RIGHT_STEM = '<strong class="tag tag-right"><span aria-hidden="true">✓</span> Right</strong>'
WRONG_STEM = '<strong class="tag tag-wrong"><span aria-hidden="true">✗</span> Wrong</strong>'


@pytest.fixture
def matching_quiz(db):
    """A published quiz: an extended-matching question (4 stems, 5 options) first, then a single best answer."""
    quiz = make_quiz(questions=0, exam_minutes=30, title="Primaries")
    make_matching_question(quiz=quiz, order=1, explanation="XYZZY-EXPLANATION", learning_point="XYZZY-LEARNING")
    make_question(quiz=quiz, order=2)
    question = questions_of(quiz)[0]
    for choice in question.choices.all():
        choice.rationale = f"XYZZY-RATIONALE {choice.text}"
        choice.save()
    return quiz


def posted(attempt, question, matches):
    """The form's fields for {stem id: option id}: match-N, the Nth stem, set to the option's label."""
    labels = {option.choice.pk: option.label for option in presented_options(question, attempt.shuffle_seed)}
    numbers = {stem.pk: n for n, stem in enumerate(question.match_stems.all(), start=1)}
    return {f"match-{numbers[stem]}": labels[choice] for stem, choice in matches.items()}


def key_rotated(question):
    """Another answer key: each stem answered by the next option along."""

    def change():
        choices = list(question.choices.all())
        for stem in question.match_stems.all():
            at = next(n for n, choice in enumerate(choices) if choice.pk == stem.answer_id)
            MatchStem.objects.filter(pk=stem.pk).update(answer=choices[(at + 1) % len(choices)])

    return change


def assert_nothing_marked(html, where):
    for secret in ("XYZZY-EXPLANATION", "XYZZY-LEARNING", "XYZZY-RATIONALE"):
        assert secret not in html, f"{secret} on {where}"
    for word in ("Right answer", "tag-right", "Correct", "Incorrect", "points"):
        assert word not in html, f"{word!r} on {where}"


def tutor_requests(client, attempt, question):
    everything = posted(attempt, question, stem_answers(question))
    one_short = dict(list(everything.items())[1:])
    return [
        (f"{attempt.kind} question page", lambda: client.get(question_url(attempt, question))),
        (f"{attempt.kind} resume", lambda: client.get(reverse("attempt_resume", args=[attempt.pk]), follow=True)),
        (f"{attempt.kind} 422 page", lambda: client.post(answer_url(attempt, question), one_short)),
        (f"{attempt.kind} 422 fragment", lambda: client.post(answer_url(attempt, question), one_short, **HTMX)),
        (
            f"{attempt.kind} 422 fragment, not an option",
            lambda: client.post(answer_url(attempt, question), everything | {"match-1": "Z"}, **HTMX),
        ),
    ]


def test_no_tutor_page_or_fragment_tells_a_stems_answer_before_answering(client, trainee, matching_quiz, admin_client):
    client.force_login(trainee)
    question = questions_of(matching_quiz)[0]
    attempts = attempts_holding_it_unanswered(trainee, question, matches=stem_answers(question, right=1))
    requests = [request for attempt in attempts for request in tutor_requests(client, attempt, question)]
    requests.append(preview_request(admin_client, question))

    for where, make in requests:
        html = make().content.decode()
        assert_nothing_marked(html, where)
        if "page" in where and "422" not in where:
            assert not re.search(r"<option[^>]*selected", html), f"an option selected on {where}"
    assert_pages_ignore_the_key(requests, key_rotated(question))
    assert Response.objects.count() == 1  # the first attempt's: no refused form recorded anything


def test_no_exam_page_or_fragment_tells_a_stems_answer_or_marks_the_saved_ones(trainee_client, trainee, matching_quiz):
    question, second = questions_of(matching_quiz)
    client = trainee_client
    with time_is(timezone.now()):
        exam = attempt_start(user=trainee, quiz=matching_quiz, mode=EXAM)
        exam_answer_save(attempt=exam, question=question, matches=stem_answers(question, right=2))
        saved = posted(exam, question, stem_answers(question, right=2))
        requests = [
            ("exam page", lambda: client.get(exam_url("exam_question", exam, question))),
            ("exam 422 page", lambda: client.post(exam_url("exam_answer", exam, question), {"match-1": "Z"})),
            (
                "exam 422 fragment",
                lambda: client.post(exam_url("exam_answer", exam, question), {"match-1": "Z"}, **HTMX),
            ),
            ("exam saved fragment", lambda: client.post(exam_url("exam_answer", exam, question), saved, **HTMX)),
            ("exam saved, next", lambda: client.post(exam_url("exam_answer", exam, question), saved, follow=True)),
            ("exam flagged", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "1"}, **HTMX)),
            ("exam unflagged", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "0"}, **HTMX)),
            ("exam flag 422", lambda: client.post(exam_url("exam_flag", exam, question), {"flagged": "x"})),
            ("exam second question", lambda: client.get(exam_url("exam_question", exam, second))),
            ("exam review", lambda: client.get(reverse("exam_review", args=[exam.pk]))),
            ("exam tutor 409", lambda: client.post(answer_url(exam, question), saved, **HTMX)),
        ]

        for where, make in requests:
            assert_nothing_marked(make().content.decode(), where)
        assert_pages_ignore_the_key(requests, key_rotated(question))


def test_the_form_is_a_labelled_select_per_stem_with_a_blank_first_and_the_options_in_the_attempts_order(
    trainee_client, trainee, matching_quiz
):
    attempt = attempt_start(user=trainee, quiz=matching_quiz)
    question = questions_of(matching_quiz)[0]

    html = trainee_client.get(question_url(attempt, question)).content.decode()

    shown = [f"{option.label}. {option.choice.text}" for option in presented_options(question, attempt.shuffle_seed)]
    for number in range(1, 5):
        assert f'<label for="match-{number}">Item {number}: your answer</label>' in html
        select = re.search(rf'<select name="match-{number}".*?</select>', html, re.S).group()
        assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["Choose…", *shown]
        assert f'aria-describedby="match-{number}-stem"' in select
    assert "Each option may be used once, more than once, or not at all." in html
    for choice in question.choices.all():
        assert f'value="{choice.pk}"' not in html


def test_feedback_shows_each_stems_choice_whether_it_was_right_and_the_right_option(
    trainee_client, trainee, matching_quiz
):
    attempt = attempt_start(user=trainee, quiz=matching_quiz)
    question = questions_of(matching_quiz)[0]
    labels = {option.choice.text: option.label for option in presented_options(question, attempt.shuffle_seed)}

    fragment = trainee_client.post(
        answer_url(attempt, question), posted(attempt, question, stem_answers(question, right=3)), **HTMX
    )
    page = trainee_client.get(question_url(attempt, question))

    for html in (fragment.content.decode(), page.content.decode()):
        assert "7 of 10 points" in html and "partial credit" in html and "Incorrect" in html
        assert html.count(RIGHT_STEM) == 3 and html.count(WRONG_STEM) == 1
        # The last stem, matched to the option no stem has: its right answer is shown.
        breast, chorio = labels["Breast"], labels["Choriocarcinoma"]
        assert f"Your answer: <strong>{breast} Breast</strong>" in html
        assert f"Right answer: <strong>{chorio} Choriocarcinoma</strong>" in html
        assert "XYZZY-RATIONALE Breast" in html and "XYZZY-EXPLANATION" in html
    assert fragment.status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda fields: {name: value for name, value in fields.items() if name != "match-2"},
            "Choose an option for item 2.",
        ),
        (
            lambda fields: fields | {"match-3": "Z"},
            "The option chosen for item 3 is not one of this question's options.",
        ),
    ],
)
def test_a_stem_left_empty_or_an_unknown_option_is_refused_with_422_and_records_nothing(
    trainee_client, trainee, matching_quiz, change, message
):
    attempt = attempt_start(user=trainee, quiz=matching_quiz)
    question = questions_of(matching_quiz)[0]
    fields = change(posted(attempt, question, stem_answers(question)))

    page = trainee_client.post(answer_url(attempt, question), fields)
    fragment = trainee_client.post(answer_url(attempt, question), fields, **HTMX)

    for response in (page, fragment):
        html = response.content.decode()
        assert response.status_code == 422 and escape(message) in html
        assert html.count("autofocus") == 1 and re.search(
            r'<select name="match-[23]"[^>]*aria-invalid="true" autofocus', html
        )
    assert not Response.objects.exists() and not ResponseMatch.objects.exists()


def test_an_exam_saves_the_stems_chosen_so_far_and_the_results_mark_each(trainee_client, trainee, matching_quiz):
    exam = attempt_start(user=trainee, quiz=matching_quiz, mode=EXAM)
    question = questions_of(matching_quiz)[0]
    everything = posted(exam, question, stem_answers(question))
    first_two = dict(list(everything.items())[:2])

    saved = trainee_client.post(exam_url("exam_answer", exam, question), first_two, **HTMX)
    page = trainee_client.get(exam_url("exam_question", exam, question)).content.decode()

    state = saved.content.decode()
    assert saved.status_code == 200
    assert f"your saved choices are item 1 {first_two['match-1']}, item 2 {first_two['match-2']}" in state
    assert len(re.findall(r"<option[^>]*selected", page)) == 2
    empty = trainee_client.post(exam_url("exam_answer", exam, question), {"match-1": ""}, **HTMX)
    assert empty.status_code == 422 and "Not saved: Choose an option for at least one item." in empty.content.decode()

    trainee_client.post(exam_url("exam_answer", exam, question), everything)
    attempt_finish(attempt=exam)
    summary = trainee_client.get(reverse("attempt_summary", args=[exam.pk])).content.decode()
    assert "10 of 10 points" in summary and summary.count(RIGHT_STEM) == 4


def test_answering_in_the_preview_shows_the_feedback_per_stem_and_records_nothing(admin_client, matching_quiz):
    question = questions_of(matching_quiz)[0]
    preview = reverse("admin:quizzes_question_preview", args=[question.pk])

    class Preview:
        shuffle_seed = "preview"

    html = admin_client.post(preview, posted(Preview, question, stem_answers(question, right=2))).content.decode()

    assert "5 of 10 points" in html and html.count(RIGHT_STEM) == 2
    assert "Preview: nothing was recorded." in html
    assert not Response.objects.exists()


# --- cost --------------------------------------------------------------------------------------------


def matching_right(attempt, question):
    return posted(attempt, question, stem_answers(question))


def test_a_matching_answer_costs_a_fixed_number_of_queries_no_more_than_a_single_best_answer(as_in_production, client):
    matching = [answer_query_count(client, make_matching_question, matching_right, n) for n in (10, 300)]
    single = answer_query_count(client, make_question, single_best_answer, 10)

    # As a single best answer: its stems come with its options, in the query that finds the question; its
    # matches' insert takes the place of the chosen options'.
    assert matching == [answer_queries()] * 2 and single == answer_queries()
