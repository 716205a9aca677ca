"""Template filters and tags for quiz pages. Rich text is printed as stored when it was written
(`stem_html`: quizzes/rich_text.py, RichTextField); plain_excerpt reads a line of words from that HTML."""

from dataclasses import dataclass
from datetime import timedelta

from django import template

from quizzes.forms import ProblemReportForm
from quizzes.models import Choice, HotspotRegion, MatchStem, ProblemReport
from quizzes.rich_text import plain_excerpt as rich_text_excerpt
from quizzes.scoring import accepted_answer_matched, model_answer, regions_hit

register = template.Library()


@register.filter
def plain_excerpt(html: str, length: int = 100) -> str:
    return rich_text_excerpt(html, length)


@register.filter
def duration(value: timedelta | None) -> str:
    """A timedelta as "4 min 05 s" (or "35 s")."""
    if value is None:
        return "–"
    seconds = max(0, int(value.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


# Markers are drawn in the image's relative coordinates (an SVG with viewBox 0 0 1 1 stretched over the
# image), where a circle would come out as an ellipse on an image that is not square: the vertical
# radius is scaled by the image's proportions so markers stay round.
MARKER_RADIUS = 0.014  # of the image's width
SMALL_MARKER_RADIUS = 0.008  # many clicks on one image (the item analysis)


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    inside: bool
    rx: float
    ry: float

    @property
    def cross(self) -> tuple[tuple[float, float, float, float], ...]:
        """The two strokes of a cross (x1, y1, x2, y2) that marks a point outside every target."""
        return (
            (self.x - self.rx, self.y - self.ry, self.x + self.rx, self.y + self.ry),
            (self.x - self.rx, self.y + self.ry, self.x + self.rx, self.y - self.ry),
        )


@dataclass(frozen=True)
class DrawnRegion:
    number: int
    region: HotspotRegion
    svg_points: str  # polygons: "x,y x,y ..."
    centre: tuple[float, float]
    holds_point: bool


def drawn_regions(question, point=None) -> list[DrawnRegion]:
    regions = list(question.regions.all())
    hits = regions_hit(regions, point)
    drawn = []
    for number, region in enumerate(regions, start=1):
        geometry = region.geometry
        if region.shape == HotspotRegion.Shape.ELLIPSE:
            svg_points, centre = "", (geometry["cx"], geometry["cy"])
        else:
            points = geometry["points"]
            svg_points = " ".join(f"{x:g},{y:g}" for x, y in points)
            centre = (sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points))
        drawn.append(DrawnRegion(number, region, svg_points, centre, holds_point=region in hits))
    return drawn


def image_aspect(question) -> float:
    try:
        return question.image.width / question.image.height
    except (OSError, ValueError, ZeroDivisionError):
        return 1.0


@register.inclusion_tag("quizzes/_hotspot_figure.html")
def hotspot_figure(question, clicks=(), *, small=False):
    """The question's image with its target regions outlined and `clicks` marked over it.

    `clicks` are (x, y, inside) in relative coordinates: a circle marks a click inside a target and a
    cross one outside, so the two differ in shape as well as colour.
    """
    radius = SMALL_MARKER_RADIUS if small else MARKER_RADIUS
    aspect = image_aspect(question)
    return {
        "question": question,
        "regions": drawn_regions(question),
        "markers": [Marker(x, y, inside, radius, radius * aspect) for x, y, inside in clicks],
        "small": small,
    }


@register.inclusion_tag("quizzes/_hotspot_feedback.html")
def hotspot_feedback(question, response):
    """After a hotspot answer: where the trainee clicked, in words and on the image, with each target's feedback."""
    return {
        "question": question,
        "response": response,
        "regions": drawn_regions(question, response.point),
        # A click scored right is a click inside a target: the verdict recorded with the answer says so.
        "clicks": [(*response.point, response.is_correct)] if response.point else [],
    }


@register.inclusion_tag("quizzes/_short_answer_review.html")
def short_answer_review(question, response):
    """After a short answer (or none: `response` None): what was typed, the accepted answer it matched
    (from the question's prefetched ones, so no query) and the model answer.

    An answer whose accepted answer was deleted since has lost the link to it, but not the version of the
    question it was given to (quizzes/versions.py): the same rule on that version's answers finds it again."""
    matched = None
    if response is not None and response.matched_answer_id:
        matched = next(
            (each for each in question.accepted_answers.all() if each.pk == response.matched_answer_id), None
        )
    elif response is not None and question.is_earlier_version:
        matched = accepted_answer_matched(question, response.typed_answer)
    return {"question": question, "response": response, "matched": matched, "model": model_answer(question)}


@register.filter
def option_text(question, option_id) -> str:
    """The text of the question's option with this id, from its prefetched options ("" if it has none)."""
    return next((choice.text for choice in question.choices.all() if choice.pk == option_id), "")


@dataclass(frozen=True)
class ReviewedMatch:
    stem: MatchStem
    chosen: Choice | None
    chosen_label: str
    right: Choice | None
    right_label: str

    @property
    def is_right(self) -> bool:
        return self.chosen is not None and self.chosen == self.right


@register.inclusion_tag("quizzes/_matching_review.html")
def matching_review(question, response, options, chosen_matches):
    """After an extended-matching answer: each stem with the option chosen (`chosen_matches`, {stem id:
    option id}) and its right option, labelled as the trainee saw them (`options`)."""
    choices = {choice.pk: choice for choice in question.choices.all()}
    labels = {option.choice.pk: option.label for option in options}
    rows = []
    for stem in question.match_stems.all():
        chosen_id = chosen_matches.get(stem.pk)
        rows.append(
            ReviewedMatch(
                stem=stem,
                chosen=choices.get(chosen_id),
                chosen_label=labels.get(chosen_id, ""),
                right=choices.get(stem.answer_id),
                right_label=labels.get(stem.answer_id, ""),
            )
        )
    return {"rows": rows, "options": options, "answered": response is not None}


def report_problem_context(*, attempt, question, form=None, back: str = "", is_open: bool = False) -> dict:
    """What quizzes/_report_problem.html renders: the views' refusals and the tag below both build it here."""
    return {
        "attempt": attempt,
        "question": question,
        "report_form": form or ProblemReportForm(),
        "reasons": ProblemReport.Reason.choices,
        "note_max_length": ProblemReport.NOTE_MAX_LENGTH,
        "report_back": back,
        "report_open": is_open,
    }


@register.inclusion_tag("quizzes/_report_problem.html", takes_context=True)
def report_problem(context, attempt, question, back=""):
    """ "Report a problem with this question", closed and empty, under feedback or a summary item."""
    return report_problem_context(attempt=attempt, question=question, back=back) | {
        "csrf_token": context.get("csrf_token")
    }


@register.filter
def percent(value: float) -> int:
    """A relative coordinate (0 to 1) as a whole percentage."""
    return round(value * 100)
