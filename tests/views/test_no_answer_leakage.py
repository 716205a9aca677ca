"""Before a question is answered, nothing in its page tells which option is right."""

import difflib
import random
import re
from html import escape

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Question, Quiz
from quizzes.options import presented_options
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from tests.factories import make_question, make_quiz, wrong_choices

pytestmark = pytest.mark.django_db
OPTION_BLOCK = re.compile(r'<div class="option">.*?</div>', re.S)


def option_blocks_without_their_text(html, options):
    """Each option's markup with its own label and text blanked out: all must then be identical."""
    blocks = OPTION_BLOCK.findall(html)
    assert len(blocks) == len(options)
    blanked = []
    for block, option in zip(blocks, options, strict=False):
        block = block.replace(escape(option.choice.text), "TEXT")
        block = re.sub(rf"\b{option.label}\b", "LABEL", block)
        blanked.append(block)
    return blanked


def assert_page_hides_the_answer(html, question, options):
    blanked = option_blocks_without_their_text(html, options)
    assert len(set(blanked)) == 1, f"options of {question.key} differ beyond their text:\n{set(blanked)}"
    for choice in question.choices.all():
        assert escape(choice.rationale) not in html, f"a rationale of {question.key} is on the page"
    assert escape(question.explanation) not in html
    assert escape(question.learning_point) not in html
    assert 'id="feedback"' not in html and "Right answer" not in html


def assert_page_hides_the_targets(html, question):
    """A hotspot question's page before answering: the image only, no region, coordinate or feedback."""
    assert question.regions.exists()
    for region in question.regions.all():
        assert escape(region.feedback.strip().splitlines()[0]) not in html, question.key
        coordinates = region.geometry.get("points") or [region.geometry.values()]
        for value in (number for pair in coordinates for number in pair):
            assert not re.search(rf"(?<![\d.]){re.escape(f'{value:g}')}(?!\d)", html), (question.key, value)
    assert "<svg" not in html and "data-hotspot-region" not in html
    assert escape(question.explanation) not in html
    assert escape(question.learning_point) not in html
    assert 'id="feedback"' not in html


def assert_page_hides_the_marking(html, question):
    """A short-answer or matching question's page before answering: no accepted answer's feedback, no
    option's rationale, no stem chosen, no explanation (the stems' answers and the accepted answers
    themselves are never sent: tests/views/test_short_answer.py and test_matching.py)."""
    for accepted in question.accepted_answers.all():
        assert not accepted.feedback or escape(accepted.feedback) not in html, question.key
    for choice in question.choices.all():
        assert not choice.rationale or escape(choice.rationale) not in html, f"a rationale of {question.key} is shown"
    assert " selected" not in html.split('id="answer-form"')[-1], question.key
    assert escape(question.explanation) not in html
    assert escape(question.learning_point) not in html
    assert 'id="feedback"' not in html


@pytest.fixture
def bank(db, django_capture_on_commit_callbacks):
    """The bundled content pack, plus one question of each kind made here."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)
    extra = make_quiz(questions=0)
    make_question(quiz=extra, order=1)
    make_question(
        quiz=extra,
        order=2,
        kind=Question.Kind.MULTIPLE,
        options=[("Alpha", True), ("Beta", False), ("Gamma", True), ("Delta", False)],
    )
    make_question(quiz=extra, order=3, kind=Question.Kind.TRUE_FALSE, options=[("True", False), ("False", True)])
    return Quiz.objects.all()


def test_every_question_of_the_bank_renders_without_revealing_its_answer(trainee_client, trainee, bank):
    checked = 0
    for quiz in bank:
        attempt = attempt_start(user=trainee, quiz=quiz)
        parts = ("choices", "regions", "accepted_answers", "match_stems")
        for question in quiz.questions.in_quiz_order().prefetch_related(*parts):
            url = reverse("question_show", args=[attempt.pk, question.pk])
            html = trainee_client.get(url).content.decode()
            if question.is_hotspot:
                assert_page_hides_the_targets(html, question)
            elif question.is_short_answer or question.is_matching:
                assert_page_hides_the_marking(html, question)
            else:
                assert_page_hides_the_answer(html, question, presented_options(question, attempt.shuffle_seed))
            checked += 1
            # Answer it (wrongly where possible) so that the next question becomes the current one.
            if question.is_short_answer:
                answer_submit(attempt=attempt, question=question, typed="not a diagnosis")
            else:
                answer_submit(attempt=attempt, question=question, chosen=wrong_choices(question)[:1])
    assert checked == Question.objects.count() >= 3


def test_the_right_option_does_not_keep_one_position(trainee):
    quiz = make_quiz(questions=1)
    question = quiz.questions.prefetch_related("choices").get()

    positions = set()
    for _ in range(30):
        attempt = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
        options = presented_options(question, attempt.shuffle_seed)
        positions.add(next(i for i, option in enumerate(options) if option.choice.is_correct))

    assert len(positions) > 1


def test_an_attempt_shows_a_question_in_the_same_order_every_time(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = quiz.questions.prefetch_related("choices").first()

    assert presented_options(question, attempt.shuffle_seed) == presented_options(question, attempt.shuffle_seed)


def test_options_are_posted_as_labels_not_database_ids(trainee_client, trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = quiz.questions.in_quiz_order().first()

    html = trainee_client.get(reverse("question_show", args=[attempt.pk, question.pk])).content.decode()

    values = re.findall(r'name="answer"[^>]*value="([^"]+)"', html)
    assert values == ["A", "B", "C", "D"]
    for choice in question.choices.all():
        assert f'value="{choice.pk}"' not in html


def test_the_option_order_cannot_be_worked_out_from_the_ids_in_the_url(trainee):
    # Seeded from the attempt and question ids alone, anyone could replay the shuffle and read back the
    # order the educator typed (right answer first, say). Ten options: a match by chance is 1 in 3.6 million.
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, options=[(f"Option {n}", n == 0) for n in range(10)])
    question = quiz.questions.prefetch_related("choices").get()
    authored = sorted(question.choices.all(), key=lambda choice: choice.pk)
    first, second = (attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz)) for _ in range(2))

    for attempt in (first, second):
        replayed = list(authored)
        random.Random(f"{attempt.pk}:{question.pk}").shuffle(replayed)
        assert [o.choice for o in presented_options(question, attempt.shuffle_seed)] != replayed
    assert len({first.shuffle_seed, second.shuffle_seed}) == 2 and len(first.shuffle_seed) == 32


# --- The answer key changed, the pages not: a test for any kind of question ---------------------------

# What changes on every response whatever the question: the CSRF token (masked afresh each time) and the
# scripts' CSP nonce.
PER_RESPONSE = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]+')


def page_as_compared(response) -> tuple[int, str]:
    return response.status_code, PER_RESPONSE.sub(r"\1TOKEN", response.content.decode())


def assert_pages_ignore_the_key(requests, change_key) -> None:
    """Each of `requests`, (where, a function that makes the request), gives the same page before and after
    `change_key` changes which answers are right: nothing in it depends on the key, so no page or fragment
    tells it, nor sends it to the browser to check an answer there. Each request must leave things as it
    found them (a save saves the answer already saved), so that the two runs start alike."""
    before = [(where, page_as_compared(make())) for where, make in requests]
    change_key()
    after = [(where, page_as_compared(make())) for where, make in requests]
    for (where, page), (_, page_again) in zip(before, after, strict=True):
        changed = "\n".join(difflib.unified_diff(page[1].splitlines(), page_again[1].splitlines(), lineterm="", n=0))
        assert page == page_again, f"{where} changes with the answer key:\n{changed}"
