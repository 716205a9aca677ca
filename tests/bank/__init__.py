from decimal import Decimal
from pathlib import Path

# Bank files, good and broken, in every format the site reads (the admin's tests upload them too).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "banks"


def weights_set(question, weights) -> None:
    """Give the question's options these weights, in option order ("0.5", or None for no weight)."""
    for choice, weight in zip(question.choices.all(), weights, strict=True):
        choice.weight = None if weight is None else Decimal(weight)
        choice.save(update_fields=["weight"])
