"""The "My progress" page: every attempt, best and last score per quiz, accuracy and calibration per topic,
and the mistakes left to practise."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion, Response, Topic
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.practice import mistakes_start
from tests.factories import make_quiz, questions_of, right_choices, wrong_choices

pytestmark = pytest.mark.django_db


def take(user, quiz, right_count):
    attempt = attempt_start(user=user, quiz=quiz)
    for number, question in enumerate(questions_of(quiz)):
        chosen = right_choices(question) if number < right_count else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen)
    return attempt_finish(attempt=attempt)


def test_progress_shows_best_and_last_score_per_quiz(trainee_client, trainee):
    quiz = make_quiz(questions=4, title="Miliary pattern")
    take(trainee, quiz, 3)
    take(trainee, quiz, 1)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    row = html.split("Miliary pattern</a></th>")[1].split("</tr>")[0]
    assert "75% (30/40)" in row.split("</td>")[0]  # best
    assert "25% (10/40)" in row.split("</td>")[1]  # last
    assert '<td data-label="Finished attempts">2</td>' in row


def test_progress_shows_accuracy_per_topic(trainee_client, trainee):
    quiz_a, quiz_b = make_quiz(questions=4), make_quiz(questions=2)
    take(trainee, quiz_a, 1)
    take(trainee, quiz_b, 2)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert (
        f'<th scope="row">{quiz_a.topic.name}</th><td data-label="Answered">4</td><td data-label="Right">1</td><td data-label="Accuracy">25%</td>'
        in html
    )
    assert (
        f'<th scope="row">{quiz_b.topic.name}</th><td data-label="Answered">2</td><td data-label="Right">2</td><td data-label="Accuracy">100%</td>'
        in html
    )


def test_progress_lists_every_attempt_including_unfinished_ones(trainee_client, trainee, quiz):
    take(trainee, quiz, 2)
    attempt_start(user=trainee, quiz=quiz)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert html.count(quiz.title + "<span") == 2 and "in progress" in html


def test_progress_shows_only_the_trainees_own_attempts(trainee_client, other_trainee):
    quiz = make_quiz(title="Someone else's quiz")
    take(other_trainee, quiz, 3)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert "Someone else" not in html and "You have not taken a quiz yet" in html


def test_progress_needs_a_login(client):
    response = client.get(reverse("my_progress"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# Calibration: accuracy at each confidence level


def answer_with_confidence(user, quiz, answers):
    """A tutor attempt answering the quiz's questions in order; `answers` are (right, confidence) pairs."""
    attempt = attempt_start(user=user, quiz=quiz)
    for question, (right, confidence) in zip(questions_of(quiz), answers, strict=False):
        chosen = right_choices(question) if right else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen, confidence=confidence)
    return attempt


def calibration_rows(html):
    """{topic: {level: (answered, right, accuracy)}} read from the calibration table."""
    table = html.split('<table class="calibration">')[1].split("</table>")[0]
    figures = {}
    for group in table.split("<tbody>")[1:]:
        topic = group.split('<th scope="rowgroup" rowspan="3">')[1].split("</th>")[0]
        for row in group.split("</tr>")[:-1]:
            level = row.split('<th scope="row">')[1].split("</th>")[0]
            cells = [re.split(r"<td[^>]*>", cell)[-1] for cell in row.split("</td>")[:-1]]
            figures.setdefault(topic, {})[level] = tuple(cells)
    return figures


NO_ANSWERS = '<span aria-hidden="true">–</span><span class="visually-hidden">no answers</span>'


def test_calibration_shows_accuracy_at_each_confidence_level_per_topic_and_overall(trainee_client, trainee):
    bone = make_quiz(questions=8, topic=Topic.objects.create(name="Bone", slug="bone"))
    lung = make_quiz(questions=7, topic=Topic.objects.create(name="Lung", slug="lung"))
    R, W = True, False
    # Bone: sure 5 times, right 3; a guess twice, right once; medium once, right.
    answer_with_confidence(
        trainee,
        bone,
        [(R, "high"), (R, "high"), (R, "high"), (W, "high"), (W, "high"), (R, "low"), (W, "low"), (R, "medium")],
    )
    # Lung: a guess 5 times, right 4; sure once, right; one answer without a confidence (not counted).
    answer_with_confidence(
        trainee, lung, [(R, "low"), (R, "low"), (R, "low"), (R, "low"), (W, "low"), (R, "high"), (W, "")]
    )

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert calibration_rows(html) == {
        "Bone": {
            "Low: a guess": ("2", "1", "50%"),  # 1 / 2
            "Medium": ("1", "1", "100%"),
            "High: sure": ("5", "3", "60%"),  # 3 / 5
        },
        "Lung": {
            "Low: a guess": ("5", "4", "80%"),  # 4 / 5
            "Medium": ("0", "0", NO_ANSWERS),
            "High: sure": ("1", "1", "100%"),
        },
        "All topics": {
            "Low: a guess": ("7", "5", "71%"),  # (1 + 4) / (2 + 5) = 5 / 7 = 71.4%
            "Medium": ("1", "1", "100%"),
            "High: sure": ("6", "4", "67%"),  # (3 + 1) / (5 + 1) = 4 / 6 = 66.7%
        },
    }
    # Judged at 5 or more answers: sure and right under 80% is over-confident, a guess right over 50% under-confident.
    assert (
        "<strong>Bone:</strong> Over-confident: right in 60% (3 of 5) of answers you were sure of, below 80%.</li>"
        in html
    )  # its 2 guesses are too few to judge
    assert (
        "<strong>Lung:</strong> Under-confident: right in 80% (4 of 5) of answers you called a guess, above 50%.</li>"
        in html
    )  # its 1 sure answer is too few to judge
    assert (
        "<strong>All topics:</strong> Over-confident: right in 67% (4 of 6) of answers you were sure of, below 80%. "
        "Under-confident: right in 71% (5 of 7) of answers you called a guess, above 50%.</li>" in html
    )
    assert "at least 5 answers" in html and "fewer than 80%" in html and "more than 50%" in html


def test_calibration_says_when_there_are_too_few_answers_or_no_sign_of_miscalibration(trainee_client, trainee):
    quiz = make_quiz(questions=6, topic=Topic.objects.create(name="Liver", slug="liver"))
    answer_with_confidence(trainee, quiz, [(True, "high")] * 4 + [(False, "high"), (True, "low")])

    html = trainee_client.get(reverse("my_progress")).content.decode()

    # 4 of 5 sure answers right is 80%: not below 80%, so not over-confident.
    assert "<strong>Liver:</strong> No sign of over- or under-confidence.</li>" in html

    other = make_quiz(questions=1, topic=Topic.objects.create(name="Brain", slug="brain"))
    answer_with_confidence(trainee, other, [(False, "high")])
    html = trainee_client.get(reverse("my_progress")).content.decode()
    assert "<strong>Brain:</strong> Too few answers to judge yet: it takes 5 at high or at low confidence.</li>" in html


def test_answers_without_a_confidence_leave_calibration_empty(trainee_client, trainee, quiz):
    take(trainee, quiz, 2)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert "No answers with a confidence yet." in html and 'class="calibration"' not in html


def test_an_unfinished_exams_answers_count_nowhere_on_the_progress_page(trainee_client, trainee):
    quiz = make_quiz(questions=1, title="Exam quiz")
    exam = Attempt.objects.create(
        user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM, deadline=timezone.now() + datetime.timedelta(hours=1)
    )
    question = quiz.questions.get()
    AttemptQuestion.objects.create(attempt=exam, question=question, position=1)
    Response.objects.create(attempt=exam, question=question, is_correct=False, points=0)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert f'<th scope="row">{quiz.topic.name}</th>' not in html  # no accuracy shown before the verdict
    # No mistake listed, and no claim that every answer was right: nothing has been marked yet.
    assert "No mistakes yet: a question you answer wrongly waits here for another try." in html
    assert "your latest answer to every question was right" not in html


# Practice sets and mistakes


def test_progress_offers_to_practise_mistakes_only_in_quizzes_with_mistakes(trainee_client, trainee):
    with_mistakes = make_quiz(questions=3, title="Lytic lesions")
    all_right = make_quiz(questions=2, title="Blastic lesions")
    take(trainee, with_mistakes, 1)  # 1 right, 2 wrong
    take(trainee, all_right, 2)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    section = html.split('id="mistakes-heading"')[1].split("</section>")[0]
    assert '<th scope="row">Lytic lesions</th><td class="number" data-label="Last answered wrong">2</td>' in section
    assert f'name="quiz" value="{with_mistakes.slug}"' in section
    assert 'Practise my mistakes in this quiz<span class="visually-hidden">: Lytic lesions</span>' in section
    assert "Blastic lesions" not in section and all_right.slug not in section
    assert "A set takes up to 20" in section


def test_practice_sets_are_listed_by_title_and_kept_out_of_the_scores_by_quiz(trainee_client, trainee):
    quiz = make_quiz(questions=2, title="Sclerotic rim")
    take(trainee, quiz, 1)
    practice = mistakes_start(user=trainee, quiz=quiz)
    answer_submit(attempt=practice, question=practice.questions.get(), chosen=right_choices(practice.questions.get()))
    attempt_finish(attempt=practice)  # 10 of 10 in practice: not the quiz's best

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert "Practise my mistakes: Sclerotic rim<span" in html
    row = html.split("Sclerotic rim</a></th>")[1].split("</tr>")[0]
    assert "50% (10/20)" in row and '<td data-label="Finished attempts">1</td>' in row
