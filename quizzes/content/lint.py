"""The content lint: item-writing figures for the parsed pack, and the project's prose checked against the seeds.

Issue 17 sets the thresholds (see docs/content-format.md). Everything here is a pure function of parsed
quizzes and of texts, except the two readers at the end, which gather the pack's prose and the source
documents from disk.
"""

import os
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quizzes.bank.quizpack import MATCHING, SHORT_ANSWER, PackQuestion, PackQuiz

# "About a third": the keyed option is the longest by chance in about a quarter of four-option items, so
# a third leaves room for the items where the right answer simply needs more words.
LONGEST_KEYED_MAX = 0.35
LENGTH_RATIO_MAX = 1.15
# The reverse cue (second review): a key written short and plain among hedged distractors gives itself
# away as surely as a long one, so the shortest keyed option has the same ceiling and the ratio a floor.
SHORTEST_KEYED_MAX = 0.35
LENGTH_RATIO_MIN = 0.85
SHARED_RUNS_MAX = 5
RUN_WORDS = 10
# Options averaging this many words are statements to weigh against each other, not names to pick from;
# they are where a longer, hedged right answer gives itself away most.
STATEMENT_WORDS = 5

# Absolute words a test-wise trainee learns to rule out (NBME item-writing guide).
ABSOLUTE_TERMS = (
    "always",
    "never",
    "only",
    "alone",
    "all",
    "none",
    "must",
    "entirely",
    "completely",
    "invariably",
    "exclusively",
    "solely",
    "every",
    "cannot",
)
ABSOLUTE_PATTERN = re.compile(r"\b(" + "|".join(ABSOLUTE_TERMS) + r")\b", re.IGNORECASE)

# British and American spellings of the word beginnings a radiology answer uses, as a marker would accept
# either: a short answer that accepts a word in one spelling must accept it in the other too. Only these
# beginnings, because a general rule (ae -> e) would ask for words nobody spells so.
SPELLING_VARIANTS = (
    ("haemorrhag", "hemorrhag"),
    ("haemat", "hemat"),
    ("haemopty", "hemopty"),
    ("haemangi", "hemangi"),
    ("oesophag", "esophag"),
    ("oedem", "edem"),
    ("paediatr", "pediatr"),
    ("anaemi", "anemi"),
    ("leukaemi", "leukemi"),
    ("tumour", "tumor"),
)


class SeedsMissing(Exception):
    """The source documents are not where the lint looks, so originality cannot be checked."""


@dataclass(frozen=True)
class Finding:
    quiz: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.quiz}/{self.key}: {self.message}"


@dataclass
class LengthFigures:
    """How often the keyed option of single-best-answer items is the longest or the shortest, and by how much."""

    items: int = 0
    keyed_longest: int = 0
    keyed_shortest: int = 0
    ratios: list[float] = field(default_factory=list)

    @property
    def longest_rate(self) -> float | None:
        return self.keyed_longest / self.items if self.items else None

    @property
    def shortest_rate(self) -> float | None:
        return self.keyed_shortest / self.items if self.items else None

    @property
    def ratio(self) -> float | None:
        """Mean over items of the keyed option's length over its distractors' mean length (characters)."""
        return statistics.mean(self.ratios) if self.ratios else None

    def add(self, question: PackQuestion) -> None:
        keyed = next(len(option.text) for option in question.options if option.correct)
        distractors = [len(option.text) for option in question.options if not option.correct]
        self.items += 1
        # A tie counts: a keyed option no distractor outgrows still reads as the fullest answer.
        self.keyed_longest += keyed >= max(distractors)
        # Ties count here too: a keyed option no distractor undercuts still reads as the bare answer.
        self.keyed_shortest += keyed <= min(distractors)
        self.ratios.append(keyed / statistics.mean(distractors))

    def __add__(self, other: "LengthFigures") -> "LengthFigures":
        return LengthFigures(
            self.items + other.items,
            self.keyed_longest + other.keyed_longest,
            self.keyed_shortest + other.keyed_shortest,
            self.ratios + other.ratios,
        )

    def __str__(self) -> str:
        if not self.items:
            return "no items"
        return (
            f"longest {self.keyed_longest}/{self.items} ({self.longest_rate:.0%}), "
            f"shortest {self.keyed_shortest}/{self.items} ({self.shortest_rate:.0%}), ratio {self.ratio:.2f}"
        )


@dataclass
class QuizFigures:
    slug: str
    single: LengthFigures
    statements: LengthFigures
    # (right options, options) for each multiple-select item
    multiple_right: list[tuple[int, int]]
    true_false: int
    absolute_terms: list[Finding]
    answered_by_stage: list[Finding]
    # Sources are optional for educators' own questions, not for the bundled pack: its facts come
    # from the seed documents, and a trainee should be able to check them there.
    uncited: list[Finding]
    # accepted answers of each short-answer item, and (options, stems) of each matching item
    short_answer_counts: list[int] = field(default_factory=list)
    matching_counts: list[tuple[int, int]] = field(default_factory=list)
    spelling_variants: list[Finding] = field(default_factory=list)


@dataclass
class LintReport:
    quizzes: list[QuizFigures]
    # path: the normalised 10-word runs it shares with the seeds
    shared_runs: dict[str, list[str]]
    multiple_select: list[str]

    @property
    def shared_run_counts(self) -> dict[str, int]:
        return {path: len(found) for path, found in self.shared_runs.items() if found}

    @property
    def single(self) -> LengthFigures:
        return sum((quiz.single for quiz in self.quizzes), LengthFigures())

    @property
    def statements(self) -> LengthFigures:
        return sum((quiz.statements for quiz in self.quizzes), LengthFigures())

    @property
    def breaches(self) -> list[str]:
        breaches = []
        single = self.single
        if single.items and single.longest_rate > LONGEST_KEYED_MAX:
            breaches.append(
                f"the keyed option is the longest in {single.keyed_longest} of {single.items} single-best-answer "
                f"items ({single.longest_rate:.0%}; at most {LONGEST_KEYED_MAX:.0%})"
            )
        if single.items and single.shortest_rate > SHORTEST_KEYED_MAX:
            breaches.append(
                f"the keyed option is the shortest in {single.keyed_shortest} of {single.items} single-best-answer "
                f"items ({single.shortest_rate:.0%}; at most {SHORTEST_KEYED_MAX:.0%})"
            )
        if single.items and not LENGTH_RATIO_MIN <= single.ratio < LENGTH_RATIO_MAX:
            breaches.append(
                f"mean keyed/distractor length ratio {single.ratio:.2f} in single-best-answer items "
                f"(at least {LENGTH_RATIO_MIN} and under {LENGTH_RATIO_MAX})"
            )
        for quiz in self.quizzes:
            breaches.extend(f"absolute term in a distractor: {finding}" for finding in quiz.absolute_terms)
            breaches.extend(f"answered before it is asked: {finding}" for finding in quiz.answered_by_stage)
            breaches.extend(f"one spelling only: {finding}" for finding in quiz.spelling_variants)
            breaches.extend(f"cites no source: {finding}" for finding in quiz.uncited)
            if quiz.true_false:
                breaches.append(f"{quiz.slug}: {quiz.true_false} true/false items (turn them into single best answer)")
        breaches.extend(self.multiple_select)
        shared = sum(self.shared_run_counts.values())
        if shared > SHARED_RUNS_MAX:
            breaches.append(
                f"{shared} {RUN_WORDS}-word runs shared with the source documents (at most {SHARED_RUNS_MAX}): "
                + ", ".join(f"{path} {count}" for path, count in self.shared_run_counts.items())
                + " (content_lint --show-runs lists them)"
            )
        return breaches

    def __str__(self) -> str:
        lines = ["Content lint (thresholds: docs/content-format.md)"]
        for quiz in self.quizzes:
            right = ", ".join(f"{right}/{options}" for right, options in quiz.multiple_right) or "none"
            lines += [
                f"{quiz.slug}:",
                f"  single best answer: {quiz.single}",
                f"  statement items:    {quiz.statements}",
                f"  multiple select, right/options: {right}",
                f"  true/false items: {quiz.true_false}; absolute terms in distractors: {len(quiz.absolute_terms)};"
                f" keyed wording shown before the answer: {len(quiz.answered_by_stage)}",
                f"  short answer, accepted answers: {', '.join(map(str, quiz.short_answer_counts)) or 'none'};"
                f" spellings missing: {len(quiz.spelling_variants)}",
                "  extended matching, options/stems: "
                + (", ".join(f"{options}/{stems}" for options, stems in quiz.matching_counts) or "none"),
            ]
        lines += [
            "whole pack:",
            f"  single best answer: {self.single}",
            f"  statement items:    {self.statements}",
            f"  {RUN_WORDS}-word runs shared with the seeds: {sum(self.shared_run_counts.values())}",
        ]
        lines += [f"    {path}: {count}" for path, count in self.shared_run_counts.items()]
        breaches = self.breaches
        lines.append(f"breaches: {len(breaches)}")
        lines += [f"  - {breach}" for breach in breaches]
        return "\n".join(lines)


def words(text: str) -> list[str]:
    """The text's words, lower-cased, with punctuation, markup and spacing gone."""
    return re.findall(r"[^\W_]+", text.lower())


def contains_words(haystack: list[str], needle: list[str]) -> bool:
    width = len(needle)
    return bool(needle) and any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def is_statement_item(question: PackQuestion) -> bool:
    return statistics.mean(len(words(option.text)) for option in question.options) >= STATEMENT_WORDS


def absolute_terms(quiz: PackQuiz) -> list[Finding]:
    findings = []
    for question in quiz.questions:
        for option in question.options:
            if question.kind in ("single", "multiple") and not option.correct:
                terms = sorted({match.lower() for match in ABSOLUTE_PATTERN.findall(option.text)})
                if terms:
                    findings.append(Finding(quiz.slug, question.key, f"{', '.join(terms)} in {option.text!r}"))
    return findings


def keyed_texts(question: PackQuestion) -> list[str]:
    """What earns full marks: the right options, or a short-answer item's full-weight accepted answers."""
    if question.kind == SHORT_ANSWER:
        return [answer.text for answer in question.accepted_answers if answer.weight == 1]
    return [option.text for option in question.options if option.correct]


def answered_by_stage(quiz: PackQuiz) -> list[Finding]:
    """Questions whose page shows a keyed option's (or full-marks accepted answer's) wording before the
    trainee answers.

    The page shows the stem, the image's alt text, the question's stage and, in a case, every earlier stage
    (they stay on the page). A true/false item's stem always holds "True" and "False", so it is not read.
    A matching item shows every option: a stem (or its image's alt text) naming the option that answers it
    gives that stem away.
    """
    findings = []
    earlier_stages = ""
    for question in quiz.questions:
        shown = [
            ("the stem", question.stem if question.kind != "true_false" else ""),
            ("the image's alt text", question.image_alt),
            ("its stage", question.stage),
            ("an earlier stage", earlier_stages),
        ]
        for place, text in shown:
            shown_words = words(text)
            for keyed in keyed_texts(question):
                if contains_words(shown_words, words(keyed)):
                    findings.append(Finding(quiz.slug, question.key, f"{place} already shows {keyed!r}"))
        for number, stem in enumerate(question.match_stems, start=1):
            answer = question.options[stem.answer].text
            if contains_words(words(f"{stem.text} {stem.image_alt}"), words(answer)):
                findings.append(Finding(quiz.slug, question.key, f"stem {number} already shows {answer!r}"))
        earlier_stages += "\n" + question.stage
    return findings


def spelling_variants(quiz: PackQuiz) -> list[Finding]:
    """Short-answer items that accept a word in its British or its American spelling but not in both."""
    findings = []
    for question in quiz.questions:
        accepted = {word for answer in question.accepted_answers for word in words(answer.text)}
        for word in sorted(accepted):
            for british, american in SPELLING_VARIANTS:
                for start, other in ((british, american), (american, british)):
                    variant = other + word[len(start) :]
                    if word.startswith(start) and variant not in accepted:
                        findings.append(Finding(quiz.slug, question.key, f"{word!r} is accepted but not {variant!r}"))
    return findings


def uncited(quiz: PackQuiz) -> list[Finding]:
    return [
        Finding(quiz.slug, question.key, "add the seed document it draws on")
        for question in quiz.questions
        if not question.sources
    ]


def multiple_select_problems(counts: list[tuple[int, int]]) -> list[str]:
    """A pack whose multiple-select items always have the same number of right options teaches that number.

    `counts` holds (right options, options) for every multiple-select item in the pack.
    """
    if not counts:
        return []
    problems = []
    rights = {right for right, _ in counts}
    if len(counts) > 1 and len(rights) == 1:
        problems.append(f"every multiple-select item has {next(iter(rights))} right options")
    if not any(right == 1 for right, _ in counts):
        problems.append("no multiple-select item has exactly 1 right option")
    if not any(right == options for right, options in counts):
        problems.append("no multiple-select item has every option right")
    return problems


def quiz_figures(quiz: PackQuiz) -> QuizFigures:
    single, statements = LengthFigures(), LengthFigures()
    for question in quiz.questions:
        if question.kind == "single":
            single.add(question)
            if is_statement_item(question):
                statements.add(question)
    return QuizFigures(
        slug=quiz.slug,
        single=single,
        statements=statements,
        multiple_right=[
            (sum(option.correct for option in question.options), len(question.options))
            for question in quiz.questions
            if question.kind == "multiple"
        ],
        true_false=sum(question.kind == "true_false" for question in quiz.questions),
        absolute_terms=absolute_terms(quiz),
        answered_by_stage=answered_by_stage(quiz),
        uncited=uncited(quiz),
        short_answer_counts=[
            len(question.accepted_answers) for question in quiz.questions if question.kind == SHORT_ANSWER
        ],
        matching_counts=[
            (len(question.options), len(question.match_stems))
            for question in quiz.questions
            if question.kind == MATCHING
        ],
        spelling_variants=spelling_variants(quiz),
    )


def runs(text: str, width: int = RUN_WORDS) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + width]) for i in range(len(found) - width + 1)}


def shared_runs(prose: dict[str, str], seeds: Iterable[str], titles: Iterable[str] = ()) -> dict[str, list[str]]:
    """For each named text, the distinct 10-word runs it shares with any of the seeds, in normalised words.

    A run inside a cited document's title is not counted: a citation has to give the title as it is.
    """
    seed_runs = set().union(*(runs(seed) for seed in seeds)) - set().union(*(runs(title) for title in titles))
    return {name: sorted(" ".join(run) for run in runs(text) & seed_runs) for name, text in prose.items()}


def content_lint(*, quizzes: list[PackQuiz], prose: dict[str, str], seeds: list[str]) -> LintReport:
    if not seeds:
        raise SeedsMissing("no source documents were given, so shared runs cannot be counted")
    figures = [quiz_figures(quiz) for quiz in quizzes]
    return LintReport(
        quizzes=figures,
        shared_runs=shared_runs(prose, seeds, titles={source.title for quiz in quizzes for source in quiz.sources}),
        multiple_select=multiple_select_problems([count for quiz in figures for count in quiz.multiple_right]),
    )


# Reading the texts from disk.

REPO_ROOT = Path(__file__).resolve().parents[2]
PROSE_GLOBS = ("docs/**/*.md", "quizzes/templates/**/*.html", "*.md")


def seeds_dir() -> Path:
    """CI puts the shared folder beside the repository; QUIZ_SEEDS_DIR points elsewhere (a worktree, say)."""
    return Path(os.environ.get("QUIZ_SEEDS_DIR") or REPO_ROOT.parent / "shared" / "seeds")


def seed_texts(directory: Path) -> list[str]:
    paths = sorted(directory.glob("*.txt"))
    if not paths:
        raise SeedsMissing(
            f"no source documents (*.txt) in {directory}: the originality check cannot run. Put the shared "
            "folder beside the repository (../shared/seeds) or set QUIZ_SEEDS_DIR to the seeds folder."
        )
    return [path.read_text(encoding="utf-8") for path in paths]


def prose_texts(content_dir: Path, root: Path = REPO_ROOT) -> dict[str, str]:
    """Every project file that holds prose (the pack's YAML, comments and all; docs; templates), by its path."""
    paths = sorted(content_dir.glob("*.yaml")) + sorted(
        {path for pattern in PROSE_GLOBS for path in root.glob(pattern)}
    )
    return {
        str(path.relative_to(root) if path.is_relative_to(root) else path): path.read_text(encoding="utf-8")
        for path in paths
    }
