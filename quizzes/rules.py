"""The rules a question's options must follow, shared by the admin and every importer."""

from collections.abc import Sequence

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"


def option_problems(kind: str, options: Sequence[tuple[str, bool]]) -> list[str]:
    """What is wrong with these (text, is_correct) options for a question of this kind, in words."""
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
