"""Answering a hotspot question: a click inside a target is right, outside is wrong, "No abnormality"
only where offered; bad points are refused with nothing recorded; the targets stay hidden until then."""

from html import escape

import pytest
from django.urls import reverse

from quizzes.models import Response
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import CENTRE_TARGET, HTMX, make_hotspot_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotspot_quiz(db):
    quiz = make_quiz(questions=0)
    make_hotspot_question(quiz=quiz, order=1)
    return quiz


@pytest.fixture
def attempt(trainee, hotspot_quiz):
    return attempt_start(user=trainee, quiz=hotspot_quiz)


def the_question(attempt):
    return attempt.quiz.questions.get()


def answer(client, attempt, data, **headers):
    return client.post(reverse("answer", args=[attempt.pk, the_question(attempt).pk]), data, **headers)


def show(client, attempt):
    return client.get(reverse("question_show", args=[attempt.pk, the_question(attempt).pk])).content.decode()


def test_the_question_page_offers_the_image_to_click_and_a_fallback_without_javascript(trainee_client, attempt):
    html = show(trainee_client, attempt)

    assert "data-hotspot-form" in html and "data-hotspot-image" in html
    assert '<input type="image" name="point"' in html and 'width="200" height="100"' in html
    assert "No abnormality" not in html  # not offered by this question


def test_the_page_before_answering_holds_no_target_coordinates_or_feedback(trainee_client, attempt):
    html = show(trainee_client, attempt)

    assert "data-hotspot-region" not in html and "<ellipse" not in html
    assert "cavitating" not in html
    for value in CENTRE_TARGET["geometry"].values():
        assert f'"{value}"' not in html


def test_a_click_inside_the_target_is_right_and_the_feedback_draws_the_target_and_the_click(trainee_client, attempt):
    response = answer(trainee_client, attempt, {"x": "0.52", "y": "0.48", "confidence": "high"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Correct" in html and "inside the target" in html
    assert html.count("data-hotspot-region") == 1
    assert 'data-hotspot-click="inside"' in html
    assert "<strong>cavitating</strong>" in html  # the region's feedback, as Markdown
    saved = Response.objects.get()
    assert (saved.point_x, saved.point_y, saved.is_correct, saved.points, saved.confidence) == (
        0.52,
        0.48,
        True,
        10,
        "high",
    )


def test_a_click_outside_the_target_is_wrong(trainee_client, attempt):
    html = answer(trainee_client, attempt, {"x": "0.1", "y": "0.9"}, **HTMX).content.decode()

    assert "Incorrect" in html and "outside the target" in html
    assert 'data-hotspot-click="outside"' in html
    assert Response.objects.get().points == 0


def test_a_click_exactly_on_the_targets_edge_counts_as_inside(trainee_client, attempt):
    answer(trainee_client, attempt, {"x": "0.6", "y": "0.5"})

    assert Response.objects.get().is_correct


def test_without_javascript_pixels_on_the_image_at_its_natural_size_are_turned_into_a_point(trainee_client, attempt):
    response = answer(trainee_client, attempt, {"point.x": "100", "point.y": "50"})

    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.point_x, saved.point_y, saved.is_correct) == (0.5, 0.5, True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a point on the image"),
        ({"x": "1.5", "y": "0.5"}, "not on the image"),
        ({"x": "-0.1", "y": "0.5"}, "not on the image"),
        ({"x": "0.5"}, "not understood"),
        ({"x": "nan", "y": "0.5"}, "not understood"),
        ({"x": "inf", "y": "0.5"}, "not understood"),
        ({"x": "left", "y": "top"}, "not understood"),
        ({"point.x": "250", "point.y": "50"}, "not on the image"),
        ({"point.x": "-5", "point.y": "50"}, "not on the image"),
        ({"point.x": "10"}, "not understood"),
        ({"no_abnormality": "1"}, "no “No abnormality” answer"),
    ],
)
def test_a_missing_malformed_or_off_image_point_is_refused_and_nothing_recorded(trainee_client, attempt, data, message):
    response = answer(trainee_client, attempt, data, **HTMX)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Response.objects.exists()


def test_no_abnormality_is_wrong_when_the_image_has_a_target(trainee_client, trainee):
    quiz = make_quiz(questions=0)
    make_hotspot_question(quiz=quiz, allow_no_abnormality=True)
    attempt = attempt_start(user=trainee, quiz=quiz)

    assert "No abnormality" in show(trainee_client, attempt)
    html = answer(trainee_client, attempt, {"no_abnormality": "1", "x": "0.5", "y": "0.5"}, **HTMX).content.decode()

    assert "Incorrect" in html and "“No abnormality”" in html
    saved = Response.objects.get()
    assert (saved.has_point, saved.is_correct) == (False, False)  # the button's answer, not the stale point


def test_no_abnormality_is_right_on_an_image_without_targets(trainee_client, trainee):
    quiz = make_quiz(questions=0)
    make_hotspot_question(quiz=quiz, regions=[], allow_no_abnormality=True)
    attempt = attempt_start(user=trainee, quiz=quiz)

    html = answer(trainee_client, attempt, {"no_abnormality": "1"}, **HTMX).content.decode()

    assert "Correct" in html and "shows no abnormality" in html
    assert Response.objects.get().is_correct


def test_the_summary_says_in_words_where_the_trainee_clicked_and_shows_it_on_the_image(trainee_client, attempt):
    answer(trainee_client, attempt, {"x": "0.1", "y": "0.1"})
    attempt_finish(attempt=attempt)

    html = trainee_client.get(reverse("attempt_summary", args=[attempt.pk])).content.decode()

    assert "You clicked at about 10% across and 10% down the image" in html and "outside the target" in html
    # The image with the target outlined and the click marked, as in the tutor feedback.
    assert "data-hotspot-figure" in html and "data-hotspot-region" in html
    assert 'data-hotspot-click="outside"' in html


def test_the_page_after_answering_shows_the_targets_feedback_once_reloaded(trainee_client, attempt):
    answer(trainee_client, attempt, {"x": "0.5", "y": "0.5"})

    html = show(trainee_client, attempt)

    assert "data-hotspot-region" in html and escape("Your click") in html
    assert "data-hotspot-form" not in html
