"""Hotspot ("click on the lesion") questions: target regions on an image, checked and hit-tested.

Everything here is in coordinates relative to the image: x runs from 0 at its left edge to 1 at its
right, y from 0 at its top to 1 at its bottom, whatever size the image is shown at. A region drawn on
a 1600 x 1200 image in the admin therefore means the same part of the anatomy when a trainee sees it
at 400 x 300 on a phone, and a stored answer never depends on the screen it was given on.

Geometry, as stored in the region's JSON:
    ellipse  {"cx": 0.42, "cy": 0.61, "rx": 0.05, "ry": 0.03}   centre and semi-axes (axis-aligned)
    polygon  {"points": [[0.1, 0.2], [0.3, 0.2], [0.2, 0.4]]}     at least 3 vertices, not closed
                                                                   (the last point joins the first)

An ellipse's radii are fractions of the image's width (rx) and height (ry), so an ellipse with
rx == ry is a circle only on a square image; the admin editor draws it in these same units, so what the
educator sees is what is stored.

This module knows nothing of Django, so the admin, importers, views and tests can all share it.
"""

import math
from collections.abc import Iterator, Mapping, Sequence

ELLIPSE, POLYGON = "ellipse", "polygon"
SHAPES = (ELLIPSE, POLYGON)
ELLIPSE_KEYS = ("cx", "cy", "rx", "ry")

# Floating-point slack, not leniency. Points exactly on an outline count as inside, but arithmetic
# on a vertex or an ellipse's edge can land a few units in the last place either side of it. One
# billionth of the image is far below a pixel (a pixel is about 1/1000 of an image), so this decides
# only those rounding ties; an educator who wants to accept near misses draws the region larger.
EDGE_TOLERANCE = 1e-9

# Browsers lay images out on sub-pixel positions and round click coordinates, so a click on an
# image's last row or column can be reported a fraction of a pixel beyond it. Up to this many pixels
# outside is taken to be on the edge; anything farther is refused as not a click on the image.
PIXEL_SLACK = 1.0

type Point = tuple[float, float]


def validate_geometry(shape: str, geometry: object) -> list[str]:
    """What is wrong with this region's shape and geometry, in words an educator can act on."""
    return _geometry_problems(shape, geometry, drawing=True)


def _geometry_problems(shape: str, geometry: object, *, drawing: bool) -> list[str]:
    """The problems of a region's values (shape, keys, numbers on the image) and, with `drawing`, of a
    polygon's outline (on one line, crossing itself, no area): costly for a many-sided outline, and
    checked when regions are saved, so hit-testing a saved region asks only for the first."""
    if shape not in SHAPES:
        return [f'Unknown shape "{shape}": a region is an "{ELLIPSE}" or a "{POLYGON}".']
    if not isinstance(geometry, Mapping):
        return [f"The {shape}'s geometry must be a JSON object, not {_describe(geometry)}."]
    if shape == ELLIPSE:
        return _ellipse_problems(geometry)
    problems, points = _polygon_points(geometry)
    if problems or not drawing:
        return problems
    return _polygon_outline_problems(points)


def contains(shape: str, geometry: Mapping, x: float, y: float, *, aspect: float = 1.0) -> bool:
    """Whether the relative point (x, y) falls inside the region; a point on its outline is inside.

    `aspect` is the image's width divided by its height. Inside and outside do not depend on it:
    stretching an image stretches its regions with it, so the relative tests below give the same
    answer at every display size and proportion. It only turns the polygon's on-the-edge tolerance
    into a true distance on the image rather than a different one across and down.

    Raises ValueError for a geometry whose values `validate_geometry` would refuse, or a point or aspect
    that is not a finite number, so a corrupt region fails loudly instead of marking every answer wrong.
    (Whether a polygon's outline is well drawn is checked when it is saved: on every answer it would
    cost more than the rest of the answer's scoring.)
    """
    problems = _geometry_problems(shape, geometry, drawing=False)
    if problems:
        raise ValueError(" ".join(problems))
    if not (_is_number(x) and _is_number(y)):
        raise ValueError(f"A point needs finite numeric coordinates, not ({x!r}, {y!r}).")
    if not (_is_number(aspect) and aspect > 0):
        raise ValueError(f"The aspect ratio must be a positive number, not {aspect!r}.")
    if shape == ELLIPSE:
        cx, cy, rx, ry = (float(geometry[key]) for key in ELLIPSE_KEYS)
        return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1 + EDGE_TOLERANCE
    # Measuring across in units of the image's height makes distances the same in both directions.
    points = [(float(px) * aspect, float(py)) for px, py in geometry["points"]]
    point = (x * aspect, y)
    # Ray casting alone is unreliable exactly on an edge (a tie can fall either way), hence the
    # explicit check first.
    if any(_distance_to_segment(point, a, b) <= EDGE_TOLERANCE for a, b in _edges(points)):
        return True
    return _ray_crossings_are_odd(point, points)


def point_from_pixels(px: float, py: float, displayed_width: float, displayed_height: float) -> Point:
    """The relative point for a click at pixel (px, py) on an image shown at the given size.

    Pixels are measured from the top-left corner of the image as displayed (CSS pixels), which is what
    an `<input type="image">` posts as name.x and name.y. A click up to PIXEL_SLACK outside the image is
    moved onto its edge; NaN, infinities, a size that is not positive, and clicks farther outside raise
    ValueError.
    """
    values = {"x": px, "y": py, "width": displayed_width, "height": displayed_height}
    for name, value in values.items():
        if not _is_number(value):
            raise ValueError(f"The click's {name} must be a finite number, not {value!r}.")
    if displayed_width <= 0 or displayed_height <= 0:
        raise ValueError(f"The displayed image must have a size, not {displayed_width} x {displayed_height}.")
    return (
        _relative(float(px), float(displayed_width), "x", "width"),
        _relative(float(py), float(displayed_height), "y", "height"),
    )


def _relative(pixel: float, size: float, axis: str, dimension: str) -> float:
    if pixel < -PIXEL_SLACK or pixel > size + PIXEL_SLACK:
        raise ValueError(f"The click's {axis} of {pixel:g} pixels is outside the image ({dimension} {size:g}).")
    return min(1.0, max(0.0, pixel / size))


def _ellipse_problems(geometry: Mapping) -> list[str]:
    problems = [f'The ellipse has an unexpected value "{key}".' for key in geometry if key not in ELLIPSE_KEYS]
    values = {}
    for key in ELLIPSE_KEYS:
        if key not in geometry:
            problems.append(f'The ellipse is missing "{key}".')
        elif not _is_number(geometry[key]):
            problems.append(f'The ellipse\'s "{key}" must be a number, not {_describe(geometry[key])}.')
        else:
            values[key] = float(geometry[key])
    if problems:
        return problems
    cx, cy, rx, ry = (values[key] for key in ELLIPSE_KEYS)
    for key, value in (("cx", cx), ("cy", cy)):
        if not 0 <= value <= 1:
            problems.append(f'The ellipse\'s centre is off the image: "{key}" is {value:g}, outside 0 to 1.')
    for key, value in (("rx", rx), ("ry", ry)):
        if value <= 0:
            problems.append(f'The ellipse\'s "{key}" must be greater than 0, not {value:g}.')
    if problems:
        return problems
    # Regions must lie wholly on the image: the part of a region off the image could never be clicked,
    # so it would only mislead the educator about what counts as a hit.
    edges = (
        ("left", cx - rx < -EDGE_TOLERANCE),
        ("right", cx + rx > 1 + EDGE_TOLERANCE),
        ("top", cy - ry < -EDGE_TOLERANCE),
        ("bottom", cy + ry > 1 + EDGE_TOLERANCE),
    )
    problems.extend(
        f"The ellipse extends past the {edge} edge of the image; make it smaller or move it inwards."
        for edge, outside in edges
        if outside
    )
    return problems


def _polygon_points(geometry: Mapping) -> tuple[list[str], list[Point]]:
    """The problems of a polygon's values, and its points when it has none."""
    unexpected = [f'The polygon has an unexpected value "{key}".' for key in geometry if key != "points"]
    raw = geometry.get("points")
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
        return [*unexpected, 'The polygon needs "points": a list of [x, y] pairs.'], []
    problems = list(unexpected)
    points: list[Point] = []
    for number, pair in enumerate(raw, start=1):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            problems.append(f"Point {number} of the polygon must be a pair [x, y], not {_describe(pair)}.")
        elif not all(_is_number(value) for value in pair):
            problems.append(f"Point {number} of the polygon must be two numbers, not {_describe(pair)}.")
        elif not all(0 <= value <= 1 for value in pair):
            problems.append(
                f"Point {number} of the polygon ({pair[0]:g}, {pair[1]:g}) is off the image: "
                "coordinates run from 0 to 1."
            )
        else:
            points.append((float(pair[0]), float(pair[1])))
    if problems:
        return problems, []
    if len(points) < 3:
        return [f"A polygon needs at least 3 points, not {len(points)}."], []
    return [], points


def _polygon_outline_problems(points: list[Point]) -> list[str]:
    """What is wrong with a polygon's outline (its values being right): a repeated point, no area, a
    crossing."""
    for index, (a, b) in enumerate(_edges(points)):
        if a == b:
            following = index + 2 if index + 1 < len(points) else 1
            return [
                f"Points {index + 1} and {following} of the polygon are the same point; leave out the repeat "
                "(the outline closes itself, so the first point is not repeated at the end)."
            ]
    # Points on one line would also "cross" (the outline runs back over itself), but saying so would
    # hide the real problem; and a bow-tie's halves cancel to zero signed area, so area alone can't
    # tell the two apart. Hence: on one line first, then crossings, then area.
    first, second = points[0], points[1]
    baseline = math.dist(first, second)
    if all(abs(_cross(first, second, point)) / baseline <= EDGE_TOLERANCE for point in points[2:]):
        return ["The polygon has no area: its points lie on one line."]
    crossing = _first_crossing(points)
    if crossing:
        (a, b), (c, d) = crossing
        return [
            f"The polygon's outline crosses itself: the edge from point {a} to point {b} meets the edge from "
            f"point {c} to point {d}. Draw the outline as one loop that does not cross or touch itself."
        ]
    if abs(_signed_area(points)) <= EDGE_TOLERANCE:
        return ["The polygon has no area: it is too thin to click on."]
    return []


def _first_crossing(points: list[Point]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first pair of edges (as 1-based point numbers) that cross, touch or overlap, if any."""
    count = len(points)
    edges = list(_edges(points))

    def numbers(index: int) -> tuple[int, int]:
        return index + 1, (index + 1) % count + 1

    for i in range(count):
        # Neighbouring edges share a vertex; they only go wrong if the outline doubles back along itself.
        a, b = edges[i]
        c = edges[(i + 1) % count][1]
        if abs(_cross(a, b, c)) <= EDGE_TOLERANCE and _dot(a, b, c) > 0:
            return numbers(i), numbers((i + 1) % count)
    for i in range(count):
        for j in range(i + 2, count):
            if i == 0 and j == count - 1:
                continue  # the closing edge is the first edge's neighbour
            if _segments_meet(*edges[i], *edges[j]):
                return numbers(i), numbers(j)
    return None


def _edges(points: list[Point]) -> Iterator[tuple[Point, Point]]:
    return zip(points, points[1:] + points[:1], strict=False)


def _signed_area(points: list[Point]) -> float:
    return sum(ax * by - bx * ay for (ax, ay), (bx, by) in _edges(points)) / 2


def _cross(origin: Point, a: Point, b: Point) -> float:
    """Twice the signed area of the triangle origin-a-b: which side of origin->a the point b lies."""
    return (a[0] - origin[0]) * (b[1] - origin[1]) - (a[1] - origin[1]) * (b[0] - origin[0])


def _dot(a: Point, vertex: Point, b: Point) -> float:
    """Positive when a and b lie on the same side of the vertex, i.e. the outline turns right back."""
    return (a[0] - vertex[0]) * (b[0] - vertex[0]) + (a[1] - vertex[1]) * (b[1] - vertex[1])


def _segments_meet(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True  # each segment has the other's ends on opposite sides: a proper crossing
    # Touching counts too: a vertex resting on another edge pinches the region into two loops.
    return _on_segment(p1, q1, q2) or _on_segment(p2, q1, q2) or _on_segment(q1, p1, p2) or _on_segment(q2, p1, p2)


def _on_segment(point: Point, a: Point, b: Point) -> bool:
    return _distance_to_segment(point, a, b) <= EDGE_TOLERANCE


def _distance_to_segment(point: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - ax, py - ay)
    along = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return math.hypot(px - (ax + along * dx), py - (ay + along * dy))


def _ray_crossings_are_odd(point: Point, points: list[Point]) -> bool:
    """Even-odd rule: a ray from the point to the right crosses the outline an odd number of times
    exactly when the point is inside. Counting each edge as half-open (lower end included, upper end
    not) makes a ray through a vertex count once, not twice."""
    x, y = point
    inside = False
    for (ax, ay), (bx, by) in _edges(points):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def _is_number(value: object) -> bool:
    # JSON true/false are not coordinates, though Python would happily treat them as 1 and 0.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
