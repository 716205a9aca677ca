"""Item analysis for quizzes: how hard each question is, how well it separates strong from weak
trainees, how reliable the quiz is as a whole, how much evidence there is for saying so, and the raw
responses for export.

The statistics functions at the top work on plain numbers and know nothing of Django. A score
matrix is a sequence of rows, one per respondent, each a sequence of item scores, one per item,
every row the same length. Respondents are identified only by their position in it. The quiz
analysis fills it with points (0 to POINTS_PER_QUESTION, as trainees see them), so partial credit
counts; a matrix of 0/1 scores is the classical special case.
"""

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from quizzes.downloads import csv_cell
from quizzes.models import (
    POINTS_PER_QUESTION,
    AcceptedAnswer,
    Attempt,
    Choice,
    MatchStem,
    Question,
    Quiz,
    Response,
    ResponseMatch,
)
from quizzes.scoring import accepted_answer_matched, regions_hit
from quizzes.typed_answers import normalised

type ScoreMatrix = Sequence[Sequence[int]]

# Review thresholds, from common practice in classical test theory for teaching quizzes. Facility is
# a share of full marks: 0.2 is 2 of a question's 10 points on average.
FACILITY_TOO_HARD = 0.2  # fewer than one in five right: the item is very hard, or its key is wrong
FACILITY_TOO_EASY = 0.95  # almost everyone right: the item tells us little about anyone
DISCRIMINATION_MINIMUM = 0.2  # below this, strong and weak trainees do about equally well on it
UPPER_LOWER_FRACTION = 0.27  # Kelley's 27%: the split that best balances group size and contrast

# How much evidence the judgements need (simulated figures: benchmarks/analysis_sampling.py, quoted in
# docs/educator-guide.md). Below this many first attempts the figures are shown but no item is flagged:
# with 10 trainees a sound item (discrimination 0.5 over a large group) falls below DISCRIMINATION_MINIMUM
# by chance one time in seven, with 20 one time in twenty-five; and from 20 an undefined discrimination
# is no accident either: every trainee scored the same on the item or on the rest of the quiz.
MIN_FIRST_ATTEMPTS_TO_JUDGE = 20
# Cronbach's alpha is shown from this many first attempts: a sound ten-question quiz's alpha of 0.78
# comes out anywhere from 0.62 to 0.86 with 20 trainees (middle 90%), from 0.66 to 0.85 with 30.
MIN_ATTEMPTS_FOR_ALPHA = 30


# --- Statistics on plain data ---------------------------------------------------------------


def facility(item_scores: Sequence[int], full_marks: int = 1) -> float | None:
    """The share of the item's marks respondents earned: p = (sum of item scores) / (n * full marks).

    With 0/1 scores, the share of respondents who got the item right. None when there are no respondents.
    """
    if not item_scores:
        return None
    return sum(item_scores) / (len(item_scores) * full_marks)


def total_scores(matrix: ScoreMatrix) -> list[int]:
    """Each respondent's total: the sum of their item scores."""
    return [sum(row) for row in matrix]


def item_column(matrix: ScoreMatrix, item: int) -> list[int]:
    """Every respondent's score on one item (0-based index)."""
    return [row[item] for row in matrix]


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean: sum(x) / n. None when there are no values."""
    return statistics.fmean(values) if values else None


def median(values: Sequence[float]) -> float | None:
    """The middle value once sorted; the mean of the two middle values when n is even.

    None when there are no values.
    """
    return float(statistics.median(values)) if values else None


def sample_variance(values: Sequence[float]) -> float | None:
    """Sample variance, with Bessel's correction: s² = sum((x - mean)²) / (n - 1).

    We use the sample (n - 1) definition everywhere in this module because the respondents are a
    sample of the trainees who could take the quiz. None when n < 2.
    """
    if len(values) < 2:
        return None
    # statistics.variance sums exactly, so identical values give exactly 0, never 1e-17.
    return statistics.variance(values)


def sample_standard_deviation(values: Sequence[float]) -> float | None:
    """Sample standard deviation: s = sqrt(s²), s² as in `sample_variance` (n - 1). None when n < 2."""
    variance = sample_variance(values)
    return None if variance is None else math.sqrt(variance)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation: r = sum((x - mx)(y - my)) / sqrt(sum((x - mx)²) * sum((y - my)²)).

    The 1/(n - 1) factors of covariance and standard deviations cancel, so r does not depend on
    the variance definition. None when n < 2 or either variable has zero variance.
    """
    if len(xs) != len(ys):
        raise ValueError("Both variables need one value per respondent.")
    if len(xs) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    # Rounding can push a perfect correlation a hair past ±1.
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def point_biserial(matrix: ScoreMatrix, item: int) -> float | None:
    """Corrected point-biserial discrimination of one item (0-based index).

    r = pearson(item score, rest score), where rest score = total - item score. For a 0/1 item
    this equals the point-biserial r_pb = (M1 - M0) / s * sqrt(p q), where M1 and M0 are the mean
    rest scores of those right and wrong, p the facility, q = 1 - p, and s the rest scores'
    population (n) standard deviation.
    Leaving the item out of the total stops it correlating with itself, which inflates r most on
    short quizzes. None when undefined: fewer than 2 respondents, everyone scoring the same on
    the item (p = 0 or 1), or everyone having the same rest score.
    """
    scores = item_column(matrix, item)
    rest = [total - score for total, score in zip(total_scores(matrix), scores, strict=True)]
    return pearson(scores, rest)


def upper_lower_index(
    matrix: ScoreMatrix, item: int, fraction: float = UPPER_LOWER_FRACTION, full_marks: int = 1
) -> float | None:
    """Upper-lower discrimination index of one item (0-based index): D = p_upper - p_lower.

    Respondents are ranked by total score, highest first; respondents with equal totals keep the
    order they have in `matrix`, so the split is deterministic. The upper group is the first
    g = floor(fraction * n + 0.5) of that ranking (at least 1), the lower group the last g, and
    p_upper, p_lower are the item's facility (out of `full_marks`) within each group. D runs from -1 to 1.
    None when there are fewer than 2 respondents, since the groups would be one person.
    """
    n = len(matrix)
    if n < 2:
        return None
    # Half-up rounding, not Python's round-half-to-even, so the group size is easy to check by hand.
    group = max(1, math.floor(fraction * n + 0.5))
    totals = total_scores(matrix)
    ranking = sorted(range(n), key=lambda respondent: -totals[respondent])  # sorted() is stable
    upper, lower = ranking[:group], ranking[-group:]
    p_upper = facility([matrix[r][item] for r in upper], full_marks)
    p_lower = facility([matrix[r][item] for r in lower], full_marks)
    return p_upper - p_lower


def cronbach_alpha(matrix: ScoreMatrix) -> float | None:
    """Cronbach's alpha: k / (k - 1) * (1 - sum(item variances) / variance(total)).

    k is the number of items. Item and total variances both use the sample (n - 1) definition;
    any definition gives the same alpha as long as it is used for both, because the factor cancels.
    None when undefined: fewer than 2 items, fewer than 2 respondents, or zero total variance.
    """
    if len(matrix) < 2:
        return None
    k = len(matrix[0])
    if k < 2:
        return None
    if any(len(row) != k for row in matrix):
        raise ValueError("Every respondent needs one score per item.")
    total_variance = sample_variance(total_scores(matrix))
    if not total_variance:
        return None
    item_variances = sum(sample_variance(item_column(matrix, item)) for item in range(k))
    return k / (k - 1) * (1 - item_variances / total_variance)


def needs_review(*, facility: float | None, discrimination: float | None, respondents: int) -> bool:
    """Whether an author should look at the item again.

    Never with fewer than MIN_FIRST_ATTEMPTS_TO_JUDGE respondents: there are too few attempts to
    judge. From there, yes when facility < FACILITY_TOO_HARD or facility > FACILITY_TOO_EASY, or when
    the (point-biserial) discrimination is undefined or < DISCRIMINATION_MINIMUM.
    """
    if facility is None or respondents < MIN_FIRST_ATTEMPTS_TO_JUDGE:
        return False
    if facility < FACILITY_TOO_HARD or facility > FACILITY_TOO_EASY:
        return True
    return discrimination is None or discrimination < DISCRIMINATION_MINIMUM


def alpha_shown(matrix: ScoreMatrix) -> tuple[float | None, str]:
    """Cronbach's alpha as the analysis page shows it: (alpha, "") or (None, why it is not shown)."""
    respondents = len(matrix)
    if respondents < MIN_ATTEMPTS_FOR_ALPHA:
        return None, f"not shown below {MIN_ATTEMPTS_FOR_ALPHA} first attempts (there are {respondents})"
    if len(matrix[0]) < 2:
        return None, "not defined for a quiz of fewer than two questions"
    alpha = cronbach_alpha(matrix)
    if alpha is None:
        return None, "not defined: every trainee has the same total score"
    return alpha, ""


# --- Analysis of a quiz from the database ----------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    choice: Choice
    count: int  # how many first attempts chose this option


@dataclass(frozen=True)
class HotspotClick:
    x: float  # relative to the image, 0 to 1 across and down
    y: float
    inside: bool  # inside any of the question's target regions


@dataclass(frozen=True)
class ClickMap:
    """Where trainees clicked on a hotspot question (first attempts, as for every statistic here)."""

    clicks: tuple[HotspotClick, ...]
    no_abnormality: int  # answered "No abnormality" instead of clicking

    @property
    def inside(self) -> int:
        return sum(click.inside for click in self.clicks)

    @property
    def outside(self) -> int:
        return len(self.clicks) - self.inside

    @property
    def points(self) -> list[tuple[float, float, bool]]:
        """(x, y, inside) for drawing."""
        return [(click.x, click.y, click.inside) for click in self.clicks]


def click_map(question: Question, points: list[tuple[float, float] | None]) -> ClickMap:
    """The click map of a hotspot question (with its regions prefetched) from its answers' points,
    None standing for "No abnormality"."""
    regions = list(question.regions.all())
    clicks = tuple(
        HotspotClick(x, y, bool(regions_hit(regions, (x, y))))
        for x, y in (point for point in points if point is not None)
    )
    return ClickMap(clicks=clicks, no_abnormality=sum(point is None for point in points))


@dataclass(frozen=True)
class TypedAnswerCount:
    """A short answer as trainees typed it (normalised: quizzes/typed_answers.py), how many first attempts
    typed it, and the accepted answer it matches as the accepted answers stand now (None: none)."""

    text: str
    count: int
    matched: AcceptedAnswer | None


def typed_answer_counts(question: Question, typed: list[str]) -> tuple[TypedAnswerCount, ...]:
    """The distinct answers typed to a short-answer question (its accepted answers prefetched), the most
    often typed first, so that an educator sees the synonyms trainees use that no accepted answer takes."""
    counts = Counter(normalised(text, case_sensitive=question.case_sensitive) for text in typed)
    return tuple(
        TypedAnswerCount(text=text, count=count, matched=accepted_answer_matched(question, text))
        for text, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    )


@dataclass(frozen=True)
class StemAnalysis:
    """One stem of an extended-matching question: the share of first attempts that matched it to its
    right option (unanswered counting as wrong, as for the item), and how often each option was chosen."""

    stem: MatchStem
    facility: float | None
    option_counts: tuple[OptionCount, ...]  # in the question's option order, never-chosen included


def stem_analyses(question: Question, respondents: int, chosen: Counter[tuple[int, int]]) -> tuple[StemAnalysis, ...]:
    """Each stem of a matching question (its options and stems prefetched), from `chosen`: how many first
    attempts chose each (stem id, option id)."""
    return tuple(
        StemAnalysis(
            stem=stem,
            facility=chosen[(stem.pk, stem.answer_id)] / respondents if respondents else None,
            option_counts=tuple(
                OptionCount(choice=choice, count=chosen[(stem.pk, choice.pk)]) for choice in question.choices.all()
            ),
        )
        for stem in question.match_stems.all()
    )


@dataclass(frozen=True)
class ItemAnalysis:
    question: Question  # with its choices prefetched
    respondents: int  # first attempts, answered or not: the denominator of facility
    answered: int  # how many of those actually answered it
    facility: float | None  # the share of the question's points earned
    point_biserial: float | None  # corrected: the item is left out of the total
    upper_lower_index: float | None  # D = p_upper - p_lower, 27% groups
    option_counts: tuple[OptionCount, ...]  # in the question's option order, never-chosen included
    mean_seconds: float | None  # over the responses given; None when nobody answered
    needs_review: bool
    click_map: ClickMap | None = None  # hotspot questions only
    typed_answers: tuple[TypedAnswerCount, ...] = ()  # short-answer questions only
    stems: tuple[StemAnalysis, ...] = ()  # extended-matching questions only
    # First attempts that answered an earlier version of the question (question.version is the current
    # one, question.version_since when it began): left out of every figure of this item.
    earlier_answers: int = 0

    @property
    def judged(self) -> bool:
        """Enough first attempts to flag the item, or to call it sound."""
        return self.respondents >= MIN_FIRST_ATTEMPTS_TO_JUDGE

    @property
    def mean_points(self) -> float | None:
        """Facility in the trainees' unit: the points a first attempt earned on average."""
        return None if self.facility is None else self.facility * POINTS_PER_QUESTION


@dataclass(frozen=True)
class QuizAnalysis:
    quiz: Quiz
    respondents: int  # trainees with a finished attempt: one first attempt each
    question_count: int
    mean: float | None  # of total scores, in points
    median: float | None
    standard_deviation: float | None  # sample (n - 1)
    alpha: float | None  # Cronbach's alpha; None below MIN_ATTEMPTS_FOR_ALPHA or when undefined
    alpha_not_shown: str  # why alpha is None ("" when it is shown)
    items: tuple[ItemAnalysis, ...]  # in quiz order

    @property
    def points_possible(self) -> int:
        """The most a total score can be, as the trainee's score is out of it."""
        return self.question_count * POINTS_PER_QUESTION

    @property
    def judged(self) -> bool:
        return self.respondents >= MIN_FIRST_ATTEMPTS_TO_JUDGE

    @property
    def items_needing_review(self) -> tuple[ItemAnalysis, ...]:
        return tuple(item for item in self.items if item.needs_review)


def first_finished_attempts(quiz: Quiz, attempts: QuerySet[Attempt] | None = None) -> QuerySet[Attempt]:
    """Each user's earliest finished attempt at the quiz (by started_at, then pk), one per user,
    among `attempts` (by default every attempt; a cohort's, say, to analyse that cohort alone).

    Later attempts are practice on questions the trainee has already seen with feedback, so only
    the first says how hard the questions are.
    """
    attempts = Attempt.objects.all() if attempts is None else attempts
    return (
        # Quiz attempts only: a practice set drawn from the quiz holds the questions a trainee got wrong.
        attempts.filter(quiz=quiz, kind=Attempt.Kind.QUIZ)
        .finished()
        .annotate(
            position_for_user=Window(
                RowNumber(), partition_by=[F("user_id")], order_by=[F("started_at").asc(), F("pk").asc()]
            )
        )
        .filter(position_for_user=1)
    )


def quiz_item_analysis(quiz: Quiz, *, attempts: QuerySet[Attempt] | None = None) -> QuizAnalysis:
    """Item and quiz statistics in points from first finished attempts (among `attempts`, as for
    first_finished_attempts), in eight queries however many there are.

    A question left unanswered in a first attempt scores 0, as a wrong answer does.
    """
    options_in_order = Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"))
    questions = list(
        Question.objects.filter(quiz=quiz)
        .with_version_since()
        .in_quiz_order()
        .prefetch_related(options_in_order, "regions", "accepted_answers", "match_stems")
    )
    first_attempts = first_finished_attempts(quiz, attempts)
    attempt_ids = list(first_attempts.order_by("started_at", "pk").values_list("pk", flat=True))
    # One row per option chosen (one row with None for a response without options), so the
    # responses and the options chosen come from the same snapshot as each other. The window
    # function stays in the database as a subquery rather than sending thousands of attempt ids
    # back as parameters, which SQLite limits.
    rows = (
        Response.objects.filter(attempt__in=first_attempts.values("pk"))
        .order_by()
        .values_list(
            "attempt_id",
            "question_id",
            "question_version",
            "points",
            "seconds_taken",
            "chosen",
            "point_x",
            "point_y",
            "typed_answer",
        )
    )
    # Extended matching: the option each first attempt chose for each stem.
    match_rows = (
        ResponseMatch.objects.filter(response__attempt__in=first_attempts.values("pk"))
        .order_by()
        .values_list(
            "response__attempt_id", "response__question_id", "response__question_version", "stem_id", "choice_id"
        )
    )

    row_of = {attempt_id: row for row, attempt_id in enumerate(attempt_ids)}
    column_of = {question.pk: column for column, question in enumerate(questions)}
    matrix = [[0] * len(questions) for _ in attempt_ids]
    seconds: dict[int, list[int]] = defaultdict(list)
    times_chosen: Counter[int] = Counter()
    seen: set[tuple[int, int]] = set()
    points: dict[int, list[tuple[float, float] | None]] = defaultdict(list)
    # (row, column) of answers to an earlier version of the question than its current one: they count in
    # the quiz totals as they were scored, but say nothing about the question as it is now.
    earlier: set[tuple[int, int]] = set()
    typed: dict[int, list[str]] = defaultdict(list)
    for (
        attempt_id,
        question_id,
        version,
        points_earned,
        seconds_taken,
        choice_id,
        point_x,
        point_y,
        typed_answer,
    ) in rows:
        # An attempt finished between the two queries, or a question since moved out of the quiz:
        # leave it out rather than count it in some statistics and not others.
        if attempt_id not in row_of or question_id not in column_of:
            continue
        is_current = version == questions[column_of[question_id]].version
        if choice_id is not None and is_current:
            times_chosen[choice_id] += 1
        if (attempt_id, question_id) in seen:
            continue  # the same response again, for its next chosen option
        seen.add((attempt_id, question_id))
        matrix[row_of[attempt_id]][column_of[question_id]] = points_earned
        if not is_current:
            earlier.add((row_of[attempt_id], column_of[question_id]))
            continue
        seconds[question_id].append(seconds_taken)
        points[question_id].append((point_x, point_y) if point_x is not None else None)
        if typed_answer:
            typed[question_id].append(typed_answer)
    stem_choices: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    for attempt_id, question_id, version, stem_id, choice_id in match_rows:
        current = question_id in column_of and version == questions[column_of[question_id]].version
        if attempt_id in row_of and current:
            stem_choices[question_id][(stem_id, choice_id)] += 1

    items = []
    for column, question in enumerate(questions):
        item_matrix = [row for number, row in enumerate(matrix) if (number, column) not in earlier]
        item_facility = facility(item_column(item_matrix, column), POINTS_PER_QUESTION)
        discrimination = point_biserial(item_matrix, column)
        items.append(
            ItemAnalysis(
                question=question,
                respondents=len(item_matrix),
                answered=len(seconds[question.pk]),
                facility=item_facility,
                point_biserial=discrimination,
                upper_lower_index=upper_lower_index(item_matrix, column, full_marks=POINTS_PER_QUESTION),
                option_counts=tuple(
                    OptionCount(choice=choice, count=times_chosen.get(choice.pk, 0))
                    for choice in question.choices.all()
                ),
                mean_seconds=mean(seconds[question.pk]),
                needs_review=needs_review(
                    facility=item_facility, discrimination=discrimination, respondents=len(item_matrix)
                ),
                click_map=click_map(question, points[question.pk]) if question.is_hotspot else None,
                earlier_answers=len(matrix) - len(item_matrix),
                typed_answers=typed_answer_counts(question, typed[question.pk]) if question.is_short_answer else (),
                stems=stem_analyses(question, len(item_matrix), stem_choices[question.pk])
                if question.is_matching
                else (),
            )
        )
    totals = total_scores(matrix)
    alpha, alpha_not_shown = alpha_shown(matrix)
    return QuizAnalysis(
        quiz=quiz,
        respondents=len(attempt_ids),
        question_count=len(questions),
        mean=mean(totals),
        median=median(totals),
        standard_deviation=sample_standard_deviation(totals),
        alpha=alpha,
        alpha_not_shown=alpha_not_shown,
        items=tuple(items),
    )


# --- Export -----------------------------------------------------------------------------------

CSV_HEADER = (
    "attempt_id",
    "username",
    "display_name",
    "quiz",
    "attempt_kind",
    "mode",
    "question",
    "chosen",
    "click_x",
    "click_y",
    "right",
    "points",
    "confidence",
    "seconds_taken",
    "answered_at",
    "question_version",
    "typed_answer",
    "matched_answer",
    "matches",
)
CHOSEN_SEPARATOR = " | "
CSV_CHUNK_SIZE = 2000
# A click's place as a share of the image's width or height: four places are finer than a pixel of
# any image the site stores.
CLICK_DECIMALS = 4


def click_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.{CLICK_DECIMALS}f}"


def responses_csv_rows(quiz: Quiz, *, attempts: QuerySet[Attempt] | None = None) -> Iterator[list[str]]:
    """The CSV header, then one row per response in every attempt at the quiz (first or not,
    finished or not, the quiz itself or a practice set drawn from it: attempt_kind says which), attempt
    by attempt in the order they started, each in the order answered. `attempts` narrows whose
    attempts are exported, as for quiz_item_analysis.

    Points are out of POINTS_PER_QUESTION, as trainees see them; a hotspot answer's click is given
    as a share of the image's width (x) and height (y) from its top left corner, both empty for
    "No abnormality" and for questions with options. Rows name trainees by username, so this
    export is for staff only. Streams from the database in chunks, so a large export never sits in
    memory whole.
    """
    yield list(CSV_HEADER)
    # Extended matching: each stem by its number in its question ("2: Thyroid carcinoma").
    stem_numbers: dict[int, int] = {}
    stems_seen: Counter[int] = Counter()
    stems = MatchStem.objects.filter(question__quiz=quiz).order_by("question", "order", "pk")
    for stem_id, question_id in stems.values_list("pk", "question_id"):
        stems_seen[question_id] += 1
        stem_numbers[stem_id] = stems_seen[question_id]
    responses = Response.objects.filter(attempt__quiz=quiz)
    if attempts is not None:
        responses = responses.filter(attempt__in=attempts.values("pk"))
    responses = (
        responses.select_related("attempt__user", "question", "matched_answer")
        .only(
            "attempt__kind",
            "attempt__mode",
            "attempt__user__username",
            "attempt__user__display_name",
            "question__key",
            "point_x",
            "point_y",
            "is_correct",
            "points",
            "confidence",
            "seconds_taken",
            "answered_at",
            "question_version",
            "typed_answer",
            "matched_answer__text",
        )
        # All of a response's options belong to one question, so option order alone sorts them; the
        # model's default ordering would join through question, quiz and topic to say the same.
        .prefetch_related(
            Prefetch("chosen", queryset=Choice.objects.only("text").order_by("order", "pk")),
            Prefetch(
                "matches", queryset=ResponseMatch.objects.select_related("choice").only("stem_id", "choice__text")
            ),
        )
        .order_by("attempt__started_at", "attempt_id", "answered_at", "pk")
    )
    for response in responses.iterator(chunk_size=CSV_CHUNK_SIZE):
        attempt, user = response.attempt, response.attempt.user
        yield [
            str(response.attempt_id),
            csv_cell(user.username),
            csv_cell(user.display_name),
            quiz.slug,
            attempt.kind,
            attempt.mode,
            csv_cell(response.question.key),
            csv_cell(CHOSEN_SEPARATOR.join(choice.text for choice in response.chosen.all())),
            click_cell(response.point_x),
            click_cell(response.point_y),
            "yes" if response.is_correct else "no",
            str(response.points),
            response.confidence,
            str(response.seconds_taken),
            response.answered_at.isoformat(),
            str(response.question_version),
            csv_cell(response.typed_answer),
            csv_cell(response.matched_answer.text if response.matched_answer else ""),
            csv_cell(
                CHOSEN_SEPARATOR.join(
                    # A stem of a question since moved to another quiz has no number here: "?".
                    f"{stem_numbers.get(match.stem_id, '?')}: {match.choice.text}"
                    for match in sorted(response.matches.all(), key=lambda match: stem_numbers.get(match.stem_id, 0))
                )
            ),
        ]
