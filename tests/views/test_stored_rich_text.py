"""Pages print the rich text stored when it was written: no request renders Markdown, and no script an
author typed reaches a page."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import attempt_start
from tests.factories import (
    HTMX,
    make_hotspot_question,
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('stored')</script>"
HANDLER = '<img src="x" onerror="alert(1)">'


@pytest.fixture
def quizzes(db):
    """Every rich text field holding Markdown with a script or an event handler in it: a quiz offering an
    exam, with a question of options and a hotspot question, and a case of two stages."""
    quiz = make_quiz(questions=0, description=f"**About** {SCRIPT}", exam_minutes=10)
    text = {"stem": f"*Which* one? {SCRIPT}", "explanation": f"**Because** {HANDLER}"}
    options = make_question(quiz=quiz, order=1, **text)
    options.choices.update(rationale=f"*Why* {SCRIPT}")
    hotspot = make_hotspot_question(quiz=quiz, order=2, **text)
    hotspot.regions.update(feedback=f"**Here** {HANDLER}")
    case = make_quiz(questions=0, kind=Quiz.Kind.CASE)
    for order in (1, 2):
        make_question(quiz=case, order=order, stage=f"**Stage {order}** {SCRIPT}")
    return quiz, case


def pages_of(client, trainee, quizzes) -> list[str]:
    """Every page a trainee sees rich text on: the quiz's page, a question before and after its answer,
    the answer's feedback (options and hotspot), a refused problem report, the summary, an exam question
    and a case's second stage."""
    quiz, case = quizzes
    attempt = attempt_start(user=trainee, quiz=quiz)
    options, hotspot = quiz.questions.in_quiz_order()
    show = reverse("question_show", args=[attempt.pk, options.pk])
    pages = [client.get(reverse("quiz_detail", args=[quiz.slug])), client.get(show)]
    pages.append(client.post(reverse("answer", args=[attempt.pk, options.pk]), {"answer": "A"}, **HTMX))
    pages.append(client.get(show))
    pages.append(client.post(reverse("answer", args=[attempt.pk, hotspot.pk]), {"x": "0.5", "y": "0.5"}, **HTMX))
    # Refused for want of a note: the full page shows the question's stem again.
    pages.append(client.post(reverse("problem_report", args=[attempt.pk, hotspot.pk]), {"reason": "unclear"}))
    client.post(reverse("attempt_finish", args=[attempt.pk]))
    pages.append(client.get(reverse("attempt_summary", args=[attempt.pk])))
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)
    pages.append(client.get(reverse("exam_question", args=[exam.pk, options.pk])))
    case_attempt = attempt_start(user=trainee, quiz=case)
    first, second = case.questions.in_quiz_order()
    client.post(reverse("answer", args=[case_attempt.pk, first.pk]), {"answer": "A"})
    pages.append(client.get(reverse("question_show", args=[case_attempt.pk, second.pk])))
    assert [page.status_code for page in pages] == [200, 200, 200, 200, 200, 422, 200, 200, 200]
    return [page.content.decode() for page in pages]


def assert_shows_the_stored_html(pages: list[str]) -> None:
    quiz_page, question, feedback, _, hotspot_feedback, report, summary, exam, second_stage = pages
    assert "<strong>About</strong>" in quiz_page
    assert "<em>Which</em> one?" in question and "<em>Which</em> one?" in report and "<em>Which</em> one?" in exam
    assert "<strong>Because</strong>" in feedback and "<em>Why</em>" in feedback and "<em>Which</em>" in summary
    assert "<strong>Here</strong>" in hotspot_feedback
    assert "<strong>Stage 1</strong>" in second_stage and "<strong>Stage 2</strong>" in second_stage


def test_no_request_renders_markdown(trainee_client, trainee, quizzes, monkeypatch):
    def refuse(text):
        raise AssertionError(f"Markdown rendered during a request: {text!r}")

    monkeypatch.setattr("quizzes.rich_text.render_markdown", refuse)

    assert_shows_the_stored_html(pages_of(trainee_client, trainee, quizzes))


def test_no_script_an_author_typed_reaches_a_page(trainee_client, trainee, quizzes):
    pages = pages_of(trainee_client, trainee, quizzes)

    assert_shows_the_stored_html(pages)  # the texts are on the pages, so the checks below look where they are
    for page in pages:
        assert "alert('stored')" not in page and "onerror" not in page


def test_the_typed_answer_and_matching_pages_print_stored_html_and_no_script(trainee_client, trainee, monkeypatch):
    quiz = make_quiz(questions=0)
    typed = make_short_answer_question(quiz=quiz, order=1, accepted=[("miliary", "1", f"**Yes** {SCRIPT}")])
    matching = make_matching_question(quiz=quiz, order=2)
    matching.match_stems.update(text=f"*Cavitating* nodules {HANDLER}")
    attempt = attempt_start(user=trainee, quiz=quiz)
    monkeypatch.setattr("quizzes.rich_text.render_markdown", lambda text: pytest.fail("Markdown rendered"))

    feedback = trainee_client.post(reverse("answer", args=[attempt.pk, typed.pk]), {"answer": "miliary"}, **HTMX)
    question = trainee_client.get(reverse("question_show", args=[attempt.pk, matching.pk]))
    posted = {f"match-{number}": "A" for number in range(1, matching.match_stems.count() + 1)}
    review = trainee_client.post(reverse("answer", args=[attempt.pk, matching.pk]), posted, **HTMX)

    pages = [page.content.decode() for page in (feedback, question, review)]
    assert (
        "<strong>Yes</strong>" in pages[0] and "<em>Cavitating</em>" in pages[1] and "<em>Cavitating</em>" in pages[2]
    )
    for page in pages:
        assert "alert('stored')" not in page and "onerror" not in page
