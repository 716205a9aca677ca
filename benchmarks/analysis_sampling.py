"""How much item analysis figures move by chance with few trainees: prints the figures behind the
thresholds in quizzes/analysis.py (MIN_FIRST_ATTEMPTS_TO_JUDGE, MIN_ATTEMPTS_FOR_ALPHA); not a test.

    .venv/bin/python benchmarks/analysis_sampling.py [--runs 2000] [--seed 1]

A simulated ten-question quiz of sound items (a two-parameter logistic model: ability ~ N(0, 1),
slope 1.7, difficulties evenly from -1.5 to 1.5, so about 0.8 down to 0.2 of trainees get each
right) is answered by groups of n trainees, --runs times for each n. For the middle item, whose
discrimination over a very large group is about 0.5, it prints how often a group's corrected
point-biserial falls below DISCRIMINATION_MINIMUM (a sound item flagged by chance), and the middle
90% of the group's facility; for the quiz, the middle 90% of Cronbach's alpha. The statistics are
the site's own (quizzes/analysis.py), run on 0/1 scores.
"""

import argparse
import math
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUP_SIZES = (5, 10, 20, 30, 50, 100)
QUESTIONS = 10
SLOPE = 1.7
POPULATION = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings.test")
    import django

    django.setup()
    from quizzes.analysis import DISCRIMINATION_MINIMUM, cronbach_alpha, facility, item_column, point_biserial

    generator = random.Random(options.seed)
    difficulties = [-1.5 + 3 * item / (QUESTIONS - 1) for item in range(QUESTIONS)]
    middle = QUESTIONS // 2

    def group(size: int) -> list[list[int]]:
        rows = []
        for _ in range(size):
            ability = generator.gauss(0, 1)
            rows.append([int(generator.random() < 1 / (1 + math.exp(-SLOPE * (ability - b)))) for b in difficulties])
        return rows

    def middle_90(values: list[float]) -> str:
        values = sorted(values)
        return f"{values[int(0.05 * (len(values) - 1))]:.2f} to {values[int(0.95 * (len(values) - 1))]:.2f}"

    everyone = group(POPULATION)
    print(
        f"{POPULATION} trainees: alpha {cronbach_alpha(everyone):.2f}, middle item's facility "
        f"{facility(item_column(everyone, middle)):.2f} and discrimination {point_biserial(everyone, middle):.2f}"
    )
    print(f"{options.runs} groups of each size:")
    print(
        f"trainees | sound item flagged (r < {DISCRIMINATION_MINIMUM}) | its facility, middle 90% | alpha, middle 90%"
    )
    for size in GROUP_SIZES:
        flagged, facilities, alphas = 0, [], []
        for _ in range(options.runs):
            rows = group(size)
            discrimination = point_biserial(rows, middle)
            flagged += discrimination is None or discrimination < DISCRIMINATION_MINIMUM
            facilities.append(facility(item_column(rows, middle)))
            alpha = cronbach_alpha(rows)
            if alpha is not None:
                alphas.append(alpha)
        print(f"{size:8} | {flagged / options.runs:27.0%} | {middle_90(facilities):>24} | {middle_90(alphas):>17}")


if __name__ == "__main__":
    main()
