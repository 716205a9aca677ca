"""The rules a question's options (and a kind's other parts) must follow, shared by the admin and every
importer. Pure functions on plain data, so a bank can be checked before anything is saved."""

from collections.abc import Sequence
from decimal import Decimal

from quizzes.hotspots import validate_geometry
from quizzes.typed_answers import normalised

SINGLE, MULTIPLE, TRUE_FALSE, HOTSPOT = "single", "multiple", "true_false", "hotspot"
SHORT_ANSWER, MATCHING = "short_answer", "matching"
MIN_STEMS = 2


def option_problems(kind: str, options: Sequence[tuple[str, bool]]) -> list[str]:
    """What is wrong with these (text, is_correct) options for a question of this kind, in words.
    (An extended-matching question's options are right or wrong per stem: matching_problems.)"""
    if kind == HOTSPOT:
        # Answered by a click on the image: options would never be shown, so they could only mislead.
        if options:
            return ["A hotspot question has no options: trainees answer by clicking on the image. Remove the options."]
        return []
    if kind == SHORT_ANSWER:
        if options:
            return [
                "A short-answer question has no options: trainees type their answer. Remove the options and "
                "give accepted answers instead."
            ]
        return []
    if kind == MATCHING:
        return [] if len(options) >= 2 else ["An extended-matching question needs at least two options."]
    right = sum(1 for _text, is_correct in options if is_correct)
    if kind == TRUE_FALSE:
        if sorted(text.strip().lower() for text, _ in options) != ["false", "true"]:
            return ["A true/false question has exactly two options, True and False."]
        if right != 1:
            return ["A true/false question needs exactly one right option."]
        return []
    if len(options) < 2:
        return ["A question needs at least two options."]
    if kind == SINGLE and right != 1:
        return [f"A single-best-answer question needs exactly one right option, not {right}."]
    if kind == MULTIPLE and right < 1:
        return ["A multiple-select question needs at least one right option."]
    return []


def hotspot_problems(
    *, has_image: bool, regions: Sequence[tuple[str, object]], allow_no_abnormality: bool
) -> list[str]:
    """What is wrong with a hotspot question's image and (shape, geometry) target regions, in words.

    Each region's problems name it by its number in the list, so an educator can find it.
    """
    problems = []
    if not has_image:
        problems.append("A hotspot question needs an image to click on.")
    if not regions and not allow_no_abnormality:
        problems.append(
            "A hotspot question needs at least one target region, or “No abnormality” offered as the answer."
        )
    for number, (shape, geometry) in enumerate(regions, start=1):
        problems.extend(f"Region {number}: {problem}" for problem in validate_geometry(shape, geometry))
    return problems


def short_answer_problems(accepted: Sequence[tuple[str, Decimal | float]]) -> list[str]:
    """What is wrong with a short-answer question's (text, weight) accepted answers, in words; weights are
    shares of full marks, 0 to 1. Each answer's problems name it by its number in the list."""
    problems = []
    for number, (text, weight) in enumerate(accepted, start=1):
        if not text.strip():
            problems.append(f"Accepted answer {number} has no text.")
        elif not normalised(text, wildcards=True).strip():
            problems.append(
                f"Accepted answer {number} (“{text}”) has no letters or digits: punctuation is ignored when answers "
                "are compared, so it would match only an empty answer."
            )
        if not 0 <= weight <= 1:
            problems.append(f"Accepted answer {number}: its weight must be from 0 to 1 (1 is full marks).")
    if not any(weight == 1 for _text, weight in accepted):
        problems.append(
            "A short-answer question needs at least one accepted answer with full marks (weight 1): the model "
            "answer that feedback shows."
        )
    return problems


def matching_problems(
    *, options: Sequence[str], stem_answers: Sequence[str | None], fewer_options_reason: str = ""
) -> list[str]:
    """What is wrong with an extended-matching question, in words: `options` are its offered options'
    texts, `stem_answers` each stem's answer as an option's text (None when it names no offered option).
    Each stem's problems name it by its number in the list."""
    problems = []
    if len(stem_answers) < MIN_STEMS:
        problems.append(f"An extended-matching question needs at least {MIN_STEMS} stems (items to match).")
    offered = {text.strip() for text in options}
    for number, answer in enumerate(stem_answers, start=1):
        if answer is None or answer.strip() not in offered:
            problems.append(f"Stem {number}: its answer must be one of the question's (not retired) options.")
    if len(options) <= len(stem_answers) and not fewer_options_reason.strip():
        problems.append(
            f"An extended-matching question offers more options than stems, so that the last stem is not answered "
            f"by elimination: this one has {len(options)} options for {len(stem_answers)} stems. Add options, or "
            "say why not in “why no more options than stems”."
        )
    return problems
