"""How a question's options are presented: in an order and under labels that say nothing about
which option is right.

Options are stored in the order an educator typed them, and their primary keys follow that order,
so neither may reach the page. Each attempt shows a question's options in its own stable shuffle,
labelled A, B, C... and the answer form posts those labels back.
"""

import random
import string
from collections.abc import Collection
from dataclasses import dataclass

from quizzes.models import Choice, Question


@dataclass(frozen=True)
class Option:
    label: str
    choice: Choice


def presented_options(question: Question, shuffle_seed: str, *, chosen_ids: Collection[int] = ()) -> list[Option]:
    """The options offered: retired ones only where `chosen_ids` (an answer already given) holds them.

    `shuffle_seed` is the attempt's (Attempt.shuffle_seed): a secret, so the order cannot be replayed
    from the ids in the page's URL to read back the order the options were typed in."""
    if not question.has_options:
        return []  # Not even a read of its (absent) options.
    choices = sorted(
        (choice for choice in question.choices.all() if not choice.retired or choice.pk in chosen_ids),
        key=lambda choice: choice.pk,
    )
    if question.kind != Question.Kind.TRUE_FALSE:
        # Seeded by attempt and question: the same order every time this attempt shows it.
        random.Random(f"{shuffle_seed}:{question.pk}").shuffle(choices)
    else:
        # True then False, always: a fixed order that is the same whichever one is right.
        choices.sort(key=lambda choice: choice.text.strip().lower() != "true")
    return [Option(label=label, choice=choice) for label, choice in zip(string.ascii_uppercase, choices, strict=False)]
