"""A case vignette unfolds stage by stage: nothing of a later stage, nor the diagnosis, shows early."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Quiz
from quizzes.options import presented_options
from quizzes.services.attempts import attempt_start
from tests.factories import HTMX, questions_of, wrong_choices

pytestmark = pytest.mark.django_db
# The diagnosis of Eurorad case 10569, in the forms it could take on a page.
DIAGNOSIS = re.compile(
    r"metastas[ie]s\s+(of|from)\s+(the\s+patient's\s+)?mesothelioma|miliary\s+(pulmonary\s+)?metastas", re.I
)


@pytest.fixture
def case(db):
    call_command("load_content", verbosity=0)
    return Quiz.objects.get(slug="mesothelioma-case")


def first_line(markdown_text):
    """A stage's opening words, as they appear on the page (its bold heading removed)."""
    return re.sub(r"\*\*.*?\*\*\s*", "", markdown_text).split("\n")[0][:40]


def test_each_stage_appears_only_after_the_question_before_it_is_answered(trainee_client, trainee, case):
    attempt = attempt_start(user=trainee, quiz=case)
    questions = list(questions_of(case))
    assert len(questions) >= 5

    for index, question in enumerate(questions):
        page = trainee_client.get(reverse("question_show", args=[attempt.pk, question.pk])).content.decode()
        for earlier in questions[: index + 1]:
            assert first_line(earlier.stage) in page
        for later in questions[index + 1 :]:
            assert first_line(later.stage) not in page, f"stage {later.key} leaked at {question.key}"
        is_final_stage = index == len(questions) - 1
        assert bool(DIAGNOSIS.search(page)) is is_final_stage, question.key

        wrong = wrong_choices(question)[0]
        label = next(o.label for o in presented_options(question, attempt.shuffle_seed) if o.choice == wrong)
        feedback = trainee_client.post(
            reverse("answer", args=[attempt.pk, question.pk]), {"answer": label}, **HTMX
        ).content.decode()
        assert "Incorrect" in feedback
        if not is_final_stage:
            assert not DIAGNOSIS.search(feedback), f"the feedback of {question.key} names the diagnosis"
            assert first_line(questions[index + 1].stage) not in feedback


def test_a_later_stage_cannot_be_reached_by_its_address(trainee_client, trainee, case):
    attempt = attempt_start(user=trainee, quiz=case)
    final = case.questions.in_quiz_order().last()

    page = trainee_client.get(reverse("question_show", args=[attempt.pk, final.pk]), follow=True).content.decode()

    assert first_line(final.stage) not in page and not DIAGNOSIS.search(page)


def test_the_quiz_page_does_not_give_the_diagnosis_away(client, case):
    assert not DIAGNOSIS.search(client.get(case.get_absolute_url()).content.decode())
