"""The rules a question's options must follow, shared by the admin and every importer."""

from collections.abc import Sequence

from quizzes.hotspots import validate_geometry

SINGLE, MULTIPLE, TRUE_FALSE, HOTSPOT = "single", "multiple", "true_false", "hotspot"


def option_problems(kind: str, options: Sequence[tuple[str, bool]]) -> list[str]:
    """What is wrong with these (text, is_correct) options for a question of this kind, in words."""
    if kind == HOTSPOT:
        # Answered by a click on the image: options would never be shown, so they could only mislead.
        if options:
            return ["A hotspot question has no options: trainees answer by clicking on the image. Remove the options."]
        return []
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
