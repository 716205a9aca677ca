"""The quizpack/1 parser: every rule of docs/content-format.md, each problem located."""

from decimal import Decimal

import pytest

from quizzes.bank import BankInvalid
from quizzes.bank.quizpack_reader import parse_pack

VALID = """\
format: quizpack/1
quiz:
  slug: sample
  title: Sample
  topic: Samples
  kind: standard
  status: published
sources:
  - key: doc
    title: A document
    publisher: A publisher
    date: 2022-10-24
questions:
  - key: first
    kind: single
    stem: Which?
    options:
      - {text: Right, correct: true, rationale: Because.}
      - {text: Wrong, correct: false, rationale: Because not.}
    explanation: Explained.
    learning_point: Learnt.
    sources: [doc]
"""


def problems_of(text):
    with pytest.raises(BankInvalid) as invalid:
        parse_pack(text, "sample.yaml")
    return [str(problem) for problem in invalid.value.problems]


def test_a_valid_file_parses_into_a_quiz_with_its_questions():
    pack = parse_pack(VALID, "sample.yaml")

    assert (pack.slug, pack.topic, pack.status) == ("sample", "Samples", "published")
    assert pack.sources[0].published_on.isoformat() == "2022-10-24"
    assert [option.correct for option in pack.questions[0].options] == [True, False]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("correct: false", "correct: true"), "exactly one right option, not 2."),
        (("kind: single", "kind: essay"), "kind must be one of"),
        (("rationale: Because not.", "rationale: ''"), "has no rationale"),
        (("explanation: Explained.", "explanation: ''"), "explanation is missing"),
        (("learning_point: Learnt.", "learning_point: ''"), "learning point is missing"),
        (("sources: [doc]", "sources: [elsewhere]"), "cites unknown source 'elsewhere'"),
    ],
)
def test_a_broken_question_is_reported_with_file_line_and_key(change, expected):
    problems = problems_of(VALID.replace(*change))

    assert any(expected in problem for problem in problems), problems
    assert any(problem.startswith("sample.yaml, line 14, question 'first'") for problem in problems), problems


def test_a_file_without_sources_parses_and_its_questions_cite_none():
    text = VALID.replace(
        "sources:\n  - key: doc\n    title: A document\n    publisher: A publisher\n    date: 2022-10-24\n", ""
    )

    pack = parse_pack(text.replace("sources: [doc]", "sources: []"), "sample.yaml")

    assert pack.sources == [] and pack.questions[0].sources == []


def test_multiple_select_needs_a_right_option():
    text = VALID.replace("kind: single", "kind: multiple").replace("correct: true", "correct: false")

    assert any("at least one right option" in p for p in problems_of(text))


def test_true_false_needs_exactly_true_and_false():
    text = VALID.replace("kind: single", "kind: true_false")

    assert any("True and False." in p for p in problems_of(text))


def test_an_image_needs_alt_text():
    text = VALID.replace("    explanation: Explained.", "    image: {file: x.png}\n    explanation: Explained.")

    assert any("image needs alt text" in p for p in problems_of(text))


def test_a_case_question_needs_a_stage():
    assert any("needs a stage" in p for p in problems_of(VALID.replace("kind: standard", "kind: case")))


def test_duplicate_keys_are_refused():
    question = VALID.split("questions:\n")[1]

    assert any("used by another question" in p for p in problems_of(VALID + question))


def test_invalid_yaml_names_the_line():
    assert problems_of(VALID + "  - key: [unclosed\n")[0].startswith("sample.yaml, line")


def test_a_wrong_format_marker_is_refused():
    assert any("format must be" in p for p in problems_of(VALID.replace("quizpack/1", "quizpack/9")))


HOTSPOT = (
    VALID
    + """\
  - key: find-it
    kind: hotspot
    stem: Click on the nodule.
    image: {file: chest.png, alt: A chest drawing.}
    allow_no_abnormality: true
    regions:
      - shape: ellipse
        geometry: {cx: 0.3, cy: 0.4, rx: 0.05, ry: 0.05}
        feedback: The nodule.
      - shape: polygon
        geometry:
          points: [[0.6, 0.6], [0.8, 0.6], [0.7, 0.8]]
    explanation: Explained.
    learning_point: Learnt.
    sources: [doc]
"""
)


def test_a_hotspot_question_parses_with_its_regions_and_no_options():
    question = parse_pack(HOTSPOT, "sample.yaml").questions[1]

    assert (question.kind, question.options, question.allow_no_abnormality) == ("hotspot", [], True)
    assert [(r.shape, r.geometry, r.feedback) for r in question.regions] == [
        ("ellipse", {"cx": 0.3, "cy": 0.4, "rx": 0.05, "ry": 0.05}, "The nodule."),
        ("polygon", {"points": [[0.6, 0.6], [0.8, 0.6], [0.7, 0.8]]}, ""),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("rx: 0.05, ry: 0.05}", "rx: 0.05, ry: 0.9}"),
            "sample.yaml, line 29, question 'find-it': Region 1: The ellipse extends past the top edge",
        ),
        (
            ("[[0.6, 0.6], [0.8, 0.6], [0.7, 0.8]]", "[[0.6, 0.6], [0.8, 0.6]]"),
            "sample.yaml, line 32, question 'find-it': Region 2: A polygon needs at least 3 points, not 2.",
        ),
        (("shape: ellipse", "shape: circle"), 'Region 1: Unknown shape "circle"'),
        (("    image: {file: chest.png, alt: A chest drawing.}\n", ""), "A hotspot question needs an image"),
        (("    kind: hotspot\n", "    kind: single\n"), "only hotspot questions have regions"),
        (("allow_no_abnormality: true", "allow_no_abnormality: maybe"), "allow_no_abnormality must be true or false"),
    ],
)
def test_a_broken_hotspot_question_is_reported_with_file_line_and_key(change, expected):
    problems = problems_of(HOTSPOT.replace(*change))

    assert any(expected in problem for problem in problems), problems


def test_a_hotspot_question_with_options_is_refused():
    broken = HOTSPOT.replace(
        "    allow_no_abnormality: true\n",
        "    allow_no_abnormality: true\n    options:\n      - {text: A, correct: true, rationale: R.}\n",
    )

    assert any("A hotspot question has no options" in problem for problem in problems_of(broken))


def test_weights_an_id_number_and_tags_are_read_when_given():
    text = VALID.replace("    kind: single\n", "    kind: single\n    idnumber: CHEST-1\n")
    text = text.replace("correct: true,", "correct: true, weight: 1,").replace(
        "correct: false,", "correct: false, weight: -0.3333333,"
    )
    text = text.replace("    sources: [doc]\n", "    sources: [doc]\n    tags: [chest, Nodules]\n")

    question = parse_pack(text, "sample.yaml").questions[0]

    assert [str(option.weight) for option in question.options] == ["1", "-0.3333333"]
    assert (question.idnumber, question.tags) == ("CHEST-1", ["chest", "Nodules"])


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        (("correct: false,", "correct: false, weight: half,"), 19, "option 2 weight must be a number from -1 to 1"),
        (("correct: false,", "correct: false, weight: 1.5,"), 14, "option 2 has a weight of 150.0%"),
        (("    sources: [doc]\n", "    sources: [doc]\n    tags: chest\n"), 14, "tags must be a list of names"),
    ],
)
def test_a_bad_weight_or_tag_list_is_reported_with_its_line(change, line, expected):
    (message,) = problems_of(VALID.replace(*change))

    assert message.startswith(f"sample.yaml, line {line}, question 'first': ") and expected in message


SHORT_ANSWER = VALID.replace(
    """    kind: single
    stem: Which?
    options:
      - {text: Right, correct: true, rationale: Because.}
      - {text: Wrong, correct: false, rationale: Because not.}
""",
    """    kind: short_answer
    stem: Name the pattern.
    accepted_answers:
      - {text: miliary metastases}
      - {text: metastases, weight: 0.5, feedback: Name the pattern.}
""",
)
MATCHING = VALID.replace(
    """    kind: single
    stem: Which?
    options:
      - {text: Right, correct: true, rationale: Because.}
      - {text: Wrong, correct: false, rationale: Because not.}
""",
    """    kind: matching
    stem: Match each appearance to its primary.
    options:
      - {text: Choriocarcinoma}
      - {text: Osteosarcoma}
      - {text: Melanoma}
    match_stems:
      - {text: A halo of bleeding., answer: Choriocarcinoma}
      - {text: Bone-like density., answer: Osteosarcoma}
""",
)


def test_a_short_answer_question_parses_with_its_accepted_answers_and_the_site_defaults():
    question = parse_pack(SHORT_ANSWER, "sample.yaml").questions[0]

    assert [(answer.text, answer.weight, answer.feedback) for answer in question.accepted_answers] == [
        ("miliary metastases", 1, ""),
        ("metastases", Decimal("0.5"), "Name the pattern."),
    ]
    assert (question.options, question.case_sensitive, question.forgive_typos) == ([], False, True)


def test_a_matching_question_parses_with_each_stem_answered_by_its_options_position():
    question = parse_pack(MATCHING, "sample.yaml").questions[0]

    assert [(stem.text, stem.answer) for stem in question.match_stems] == [
        ("A halo of bleeding.", 0),
        ("Bone-like density.", 1),
    ]
    assert [(option.text, option.correct, option.rationale) for option in question.options] == [
        ("Choriocarcinoma", False, ""),
        ("Osteosarcoma", False, ""),
        ("Melanoma", False, ""),
    ]


@pytest.mark.parametrize(
    ("text", "change", "expected"),
    [
        (SHORT_ANSWER, ("      - {text: miliary metastases}\n", ""), "needs an accepted answer that earns full marks"),
        (
            SHORT_ANSWER,
            ("    accepted_answers:\n", "    accepted_answers: []\n    x:\n"),
            "at least one accepted answer",
        ),
        (
            SHORT_ANSWER,
            (", feedback: Name the pattern.", ""),
            "accepted answer 2 ('metastases') earns 50% but has no feedback",
        ),
        (SHORT_ANSWER, ("weight: 0.5", "weight: 1.5"), "has a weight of 150%; accepted answers earn from 0% to 100%"),
        (SHORT_ANSWER, ("weight: 0.5", "weight: half"), "accepted answer 2 weight must be a number from 0 to 1"),
        (SHORT_ANSWER, ("{text: miliary metastases}", "{text: ''}"), "accepted answer 1 has no text"),
        (
            SHORT_ANSWER,
            ("    explanation:", "    case_sensitive: sometimes\n    explanation:"),
            "case_sensitive must be true or false",
        ),
        (
            SHORT_ANSWER,
            ("    explanation:", "    options:\n      - {text: A, correct: true, rationale: R.}\n    explanation:"),
            "a short-answer question has no options",
        ),
        (MATCHING, ("      - {text: Bone-like density., answer: Osteosarcoma}\n", ""), "needs at least 2 stems"),
        (MATCHING, ("answer: Osteosarcoma", "answer: Sarcoma"), "stem 2 is not answered by one of the options"),
        (MATCHING, ("{text: A halo of bleeding., ", "{text: '', "), "stem 1 has no text"),
        (
            MATCHING,
            ("      - {text: Melanoma}\n", ""),
            "2 options for 2 stems: the last stem is answered by elimination",
        ),
        (MATCHING, ("{text: Melanoma}", "{text: osteosarcoma}"), "option 3 ('osteosarcoma') is listed twice"),
        (MATCHING, ("{text: Melanoma}", "{text: Melanoma, correct: true}"), "options are not marked right or weighted"),
        (
            MATCHING,
            ("answer: Choriocarcinoma}", "answer: Choriocarcinoma, image: {file: halo.png}}"),
            "stem 1's image needs alt text",
        ),
        (
            VALID,
            ("    explanation:", "    match_stems:\n      - {text: A, answer: Right}\n    explanation:"),
            "only matching questions have match_stems",
        ),
        (VALID, ("    explanation:", "    forgive_typos: false\n    explanation:"), "only short-answer questions have"),
    ],
)
def test_a_broken_short_answer_or_matching_question_is_reported_with_its_key(text, change, expected):
    assert change[0] in text
    problems = problems_of(text.replace(*change))

    assert any(expected in problem and "question 'first'" in problem for problem in problems), problems


def test_fewer_options_than_stems_need_a_reason():
    text = MATCHING.replace("      - {text: Melanoma}\n", "").replace(
        "    explanation:", "    fewer_options_reason: Only two primaries bleed or ossify here.\n    explanation:"
    )

    assert (
        parse_pack(text, "sample.yaml").questions[0].fewer_options_reason == "Only two primaries bleed or ossify here."
    )
