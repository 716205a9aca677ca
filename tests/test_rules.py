"""The rules a question of each kind must follow, as the admin and every importer check them: plain data in,
problems in words out."""

from decimal import Decimal

from quizzes.rules import MATCHING, SHORT_ANSWER, matching_problems, option_problems, short_answer_problems


def test_a_short_answer_needs_an_accepted_answer_with_full_marks():
    assert short_answer_problems([("miliary metastases", Decimal(1)), ("metastases", Decimal("0.5"))]) == []
    assert short_answer_problems([("metastases", Decimal("0.5"))]) == [
        "A short-answer question needs at least one accepted answer with full marks (weight 1): the model answer "
        "that feedback shows."
    ]
    assert short_answer_problems([]) != []


def test_an_accepted_answer_needs_letters_and_a_weight_within_full_marks():
    problems = short_answer_problems([("miliary", 1), ("  ", 1), ("?!", 0), ("metastases", 1.5)])

    assert problems == [
        "Accepted answer 2 has no text.",
        "Accepted answer 3 (“?!”) has no letters or digits: punctuation is ignored when answers are compared, so "
        "it would match only an empty answer.",
        "Accepted answer 4: its weight must be from 0 to 1 (1 is full marks).",
    ]


def test_a_lone_wildcard_is_an_accepted_answer_for_anything_else():
    assert short_answer_problems([("miliary", 1), ("*", 0)]) == []


def test_a_short_answer_has_no_options_and_a_matching_question_at_least_two():
    assert option_problems(SHORT_ANSWER, []) == []
    assert "no options" in option_problems(SHORT_ANSWER, [("A", True)])[0]
    assert option_problems(MATCHING, [("A", False), ("B", False)]) == []
    assert option_problems(MATCHING, [("A", False)]) == ["An extended-matching question needs at least two options."]


def test_a_matching_question_needs_two_stems_each_answered_by_one_of_its_options():
    options = ["Thyroid", "Osteosarcoma", "Choriocarcinoma"]

    assert matching_problems(options=options, stem_answers=["Thyroid", "Osteosarcoma"]) == []
    assert matching_problems(options=options, stem_answers=["Thyroid"]) == [
        "An extended-matching question needs at least 2 stems (items to match)."
    ]
    assert matching_problems(options=[*options, "Breast"], stem_answers=["Thyroid", None, "Renal"]) == [
        "Stem 2: its answer must be one of the question's (not retired) options.",
        "Stem 3: its answer must be one of the question's (not retired) options.",
    ]


def test_a_matching_question_offers_more_options_than_stems_or_says_why_not():
    options = ["Thyroid", "Osteosarcoma"]
    stems = ["Thyroid", "Osteosarcoma"]

    (problem,) = matching_problems(options=options, stem_answers=stems)
    assert "more options than stems" in problem and "2 options for 2 stems" in problem
    assert (
        matching_problems(options=options, stem_answers=stems, fewer_options_reason="Only two primaries exist.") == []
    )
    assert matching_problems(options=[*options, "Breast"], stem_answers=stems) == []
