"""How a typed answer is compared with an accepted answer: what a marker forgives. Pure functions on text.

The rules (quizzes/scoring.py's docstring and the scoring page say them to people):
- both texts are normalised first: accents dropped ("Löfgren" is "Lofgren"), apostrophes removed
  ("Crohn's" is "Crohns"), every other punctuation mark read as a space ("non-small-cell" is "non small
  cell"), spaces at the ends dropped and runs of spaces made one; letters compared without case unless
  the question is case sensitive;
- an accepted answer may hold Moodle's `*` wildcard, any run of characters or none ("metasta*" accepts
  "metastasis" and "metastases"); `\\*` is a literal asterisk, which reads as punctuation;
- with typing slips forgiven (the question's default): words under SHORT_WORD letters must be exact, words
  of SHORT_WORD to LONG_WORD - 1 letters may be one slip off, longer ones two, a slip being a letter added,
  missing, changed or two neighbours swapped (Damerau-Levenshtein, optimal string alignment); a word with a
  digit in it must be exact ("T1" is never "T2"); and spaces between words may be missing or extra
  ("cannonball" is "cannon ball"). An accepted answer with a wildcard is never matched by slips;
- an exact match (after normalising, wildcards included) beats a match by slips, whatever the weights:
  an educator who lists a near-spelling as a wrong answer ("military" for "miliary") gets it matched.
  Within the same closeness the answer with the highest weight wins, and of equal weights the first listed.

British and American spellings are not guessed: the educator lists both ("oesophageal" and "esophageal"),
each an accepted answer of its own.
"""

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from enum import IntEnum

WILDCARD = "*"
SHORT_WORD = 5  # words this long or longer may have one slip
LONG_WORD = 9  # and this long or longer two
APOSTROPHES = "'‘’ʼ"


class Closeness(IntEnum):
    NONE = 0
    SLIPS = 1  # within the slips a marker forgives
    EXACT = 2  # the same once normalised, or matching the wildcards


def normalised(text: str, *, case_sensitive: bool = False, wildcards: bool = False) -> str:
    """The text as it is compared: see the module's rules. With `wildcards`, `*` is kept (an accepted
    answer's pattern); otherwise, as in a typed answer, it is punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for character in decomposed:
        if unicodedata.combining(character) or character in APOSTROPHES:
            continue
        if character.isalnum() or (wildcards and character == WILDCARD):
            kept.append(character)
        else:
            kept.append(" ")
    compact = " ".join("".join(kept).split())
    return compact if case_sensitive else compact.casefold()


def pattern_of(accepted: str, *, case_sensitive: bool = False) -> re.Pattern:
    """The accepted answer as a regular expression over normalised typed answers."""
    pattern = normalised(accepted.replace("\\" + WILDCARD, " "), case_sensitive=case_sensitive, wildcards=True)
    return re.compile(".*".join(re.escape(piece) for piece in pattern.split(WILDCARD)), re.DOTALL)


def slips_allowed(word: str) -> int:
    """How many slips a word of an accepted answer forgives."""
    if any(character.isdigit() for character in word) or len(word) < SHORT_WORD:
        return 0
    return 2 if len(word) >= LONG_WORD else 1


def slips_between(a: str, b: str) -> int:
    """Optimal string alignment distance: letters added, missing or changed, and neighbours swapped."""
    previous_row, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def within_slips(accepted: str, typed: str) -> bool:
    """Whether a normalised typed answer is a normalised accepted answer with small slips only."""
    if accepted.replace(" ", "") == typed.replace(" ", ""):
        return True
    accepted_words, typed_words = accepted.split(), typed.split()
    return len(accepted_words) == len(typed_words) and all(
        slips_between(word, typed_word) <= slips_allowed(word)
        for word, typed_word in zip(accepted_words, typed_words, strict=True)
    )


def closeness(accepted: str, typed: str, *, case_sensitive: bool = False, forgive_typos: bool = True) -> Closeness:
    """How close a typed answer comes to one accepted answer (both as written)."""
    typed_form = normalised(typed, case_sensitive=case_sensitive)
    if pattern_of(accepted, case_sensitive=case_sensitive).fullmatch(typed_form):
        return Closeness.EXACT
    if forgive_typos and WILDCARD not in accepted.replace("\\" + WILDCARD, ""):
        if within_slips(normalised(accepted, case_sensitive=case_sensitive), typed_form):
            return Closeness.SLIPS
    return Closeness.NONE


def best_match(
    accepted: Sequence[tuple[str, Decimal]], typed: str, *, case_sensitive: bool = False, forgive_typos: bool = True
) -> int | None:
    """The index of the accepted answer, of these (text, weight) pairs, that a typed answer matches: the
    closest, then the highest weight, then the first. None when it matches none (or nothing was typed)."""
    if not typed.strip():
        return None
    ranked = [
        (closeness(text, typed, case_sensitive=case_sensitive, forgive_typos=forgive_typos), weight, index)
        for index, (text, weight) in enumerate(accepted)
    ]
    matched = [rank for rank in ranked if rank[0] is not Closeness.NONE]
    if not matched:
        return None
    # max() keeps the first of equals: the first listed of equal closeness and weight.
    return max(matched, key=lambda rank: (rank[0], rank[1]))[2]
