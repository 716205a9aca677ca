"""Trainees' pages after an educator changes a question they answered: past feedback, summaries and exam
results show the version answered, scored as it was; a new attempt gets the question as it is now."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Choice, Question
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_save
from quizzes.services.questions import question_image_set, question_regions_set
from tests.factories import (
    HTMX,
    educator_change,
    make_hotspot_question,
    make_quiz,
    make_source,
    make_user,
    png_bytes,
    questions_of,
    take_quiz,
    wrong_choices,
)
from tests.views.test_attempts import answer_url, label_of

pytestmark = pytest.mark.django_db

VERSION_NOTE = "This is the question as you answered it: an educator has changed it since."


def summary_url(attempt):
    return reverse("attempt_summary", args=[attempt.pk])


def summary_item(html: str, position: int) -> str:
    """One question's item of a summary page, without the form tokens that differ on every page, its
    white space closed up."""
    item = re.search(
        rf'<li class="summary-item[^"]*" value="{position}">.*?(?=<li class="summary-item|</ol>)', html, re.S
    )
    return " ".join(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", item.group(0)).split())


def rewrite_first_question(question):
    """The educator's change: new wording, and the trainee's wrong choice ("Wrong 1a") made the right one."""
    with educator_change(question):
        question.stem = "Reworded stem?"
        question.explanation = "A new explanation."
        question.save()
        question.choices.filter(text="Right 1").update(is_correct=False, rationale="Not right any more.")
        question.choices.filter(text="Wrong 1a").update(
            text="Wrong 1a, reworded", is_correct=True, rationale="Now right."
        )


@pytest.fixture
def finished(trainee, quiz):
    return attempt_finish(attempt=take_quiz(trainee, quiz, [False, True, True]))


def test_an_edit_after_an_answer_leaves_the_trainees_summary_as_they_answered_it(trainee_client, finished, quiz):
    before = trainee_client.get(summary_url(finished)).content.decode()

    rewrite_first_question(questions_of(quiz)[0])
    after = trainee_client.get(summary_url(finished)).content.decode()

    item = summary_item(after, 1)
    assert VERSION_NOTE in item
    # Stem, options, which was right, every rationale, the explanation, the verdict and the points: as answered.
    assert item.replace(f' <p class="meta version-note">{VERSION_NOTE}</p>', "") == summary_item(before, 1)
    assert "Reworded stem?" not in after and "Wrong 1a, reworded" not in after and "Now right." not in after
    assert summary_item(after, 2) == summary_item(before, 2) and VERSION_NOTE not in summary_item(after, 2)
    assert "Score</dt><dd>20 / 30" in after


def test_past_tutor_feedback_shows_the_version_answered(trainee_client, finished, quiz):
    question = questions_of(quiz)[0]
    rewrite_first_question(question)

    html = trainee_client.get(reverse("question_show", args=[finished.pk, question.pk])).content.decode()

    assert VERSION_NOTE in html and "Stem of question 1?" in html and "Explanation of question 1." in html
    right = html.split("> Right 1")[1].split("</p>")[0]
    assert "Right answer" in right and "Incorrect" in html and "Reworded stem?" not in html


def test_a_new_attempt_answers_the_question_as_it_is_now(trainee_client, trainee, finished, quiz):
    rewrite_first_question(questions_of(quiz)[0])
    again = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]

    page = trainee_client.get(reverse("question_show", args=[again.pk, question.pk])).content.decode()
    reworded = question.choices.get(text="Wrong 1a, reworded")
    answered = trainee_client.post(answer_url(again, question), {"answer": label_of(again, question, reworded)}, **HTMX)

    assert "Reworded stem?" in page and "Wrong 1a, reworded" in page
    html = answered.content.decode()
    assert "Correct" in html and "Now right." in html and VERSION_NOTE not in html
    assert again.responses.get().question_version == 2


def test_a_summary_reads_every_earlier_version_it_needs_in_one_query(
    trainee_client, trainee, finished, quiz, django_assert_num_queries
):
    # session, user, attempt; its responses and the options they chose; its questions with their options,
    # regions and sources; the header's count of cohort assignments due.
    with django_assert_num_queries(10):
        trainee_client.get(summary_url(finished))
    for question in questions_of(quiz)[:2]:
        with educator_change(question):
            question.stem = "Changed?"
            question.save()

    # And one more: both earlier versions the answers were given to.
    with django_assert_num_queries(11):
        html = trainee_client.get(summary_url(finished)).content.decode()
    assert html.count(VERSION_NOTE) == 2


def test_the_summary_of_an_exam_finished_after_a_change_shows_the_version_answered(trainee_client, trainee):
    quiz = make_quiz(questions=1, exam_minutes=10)
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)
    question = questions_of(quiz)[0]
    exam_answer_save(attempt=exam, question=question, chosen=wrong_choices(question)[:1])
    rewrite_first_question(question)

    notice = trainee_client.get(reverse("exam_question", args=[exam.pk, question.pk])).content.decode()
    attempt_finish(attempt=exam)
    html = trainee_client.get(summary_url(exam)).content.decode()

    assert "An educator changed this question after you saved your answer" in notice
    assert "Stem of question 1?" in html and VERSION_NOTE in html and "Incorrect" in html
    assert "Reworded stem?" not in html


def test_hotspot_feedback_draws_the_targets_the_click_was_scored_against(trainee_client, trainee):
    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz)
    attempt = attempt_start(user=trainee, quiz=quiz)
    trainee_client.post(reverse("answer", args=[attempt.pk, question.pk]), {"x": "0.5", "y": "0.5"})
    attempt_finish(attempt=attempt)
    old_image = question.image.url
    elsewhere = {"shape": "ellipse", "geometry": {"cx": 0.2, "cy": 0.2, "rx": 0.05, "ry": 0.05}, "feedback": "Moved."}
    with educator_change(question):
        question_image_set(question=question, data=png_bytes(colour="white"), name="new.png", alt="A new drawing")
        question_regions_set(question=question, regions=[elsewhere])

    html = trainee_client.get(summary_url(attempt)).content.decode()

    assert "inside the target" in html and 'cx="0.5"' in html and 'cx="0.2"' not in html
    assert "cavitating" in html and "Moved." not in html
    assert f'src="{old_image}"' in html and old_image != question.image.url
    assert trainee_client.get(old_image).status_code == 200  # kept, and served, for the version that names it


def test_a_question_whose_option_was_retired_since_still_shows_the_trainees_choice(trainee_client, finished, quiz):
    question = questions_of(quiz)[0]
    with educator_change(question):
        Choice.objects.filter(question=question, text="Wrong 1a").update(retired=True)

    item = summary_item(trainee_client.get(summary_url(finished)).content.decode(), 1)

    assert "Wrong 1a" in item and 'tag-chosen">Your answer' in item and VERSION_NOTE in item


def test_a_version_citing_no_source_is_cited_as_its_authors_own(trainee_client, trainee, django_assert_num_queries):
    quiz = make_quiz(questions=1)
    question = questions_of(quiz)[0]
    question.sources.clear()
    Question.objects.filter(pk=question.pk).update(author=make_user(display_name="Dr Byron"))
    attempt = attempt_finish(attempt=take_quiz(trainee, quiz, [True]))
    with educator_change(question):
        question.sources.add(make_source(publisher="A later source"))

    with django_assert_num_queries(
        11
    ):  # as for any summary with an earlier version: the author comes with the question
        html = trainee_client.get(summary_url(attempt)).content.decode()

    assert '<p class="citation">Written by Dr Byron</p>' in html and "A later source" not in html
