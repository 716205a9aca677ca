"""question_regions_set: a hotspot question's target regions are replaced whole, or not at all."""

import pytest

from quizzes.services.questions import question_regions_set
from tests.factories import make_hotspot_question, make_quiz

pytestmark = pytest.mark.django_db
POLYGON = {"shape": "polygon", "geometry": {"points": [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]}, "feedback": " Here. "}


def test_setting_regions_replaces_the_old_ones_in_order():
    question = make_hotspot_question(quiz=make_quiz(questions=0))

    question_regions_set(
        question=question,
        regions=[POLYGON, {"shape": "ellipse", "geometry": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.1}}],
    )

    assert [(r.shape, r.feedback, r.order) for r in question.regions.all()] == [
        ("polygon", "Here.", 0),
        ("ellipse", "", 1),
    ]


def test_an_invalid_region_is_refused_and_the_old_regions_stay():
    question = make_hotspot_question(quiz=make_quiz(questions=0))
    before = list(question.regions.values_list("geometry", flat=True))

    with pytest.raises(ValueError, match="Region 2: A polygon needs at least 3 points"):
        question_regions_set(
            question=question, regions=[POLYGON, {"shape": "polygon", "geometry": {"points": [[0, 0], [1, 1]]}}]
        )

    assert list(question.regions.values_list("geometry", flat=True)) == before
