"""`manage.py load_content`: all seven quizzes, idempotent, and all-or-nothing on a broken file."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from quizzes.content import CONTENT_DIR
from quizzes.models import AcceptedAnswer, Attempt, Choice, MatchStem, Question, Quiz, Response, Source, Topic
from quizzes.services.attempts import answer_submit, attempt_start
from tests.factories import questions_of

pytestmark = pytest.mark.django_db
MODELS = [Topic, Source, Quiz, Question, Choice, AcceptedAnswer, MatchStem]


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the bundled pack that a test may break."""
    return shutil.copytree(CONTENT_DIR, tmp_path / "content", ignore=shutil.ignore_patterns("*.py", "__pycache__"))


def test_load_content_loads_all_seven_quizzes_published():
    call_command("load_content", verbosity=0)

    assert set(Quiz.objects.published().values_list("slug", flat=True)) == {
        "miliary-metastases",
        "pulmonary-metastases",
        "mesothelioma-case",
        "metastasis-basics",
        "subcutaneous-metastasis-case",
        "find-the-lesion",
        "name-and-match",
    }
    assert Question.objects.count() >= 50


def test_a_second_run_leaves_the_same_rows_and_files(settings):
    call_command("load_content", verbosity=0)
    first = row_counts()
    images = sorted(p.name for p in (settings.MEDIA_ROOT / "questions").rglob("*.png"))

    call_command("load_content", verbosity=0)

    assert row_counts() == first
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "questions").rglob("*.png")) == images


def test_reloading_updates_in_place_and_keeps_trainees_responses(content_copy, trainee):
    call_command("load_content", dir=content_copy, verbosity=0)
    quiz = Quiz.objects.get(slug="metastasis-basics")
    question = questions_of(quiz)[0]
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=attempt, question=question, chosen=list(question.choices.all())[:1])
    path = content_copy / "metastasis-basics.yaml"
    path.write_text(path.read_text().replace("title: Metastasis basics", "title: Metastasis fundamentals", 1))

    call_command("load_content", dir=content_copy, verbosity=0)

    assert Quiz.objects.get(pk=quiz.pk).title == "Metastasis fundamentals"
    assert Question.objects.filter(pk=question.pk).exists()
    assert Response.objects.get(attempt=attempt).chosen.count() == 1
    assert Attempt.objects.count() == 1


def test_a_broken_file_is_refused_naming_the_file_and_question_and_nothing_is_saved(content_copy):
    path = content_copy / "miliary-metastases.yaml"
    broken = path.read_text().replace("correct: false", "correct: true")  # single answers now have several
    path.write_text(broken)

    with pytest.raises(CommandError) as refusal:
        call_command("load_content", dir=content_copy, verbosity=0)

    message = str(refusal.value)
    assert "miliary-metastases.yaml" in message
    assert "svuh-quiz-1-commonest-primary" in message and "exactly one right option" in message
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_missing_image_file_is_refused(content_copy):
    (content_copy / "images" / "cannonball.png").unlink()

    with pytest.raises(CommandError, match=r"pulmonary-metastases.yaml.*cannonball.png"):
        call_command("load_content", dir=content_copy, verbosity=0)
    assert not Quiz.objects.exists()


def test_a_question_the_pack_drops_after_trainees_answered_it_is_withdrawn_not_deleted(content_copy, trainee):
    call_command("load_content", dir=content_copy, verbosity=0)
    quiz = Quiz.objects.get(slug="metastasis-basics")
    question = questions_of(quiz)[0]
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=attempt, question=question, chosen=list(question.choices.all())[:1])
    path = content_copy / "metastasis-basics.yaml"
    # A re-keyed question (its meaning changed): the old key leaves the pack, a new one arrives.
    text = path.read_text().replace(f"key: {question.key}\n", f"key: {question.key}-reworded\n", 1)
    path.write_text(text.replace(question.stem.splitlines()[0], "A reworded stem about the same fact,", 1))

    call_command("load_content", dir=content_copy, verbosity=0)

    withdrawn = Question.objects.get(pk=question.pk)
    assert withdrawn.status == Question.Status.DRAFT
    assert Response.objects.get(attempt=attempt).question == withdrawn
    assert quiz.questions.filter(key=f"{question.key}-reworded", status=Question.Status.PUBLISHED).exists()
    assert question.pk not in [q.pk for q in Question.objects.filter(quiz=quiz).published()]
