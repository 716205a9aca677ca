from decimal import Decimal
from pathlib import Path

# Bank files, good and broken, in every format the site reads (the admin's tests upload them too).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "banks"


def weights_set(question, weights) -> None:
    """Give the question's options these weights, in option order ("0.5", or None for no weight)."""
    for choice, weight in zip(question.choices.all(), weights, strict=True):
        choice.weight = None if weight is None else Decimal(weight)
        choice.save(update_fields=["weight"])


# A quiz pack of short-answer and matching questions (one stem with an image from the bundled pack's folder).
TYPED_AND_MATCHING = FIXTURES / "typed-and-matching.yaml"


def answers_and_stems(question) -> tuple:
    """What a short-answer or matching question is marked against: its accepted answers, its options'
    texts and its stems with the option answering each, and the stem images' alt text."""
    return (
        [(answer.text, answer.weight, answer.feedback) for answer in question.accepted_answers.all()],
        [choice.text for choice in question.choices.all()],
        [(stem.text, stem.answer.text, stem.image_alt) for stem in question.match_stems.all()],
    )
