"""The rules of typed-answer matching: what a marker forgives and what it does not. Plain functions, no database."""

from decimal import Decimal

import pytest

from quizzes.typed_answers import Closeness, best_match, closeness, normalised, slips_allowed, slips_between


@pytest.mark.parametrize(
    ("typed", "compared"),
    [
        ("  Miliary   Metastases. ", "miliary metastases"),
        ("non-small-cell", "non small cell"),
        ("Crohn's disease", "crohns disease"),
        ("Crohn’s disease", "crohns disease"),
        ("Löfgren syndrome", "lofgren syndrome"),
        ("(pleural) effusion!", "pleural effusion"),
        ("T2-weighted", "t2 weighted"),
    ],
)
def test_case_spaces_punctuation_and_accents_do_not_count(typed, compared):
    assert normalised(typed) == compared


def test_a_case_sensitive_question_keeps_capitals():
    assert normalised("Miliary TB", case_sensitive=True) == "Miliary TB"
    assert closeness("MRI", "mri", case_sensitive=True) is Closeness.NONE
    assert closeness("MRI", "MRI.", case_sensitive=True) is Closeness.EXACT


def test_dotted_abbreviations_are_the_same_letters_spaced_out():
    assert closeness("MRI", "M.R.I.") is Closeness.SLIPS
    assert closeness("MRI", "M.R.I.", forgive_typos=False) is Closeness.NONE


@pytest.mark.parametrize(
    ("accepted", "typed", "expected"),
    [
        ("metasta*", "metastases", Closeness.EXACT),
        ("metasta*", "Metastatic disease", Closeness.EXACT),
        ("metasta*", "metasta", Closeness.EXACT),  # any run of characters, or none
        ("metasta*", "lung metastases", Closeness.NONE),  # the pattern is the whole answer
        ("*metastases", "lung metastases", Closeness.EXACT),
        ("* metastases", "metastases", Closeness.NONE),  # the space is part of the pattern, as in Moodle
        ("lymph* spread", "lymphatic spread", Closeness.EXACT),
        ("*", "anything at all", Closeness.EXACT),
        ("5\\* rating", "5 rating", Closeness.EXACT),  # \* is a literal asterisk: punctuation
        ("5\\* rating", "55 rating", Closeness.NONE),
    ],
)
def test_the_wildcard_stands_for_any_run_of_characters(accepted, typed, expected):
    assert closeness(accepted, typed) is expected


def test_an_answer_with_a_wildcard_is_never_matched_by_slips():
    assert closeness("metasta* nodules", "metastatic nodles") is Closeness.NONE


@pytest.mark.parametrize(
    ("word", "allowed"),
    [("mass", 0), ("lungs", 1), ("miliary", 1), ("cavitate", 1), ("metastasis", 2), ("T12", 0), ("12345678", 0)],
)
def test_longer_words_forgive_more_slips_and_words_with_digits_none(word, allowed):
    assert slips_allowed(word) == allowed


@pytest.mark.parametrize(
    ("a", "b", "slips"),
    [
        ("miliary", "millary", 1),
        ("miliary", "mliiary", 1),
        ("metastases", "metsatasis", 2),
        ("abc", "abc", 0),
        ("", "ab", 2),
    ],
)
def test_a_slip_is_a_letter_added_missing_changed_or_two_swapped(a, b, slips):
    assert slips_between(a, b) == slips


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("millary metastases", Closeness.SLIPS),  # one slip in a 7-letter word
        ("miliary metsatasis", Closeness.SLIPS),  # a swap and a change in a 10-letter word
        ("milliarry metastases", Closeness.NONE),  # two slips in a 7-letter word
        ("miliary metastases nodules", Closeness.NONE),  # a word more
        ("miliarymetastases", Closeness.SLIPS),  # a space missing
        ("mil iary metastases", Closeness.SLIPS),  # a space extra
    ],
)
def test_small_slips_on_longer_words_are_forgiven(typed, expected):
    assert closeness("miliary metastases", typed) is expected


def test_short_words_must_be_exact():
    assert closeness("T2 bright mass", "T1 bright mass") is Closeness.NONE
    assert closeness("cyst", "cysts") is Closeness.NONE
    assert closeness("cysts", "cyst") is Closeness.SLIPS


def test_slips_are_not_forgiven_when_the_question_turns_that_off():
    assert closeness("miliary metastases", "millary metastases", forgive_typos=False) is Closeness.NONE
    assert closeness("miliary metastases", "miliarymetastases", forgive_typos=False) is Closeness.NONE
    assert closeness("miliary metastases", "Miliary metastases!", forgive_typos=False) is Closeness.EXACT


ACCEPTED = [
    ("miliary metastases", Decimal(1)),
    ("oesophageal varices", Decimal(1)),
    ("esophageal varices", Decimal(1)),
    ("metastases", Decimal("0.5")),
    ("military", Decimal(0)),
    ("miliary", Decimal("0.5")),
]


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("Oesophageal varices", 1),  # British spelling, listed
        ("esophageal varices", 2),  # American spelling, listed as an answer of its own
        ("metastases", 3),
        ("military", 4),  # exact, with weight 0, beats "miliary" by one slip
        ("miliary", 5),
        ("millary", 5),  # by a slip
        ("tuberculosis", None),
        ("   ", None),
        ("", None),
    ],
)
def test_the_closest_then_heaviest_accepted_answer_is_the_match(typed, index):
    assert best_match(ACCEPTED, typed) == index


def test_of_equally_close_answers_the_heaviest_wins_then_the_first_listed():
    accepted = [("metasta*", Decimal("0.5")), ("metastases", Decimal(1)), ("metastases", Decimal(1))]

    assert best_match(accepted, "metastases") == 1
    assert best_match(accepted, "metastatic") == 0


def test_an_exact_match_beats_a_heavier_match_by_slips():
    accepted = [("miliary", Decimal(1)), ("military", Decimal(0))]

    assert closeness("miliary", "military") is Closeness.SLIPS
    assert best_match(accepted, "military") == 1


def test_of_answers_matched_by_slips_the_heaviest_wins():
    accepted = [("metastasis", Decimal("0.5")), ("metastases", Decimal(1))]

    assert best_match(accepted, "metastasus") == 1
