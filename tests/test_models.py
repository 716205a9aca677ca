"""What the models say about themselves beyond their fields."""

from quizzes.models import Response


def test_a_responses_point_is_where_the_trainee_clicked_or_none_for_no_abnormality():
    clicked = Response(point=(0.25, 0.75))
    no_abnormality = Response(point=None)

    assert (clicked.point_x, clicked.point_y, clicked.point) == (0.25, 0.75, (0.25, 0.75))
    assert (no_abnormality.point_x, no_abnormality.point_y, no_abnormality.point) == (None, None, None)
