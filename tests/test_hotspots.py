"""Hotspot regions: hit-testing in relative coordinates, clicks at any display size, and refusing bad shapes."""

import math
import time

import pytest

from quizzes.hotspots import contains, point_from_pixels, validate_geometry

# A lesion 40% of the image wide and 20% tall, centred.
ELLIPSE = {"cx": 0.5, "cy": 0.5, "rx": 0.2, "ry": 0.1}
SQUARE = {"points": [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]]}
# A U: a bar along the top and two legs down, with a notch (outside the region) between the legs
# for x in 0.4..0.6 and y in 0.4..0.9.
U_SHAPE = {"points": [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.6, 0.9], [0.6, 0.4], [0.4, 0.4], [0.4, 0.9], [0.1, 0.9]]}


def ellipse_contains(x, y, **kwargs):
    return contains("ellipse", ELLIPSE, x, y, **kwargs)


def test_a_click_in_the_ellipse_hits():
    assert ellipse_contains(0.5, 0.5)
    assert ellipse_contains(0.62, 0.55)


def test_a_click_beyond_the_ellipse_misses():
    assert not ellipse_contains(0.75, 0.5)
    assert not ellipse_contains(0.5, 0.65)
    # Inside the ellipse's bounding box but outside the curve: the corner is not part of the lesion.
    assert not ellipse_contains(0.68, 0.59)


@pytest.mark.parametrize("point", [(0.7, 0.5), (0.3, 0.5), (0.5, 0.6), (0.5, 0.4)])
def test_a_click_exactly_on_the_ellipse_edge_hits(point):
    assert ellipse_contains(*point)


@pytest.mark.parametrize("angle", [0.3, 1.1, 2.5, 4.0, 5.9])
def test_a_click_on_the_curved_edge_hits_and_a_hair_beyond_misses(angle):
    on_edge = (0.5 + 0.2 * math.cos(angle), 0.5 + 0.1 * math.sin(angle))
    just_outside = (0.5 + 0.2001 * math.cos(angle), 0.5 + 0.1001 * math.sin(angle))

    assert ellipse_contains(*on_edge)
    assert not ellipse_contains(*just_outside)


def test_a_click_a_millionth_past_the_ellipse_edge_misses():
    assert not ellipse_contains(0.7 + 1e-6, 0.5)


def test_a_click_inside_a_convex_polygon_hits_and_outside_misses():
    assert contains("polygon", SQUARE, 0.5, 0.5)
    assert contains("polygon", SQUARE, 0.21, 0.79)
    assert not contains("polygon", SQUARE, 0.1, 0.5)
    assert not contains("polygon", SQUARE, 0.5, 0.85)


@pytest.mark.parametrize("point", [(0.5, 0.2), (0.8, 0.5), (0.5, 0.8), (0.2, 0.35)])
def test_a_click_on_a_polygon_edge_hits(point):
    assert contains("polygon", SQUARE, *point)


@pytest.mark.parametrize("point", [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)])
def test_a_click_on_a_polygon_vertex_hits(point):
    assert contains("polygon", SQUARE, *point)


@pytest.mark.parametrize("point", [(0.5, 0.2), (0.25, 0.7), (0.75, 0.85), (0.3, 0.4)])
def test_a_click_inside_a_concave_polygon_hits(point):
    assert contains("polygon", U_SHAPE, *point)


@pytest.mark.parametrize("point", [(0.5, 0.7), (0.5, 0.41), (0.59, 0.89)])
def test_a_click_in_the_concavity_of_a_polygon_misses(point):
    assert not contains("polygon", U_SHAPE, *point)


@pytest.mark.parametrize("point", [(0.6, 0.4), (0.4, 0.4), (0.5, 0.4), (0.6, 0.65), (0.4, 0.9)])
def test_a_click_on_the_edge_or_a_reflex_vertex_of_a_concave_polygon_hits(point):
    assert contains("polygon", U_SHAPE, *point)


@pytest.mark.parametrize("point", [(0.05, 0.4), (0.95, 0.4), (0.05, 0.1), (0.95, 0.9)])
def test_a_click_level_with_polygon_vertices_but_outside_misses(point):
    # A ray through vertices is where ray casting usually miscounts.
    assert not contains("polygon", U_SHAPE, *point)


def test_the_image_aspect_ratio_does_not_change_which_clicks_hit():
    grid = [(i / 50, j / 50) for i in range(51) for j in range(51)]

    for region_shape, geometry in [("ellipse", ELLIPSE), ("polygon", U_SHAPE)]:
        square = [contains(region_shape, geometry, x, y) for x, y in grid]
        wide = [contains(region_shape, geometry, x, y, aspect=16 / 9) for x, y in grid]
        assert square == wide


SIZES = [(400, 300), (1600, 1200)]


@pytest.mark.parametrize(
    ("pixels_at_400", "hit"),
    [
        ((200, 150), True),  # centre
        ((280, 150), True),  # right end of the ellipse, exactly on the edge
        ((281, 150), False),  # one pixel beyond it
        ((200, 180), True),  # bottom of the ellipse, exactly on the edge
        ((200, 181), False),
        ((270, 175), False),  # in the bounding box, outside the curve
    ],
)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_same_click_on_the_ellipse_gets_the_same_answer_at_any_display_size(pixels_at_400, hit, width, height):
    scale = width / 400
    x, y = point_from_pixels(pixels_at_400[0] * scale, pixels_at_400[1] * scale, width, height)

    assert ellipse_contains(x, y, aspect=width / height) is hit


@pytest.mark.parametrize(
    ("pixels_at_400", "hit"),
    [
        ((200, 60), True),  # the bar of the U
        ((200, 210), False),  # the notch between the legs
        ((240, 120), True),  # the notch's corner, a reflex vertex
        ((200, 120), True),  # on the notch's top edge
        ((200, 121), False),  # one pixel into the notch
        ((240, 200), True),  # on the notch's right edge
        ((239, 200), False),  # one pixel into the notch
    ],
)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_same_click_on_a_polygon_gets_the_same_answer_at_any_display_size(pixels_at_400, hit, width, height):
    scale = width / 400
    x, y = point_from_pixels(pixels_at_400[0] * scale, pixels_at_400[1] * scale, width, height)

    assert contains("polygon", U_SHAPE, x, y, aspect=width / height) is hit


def test_every_click_on_a_small_display_agrees_with_the_same_click_on_a_large_one():
    for px in range(0, 401, 5):
        for py in range(0, 301, 5):
            small = point_from_pixels(px, py, 400, 300)
            large = point_from_pixels(px * 4, py * 4, 1600, 1200)
            assert ellipse_contains(*small) == ellipse_contains(*large)
            assert contains("polygon", U_SHAPE, *small) == contains("polygon", U_SHAPE, *large)


def test_the_relative_ellipse_is_the_same_ellipse_measured_in_pixels():
    # The ellipse in pixels at 1600 x 1200 is centred at (800, 600) with semi-axes 320 and 120.
    for px in range(0, 1601, 16):
        for py in range(0, 1201, 12):
            in_pixels = ((px - 800) / 320) ** 2 + ((py - 600) / 120) ** 2 <= 1
            assert ellipse_contains(*point_from_pixels(px, py, 1600, 1200)) == in_pixels


def test_pixels_become_fractions_of_the_displayed_size():
    assert point_from_pixels(100, 75, 400, 300) == (0.25, 0.25)
    assert point_from_pixels(0, 0, 400, 300) == (0.0, 0.0)
    assert point_from_pixels(400, 300, 400, 300) == (1.0, 1.0)


def test_a_click_a_fraction_of_a_pixel_outside_the_image_is_moved_onto_its_edge():
    assert point_from_pixels(-0.5, 300.4, 400, 300) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((math.nan, 10, 400, 300), "x must be a finite number"),
        ((10, math.inf, 400, 300), "y must be a finite number"),
        ((-5, 10, 400, 300), "x of -5 pixels is outside the image"),
        ((10, 302, 400, 300), "y of 302 pixels is outside the image"),
        ((10, 10, 0, 300), "must have a size"),
        ((10, 10, 400, -300), "must have a size"),
        (("10", 10, 400, 300), "x must be a finite number"),
    ],
)
def test_a_click_that_is_not_on_the_image_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        point_from_pixels(*args)


@pytest.mark.parametrize(
    ("region_shape", "geometry"),
    [
        ("ellipse", ELLIPSE),
        ("ellipse", {"cx": 0.2, "cy": 0.5, "rx": 0.2, "ry": 0.5}),  # touching the left, top and bottom edges
        ("ellipse", {"cx": 0.5, "cy": 0.5, "rx": 0.5, "ry": 0.5}),  # filling the image
        ("polygon", SQUARE),
        ("polygon", U_SHAPE),
        ("polygon", {"points": [[0, 0], [1, 0], [0, 1]]}),  # corner to corner, whole numbers
    ],
)
def test_a_well_drawn_region_has_no_problems(region_shape, geometry):
    assert validate_geometry(region_shape, geometry) == []


@pytest.mark.parametrize(
    ("region_shape", "geometry", "message"),
    [
        ("circle", ELLIPSE, 'Unknown shape "circle": a region is an "ellipse" or a "polygon".'),
        ("ellipse", [0.5, 0.5, 0.2, 0.1], "The ellipse's geometry must be a JSON object, not [0.5, 0.5, 0.2, 0.1]."),
        ("ellipse", {"cx": 0.5, "cy": 0.5, "rx": 0.2}, 'The ellipse is missing "ry".'),
        ("ellipse", ELLIPSE | {"r": 0.1}, 'The ellipse has an unexpected value "r".'),
        ("ellipse", ELLIPSE | {"rx": "0.2"}, "The ellipse's \"rx\" must be a number, not '0.2'."),
        ("ellipse", ELLIPSE | {"rx": math.nan}, 'The ellipse\'s "rx" must be a number, not nan.'),
        ("ellipse", ELLIPSE | {"ry": True}, 'The ellipse\'s "ry" must be a number, not True.'),
        ("ellipse", ELLIPSE | {"cx": 1.2}, 'The ellipse\'s centre is off the image: "cx" is 1.2, outside 0 to 1.'),
        ("ellipse", ELLIPSE | {"cy": -0.1}, 'The ellipse\'s centre is off the image: "cy" is -0.1, outside 0 to 1.'),
        ("ellipse", ELLIPSE | {"rx": 0}, 'The ellipse\'s "rx" must be greater than 0, not 0.'),
        ("ellipse", ELLIPSE | {"ry": -0.1}, 'The ellipse\'s "ry" must be greater than 0, not -0.1.'),
        (
            "ellipse",
            ELLIPSE | {"cx": 0.1},
            "The ellipse extends past the left edge of the image; make it smaller or move it inwards.",
        ),
        (
            "ellipse",
            ELLIPSE | {"cy": 0.95},
            "The ellipse extends past the bottom edge of the image; make it smaller or move it inwards.",
        ),
        ("polygon", {}, 'The polygon needs "points": a list of [x, y] pairs.'),
        ("polygon", {"points": "0.1,0.1 0.5,0.1 0.3,0.4"}, 'The polygon needs "points": a list of [x, y] pairs.'),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.5], [0.3, 0.4]]},
            "Point 2 of the polygon must be a pair [x, y], not [0.5].",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.5, "top"], [0.3, 0.4]]},
            "Point 2 of the polygon must be two numbers, not [0.5, 'top'].",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [1.5, 0.1], [0.3, 0.4]]},
            "Point 2 of the polygon (1.5, 0.1) is off the image: coordinates run from 0 to 1.",
        ),
        ("polygon", {"points": [[0.1, 0.1], [0.5, 0.1]]}, "A polygon needs at least 3 points, not 2."),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.5, 0.1], [0.3, 0.4], [0.1, 0.1]]},
            "Points 4 and 1 of the polygon are the same point; leave out the repeat",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.3, 0.3], [0.5, 0.5]]},
            "The polygon has no area: its points lie on one line.",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.9, 0.1], [0.5, 0.1 + 2e-9]]},
            "The polygon has no area: it is too thin to click on.",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]},  # a bow-tie
            "The polygon's outline crosses itself: the edge from point 1 to point 2 meets the edge from "
            "point 3 to point 4.",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.5, 0.1], [0.1, 0.9]]},  # pinched at (0.5, 0.1)
            "The polygon's outline crosses itself: the edge from point 1 to point 2 meets the edge from "
            "point 3 to point 4.",
        ),
        (
            "polygon",
            {"points": [[0.1, 0.1], [0.5, 0.1], [0.3, 0.1], [0.3, 0.5]]},  # runs back along its first edge
            "The polygon's outline crosses itself: the edge from point 1 to point 2 meets the edge from "
            "point 2 to point 3.",
        ),
    ],
)
def test_each_kind_of_bad_region_is_refused_with_a_clear_message(region_shape, geometry, message):
    problems = validate_geometry(region_shape, geometry)

    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_every_problem_with_an_ellipse_is_reported_at_once():
    problems = validate_geometry("ellipse", {"cx": "middle", "rx": 0.1})

    assert problems == [
        "The ellipse's \"cx\" must be a number, not 'middle'.",
        'The ellipse is missing "cy".',
        'The ellipse is missing "ry".',
    ]


def test_hit_testing_a_bad_region_fails_loudly_rather_than_marking_the_answer_wrong():
    with pytest.raises(ValueError, match="at least 3 points"):
        contains("polygon", {"points": [[0.1, 0.1], [0.5, 0.1]]}, 0.2, 0.1)


@pytest.mark.parametrize("point", [(math.nan, 0.5), (0.5, math.inf), (None, 0.5)])
def test_hit_testing_a_point_that_is_not_a_number_fails(point):
    with pytest.raises(ValueError, match="finite numeric coordinates"):
        ellipse_contains(*point)


def many_sided(sides: int) -> dict:
    """A polygon close to a circle of radius 0.3 in the middle of the image."""
    return {
        "points": [
            [0.5 + 0.3 * math.cos(2 * math.pi * n / sides), 0.5 + 0.3 * math.sin(2 * math.pi * n / sides)]
            for n in range(sides)
        ]
    }


def best_time(work, repeats=7) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def test_hit_testing_a_saved_polygon_takes_time_in_proportion_to_its_points_not_their_square():
    # The outline's checks (crossings: every edge against every other) run when a region is saved; a
    # hit test reads the points and walks the outline once.
    small, large = many_sided(100), many_sided(400)
    assert validate_geometry("polygon", small) == validate_geometry("polygon", large) == []

    ratio = best_time(lambda: contains("polygon", large, 0.5, 0.5)) / best_time(
        lambda: contains("polygon", small, 0.5, 0.5)
    )

    assert ratio < 8  # 4x the points: about 4x the time (16x with the crossings checked)


def test_hit_testing_does_not_judge_the_outline_which_saving_has_already_judged():
    bow_tie = {"points": [[0.2, 0.2], [0.8, 0.8], [0.8, 0.2], [0.2, 0.8]]}
    assert "crosses itself" in validate_geometry("polygon", bow_tie)[0]

    # Its two lobes, left and right of the crossing, are inside (the even-odd rule); the wedge above is not.
    assert contains("polygon", bow_tie, 0.3, 0.5) and contains("polygon", bow_tie, 0.7, 0.5)
    assert not contains("polygon", bow_tie, 0.5, 0.3)
