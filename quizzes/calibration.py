"""Calibration: how often a trainee is right at each confidence they state, per topic, and a plain
reading of whether that shows over- or under-confidence (the rule is printed on My progress)."""

from collections.abc import Iterable
from dataclasses import dataclass

from quizzes.models import Response

LEVELS = [Response.Confidence.LOW, Response.Confidence.MEDIUM, Response.Confidence.HIGH]
# Below this many answers at a level, its accuracy says more about luck than about the trainee.
MIN_ANSWERS = 5
# "High: sure" answers should nearly always be right; right in fewer than this share is over-confidence.
OVER_CONFIDENT_BELOW_PERCENT = 80
# "Low: a guess" answers right in more than this share (well above chance on a four-option question)
# mean the trainee knows more than they credit themselves with.
UNDER_CONFIDENT_ABOVE_PERCENT = 50
ALL_TOPICS = "All topics"


@dataclass(frozen=True)
class LevelFigures:
    level: str
    answered: int = 0
    correct: int = 0

    @property
    def label(self) -> str:
        return Response.Confidence(self.level).label

    @property
    def percent(self) -> int | None:
        return round(100 * self.correct / self.answered) if self.answered else None

    @property
    def is_judged(self) -> bool:
        return self.answered >= MIN_ANSWERS


@dataclass(frozen=True)
class TopicCalibration:
    topic: str
    levels: list[LevelFigures]

    def level(self, level: str) -> LevelFigures:
        return next(figures for figures in self.levels if figures.level == level)

    @property
    def is_over_confident(self) -> bool:
        high = self.level(Response.Confidence.HIGH)
        # Compared exactly, not through the rounded percentage.
        return high.is_judged and 100 * high.correct < OVER_CONFIDENT_BELOW_PERCENT * high.answered

    @property
    def is_under_confident(self) -> bool:
        low = self.level(Response.Confidence.LOW)
        return low.is_judged and 100 * low.correct > UNDER_CONFIDENT_ABOVE_PERCENT * low.answered

    @property
    def reading(self) -> str:
        high, low = self.level(Response.Confidence.HIGH), self.level(Response.Confidence.LOW)
        findings = []
        if self.is_over_confident:
            findings.append(
                f"Over-confident: right in {high.percent}% ({high.correct} of {high.answered}) of answers "
                f"you were sure of, below {OVER_CONFIDENT_BELOW_PERCENT}%."
            )
        if self.is_under_confident:
            findings.append(
                f"Under-confident: right in {low.percent}% ({low.correct} of {low.answered}) of answers "
                f"you called a guess, above {UNDER_CONFIDENT_ABOVE_PERCENT}%."
            )
        if findings:
            return " ".join(findings)
        if high.is_judged or low.is_judged:
            return "No sign of over- or under-confidence."
        return f"Too few answers to judge yet: it takes {MIN_ANSWERS} at high or at low confidence."


def calibration_table(rows: Iterable[dict]) -> list[TopicCalibration]:
    """Each topic's figures at every level (from ResponseQuerySet.calibration_by_topic rows, in topic
    order), then the same over all topics; empty when no answer has a confidence."""
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    totals = {level: (0, 0) for level in LEVELS}
    for row in rows:
        counts.setdefault(row["topic"], {})[row["confidence"]] = (row["answered"], row["correct"])
        answered, correct = totals[row["confidence"]]
        totals[row["confidence"]] = (answered + row["answered"], correct + row["correct"])
    if not counts:
        return []
    table = [_topic(topic, by_level) for topic, by_level in counts.items()]
    return table + [_topic(ALL_TOPICS, totals)]


def _topic(topic: str, by_level: dict[str, tuple[int, int]]) -> TopicCalibration:
    return TopicCalibration(topic=topic, levels=[LevelFigures(level, *by_level.get(level, (0, 0))) for level in LEVELS])
