"""What the models say about themselves beyond their fields, and the invariants the database keeps."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from quizzes.models import MatchStem, Question, Quiz, Response, Tag
from tests.factories import make_question, make_quiz


def test_a_responses_point_is_where_the_trainee_clicked_or_none_for_no_abnormality():
    clicked = Response(point=(0.25, 0.75))
    no_abnormality = Response(point=None)

    assert (clicked.point_x, clicked.point_y, clicked.point) == (0.25, 0.75, (0.25, 0.75))
    assert (no_abnormality.point_x, no_abnormality.point_y, no_abnormality.point) == (None, None, None)


@pytest.mark.django_db
def test_an_option_answering_a_matching_stem_is_kept_unless_its_question_goes_too():
    quiz = make_quiz(questions=0)
    question = make_question(
        quiz=quiz, kind=Question.Kind.MATCHING, options=[("Osteosarcoma", False), ("Melanoma", False)]
    )
    answer = question.choices.first()
    MatchStem.objects.create(question=question, text="Bone-dense nodules.", answer=answer)

    with pytest.raises(RestrictedError):
        answer.delete()
    quiz.delete()

    assert not Quiz.objects.exists() and not MatchStem.objects.exists()


@pytest.mark.django_db
def test_a_tag_name_is_unique_ignoring_case():
    Tag.objects.create(name="Chest CT", slug="chest-ct")

    with pytest.raises(IntegrityError):
        Tag.objects.create(name="chest ct", slug="chest-ct-2")


@pytest.mark.django_db
def test_a_question_id_number_is_unique_within_its_quiz_when_set():
    quiz, other = make_quiz(questions=0), make_quiz(questions=0)
    make_question(quiz=quiz, order=1, idnumber="Q-1")
    make_question(quiz=quiz, order=2)
    make_question(quiz=quiz, order=3)  # any number of questions without one
    make_question(quiz=other, order=1, idnumber="Q-1")  # another quiz may use it

    with pytest.raises(IntegrityError), transaction.atomic():
        make_question(quiz=quiz, order=4, idnumber="Q-1")
    assert Question.objects.filter(idnumber="Q-1").count() == 2


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        (
            {"display_name": "Dr Ada Byron", "department": "Radiology, St Elsewhere"},
            "Written by Dr Ada Byron, Radiology, St Elsewhere",
        ),
        ({"display_name": "Dr Ada Byron", "department": ""}, "Written by Dr Ada Byron"),
        ({"display_name": "", "department": "Radiology"}, "Written by an educator, Radiology"),
        ({"display_name": "  ", "department": ""}, "Written by this site's educators"),
        ({"display_name": "ada-login-name", "department": ""}, "Written by this site's educators"),
        (None, "Written by this site's educators"),  # imported, bundled, or its author deleted
    ],
)
def test_a_questions_authorship_names_its_author_and_never_the_username(author, expected):
    from quizzes.models import User

    writer = User(username="ada-login-name", **author) if author is not None else None

    assert Question(author=writer).authorship == expected
    assert "ada-login-name" not in Question(author=writer).authorship
