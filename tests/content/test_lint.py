"""The content lint: each rule on a small made-up pack, and the bundled pack held to issue 17's thresholds."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from quizzes.bank.quizpack import PackAnswer, PackMatchStem, PackOption, PackQuestion, PackQuiz, PackSource
from quizzes.content.lint import (
    LENGTH_RATIO_MAX,
    LENGTH_RATIO_MIN,
    SeedsMissing,
    content_lint,
    seed_texts,
    shared_runs,
    words,
)

SEED = "The quick brown fox jumps over the lazy dog near the quiet river bank today."


def question(key="q", kind="single", options=(("Right", True), ("Wrong", False)), stage="", image_alt=""):
    return PackQuestion(
        key=key,
        kind=kind,
        stem="Which one?",
        options=[PackOption(text, correct, "Because.") for text, correct in options],
        explanation="Explained.",
        learning_point="Learnt.",
        sources=["seed"],
        stage=stage,
        image_alt=image_alt,
    )


def quiz(*questions, slug="made-up", kind="standard"):
    return PackQuiz(
        file=f"{slug}.yaml",
        slug=slug,
        title="Made up",
        description="",
        topic="Tests",
        kind=kind,
        status="published",
        order=0,
        sources=[PackSource(key="seed", title="A made-up source", publisher="Nobody")],
        questions=list(questions),
    )


def lint(*quizzes, prose=None):
    return content_lint(quizzes=list(quizzes), prose=prose or {}, seeds=[SEED])


def same_length_item(key):
    return question(key, options=(("Lung", True), ("Bone", False), ("Skin", False)))


def longer_keyed_item(key):
    return question(key, options=(("Papillary thyroid carcinoma", True), ("Bone", False), ("Skin", False)))


def test_a_keyed_option_no_distractor_outgrows_counts_as_the_longest():
    report = lint(quiz(same_length_item("a"), question("b", options=(("Lung", True), ("Kidneys", False)))))

    assert (report.single.keyed_longest, report.single.items) == (1, 2)


def test_keyed_options_longest_in_more_than_about_a_third_of_items_is_a_breach():
    report = lint(quiz(longer_keyed_item("a"), question("b", options=(("Lung", True), ("Kidneys", False)))))

    assert report.single.longest_rate == 0.5
    assert any("longest in 1 of 2" in breach for breach in report.breaches)


def shorter_keyed_item(key):
    return question(key, options=(("Lung", True), ("Papillary thyroid carcinoma", False), ("Skeletal", False)))


def test_a_keyed_option_no_distractor_undercuts_counts_as_the_shortest():
    report = lint(quiz(same_length_item("a"), longer_keyed_item("b")))

    assert (report.single.keyed_shortest, report.single.items) == (1, 2)


def test_keyed_options_shortest_in_more_than_about_a_third_of_items_is_a_breach():
    report = lint(quiz(shorter_keyed_item("a"), longer_keyed_item("b")))

    assert report.single.shortest_rate == 0.5
    assert any("shortest in 1 of 2" in breach for breach in report.breaches)


def test_keyed_options_shortest_in_a_third_of_items_pass():
    report = lint(
        quiz(shorter_keyed_item("a"), question("b", options=(("Lungs", True), ("Bone", False))), longer_keyed_item("c"))
    )

    assert report.single.keyed_shortest == 1
    assert not any("shortest" in breach for breach in report.breaches)


def test_a_mean_length_ratio_under_the_floor_is_a_breach():
    report = lint(quiz(question("a", options=(("ab", True), ("abcd", False), ("abcdef", False)))))

    assert report.single.ratio == 0.4 < LENGTH_RATIO_MIN
    assert any("length ratio 0.40" in breach and "at least 0.85" in breach for breach in report.breaches)


def test_the_length_ratio_is_the_mean_over_items_of_keyed_over_mean_distractor_length():
    report = lint(quiz(question("a", options=(("abcdef", True), ("ab", False), ("abcd", False)))))

    assert report.single.ratio == 2.0
    assert report.single.ratio >= LENGTH_RATIO_MAX
    assert any("length ratio 2.00" in breach for breach in report.breaches)


def test_a_pack_of_balanced_items_has_no_length_breach():
    report = lint(
        quiz(
            question("a", options=(("Liver", True), ("Kidneys", False), ("Bone", False))),
            question("b", options=(("Breast", True), ("Lung", False), ("Prostate", False))),
            question("c", options=(("Spleen", True), ("Adrenals", False), ("Skin", False))),
        )
    )

    assert report.single.keyed_longest == report.single.keyed_shortest == 0
    assert LENGTH_RATIO_MIN <= report.single.ratio < LENGTH_RATIO_MAX
    assert report.breaches == []


def test_statement_items_are_single_best_answer_items_whose_options_read_as_sentences():
    statement = question(
        "s",
        options=(
            ("Most deposits cause no symptoms of their own", True),
            ("Most patients present with coughing up blood", False),
        ),
    )

    report = lint(quiz(statement, same_length_item("n")))

    assert (report.statements.items, report.single.items) == (1, 2)


@pytest.mark.parametrize("term", ["always", "Never", "ONLY", "alone", "all", "none", "must", "invariably"])
def test_an_absolute_term_in_a_distractor_is_flagged(term):
    report = lint(quiz(question(options=(("Lung", True), (f"Bone {term} affected", False)))))

    assert [finding.key for finding in report.quizzes[0].absolute_terms] == ["q"]
    assert any(term.lower() in breach for breach in report.breaches)


def test_absolute_terms_are_matched_as_whole_words_and_not_in_keyed_options():
    report = lint(
        quiz(
            question("a", options=(("Usually the lung", True), ("Small nodules", False), ("Falls alongside", False))),
            question("b", kind="multiple", options=(("All of these", True), ("Bone", False))),
        )
    )

    assert report.quizzes[0].absolute_terms == []


def test_multiple_select_items_that_all_have_the_same_number_of_right_options_are_flagged():
    two_of_four = (("A", True), ("B", True), ("C", False), ("D", False))
    report = lint(quiz(question("a", "multiple", two_of_four), question("b", "multiple", two_of_four)))

    assert "every multiple-select item has 2 right options" in report.breaches
    assert "no multiple-select item has exactly 1 right option" in report.breaches
    assert "no multiple-select item has every option right" in report.breaches


def test_multiple_select_items_with_one_and_with_all_right_pass():
    report = lint(
        quiz(
            question("a", "multiple", (("A", True), ("B", False), ("C", False))),
            question("b", "multiple", (("A", True), ("B", True), ("C", True))),
        )
    )

    assert report.multiple_select == []


def test_the_multiple_select_rule_looks_across_the_whole_pack_not_one_quiz():
    one_right = quiz(question("a", "multiple", (("A", True), ("B", False))), slug="one")
    all_right = quiz(question("b", "multiple", (("A", True), ("B", True))), slug="two")

    assert lint(one_right, all_right).multiple_select == []


def test_a_bundled_question_that_cites_no_source_is_a_breach():
    uncited = question("uncited")
    uncited.sources = []

    report = lint(quiz(question("cited"), uncited))

    assert [finding.key for finding in report.quizzes[0].uncited] == ["uncited"]
    assert [breach for breach in report.breaches if "cites no source" in breach] == [
        "cites no source: made-up/uncited: add the seed document it draws on"
    ]


def test_a_stage_that_contains_its_keyed_options_wording_is_flagged():
    giveaway = question(
        "stage-2",
        options=(("Pleural thickening", True), ("Pneumothorax", False)),
        stage="The CT shows **pleural thickening**, all round the left lung.",
    )
    fair = question("stage-3", options=(("Lipoma", True), ("Metastasis", False)), stage="A soft lump in the fat.")

    report = lint(quiz(giveaway, fair, kind="case"))

    assert [finding.key for finding in report.quizzes[0].answered_by_stage] == ["stage-2"]
    assert any("stage-2" in breach and "Pleural thickening" in breach for breach in report.breaches)


def test_an_earlier_stage_still_on_the_page_that_names_the_keyed_option_is_flagged():
    reveal = question("stage-6", options=(("Sarcoidosis", True), ("Lymphoma", False)), stage="Final: miliary TB.")
    asks_again = question("stage-7", options=(("Miliary TB", True), ("Silicosis", False)), stage="Sputum follows.")

    report = lint(quiz(reveal, asks_again, kind="case"))

    assert [finding.message for finding in report.quizzes[0].answered_by_stage] == [
        "an earlier stage already shows 'Miliary TB'"
    ]


def test_a_stem_that_names_the_keyed_option_is_flagged_but_a_true_false_stem_is_not():
    names_it = question("spleen", kind="multiple", options=(("Spleen", True), ("Kidney", False)))
    names_it.stem = "The spleen illustration shows deposits in which organs?"
    true_false = question("tf", kind="true_false", options=(("True", True), ("False", False)))
    true_false.stem = "True or false: deposits can calcify."

    report = lint(quiz(names_it, true_false))

    assert [finding.key for finding in report.quizzes[0].answered_by_stage] == ["spleen"]


def test_alt_text_that_names_the_keyed_option_is_flagged():
    report = lint(
        quiz(
            question(
                options=(("Miliary nodules", True), ("Consolidation", False)),
                image_alt="Schematic illustration, not a patient image: innumerable miliary nodules in both lungs.",
            )
        )
    )

    assert [finding.message for finding in report.quizzes[0].answered_by_stage] == [
        "the image's alt text already shows 'Miliary nodules'"
    ]


def short_answer(key, *answers, stem="Name the pattern."):
    """A short-answer item accepting `answers`, each text or (text, weight)."""
    item = question(key, kind="short_answer", options=())
    item.stem = stem
    item.accepted_answers = [
        PackAnswer(*answer) if isinstance(answer, tuple) else PackAnswer(answer) for answer in answers
    ]
    return item


def matching(key, stems, options=("Choriocarcinoma", "Osteosarcoma", "Melanoma")):
    """A matching item: `stems` as (text, the option answering it)."""
    item = question(key, kind="matching", options=[(text, False) for text in options])
    item.match_stems = [PackMatchStem(text, options.index(answer)) for text, answer in stems]
    return item


def test_a_stem_that_names_a_full_marks_accepted_answer_is_flagged_and_a_partial_one_is_not():
    giveaway = short_answer("given", "miliary metastases", stem="These miliary metastases are from which pattern?")
    partial = short_answer("fair", "miliary metastases", ("metastases", Decimal("0.5")), stem="Name these metastases.")

    report = lint(quiz(giveaway, partial))

    assert [finding.message for finding in report.quizzes[0].answered_by_stage] == [
        "the stem already shows 'miliary metastases'"
    ]


def test_a_matching_stem_that_names_the_option_answering_it_is_flagged():
    item = matching("emq", [("Bleeding around a choriocarcinoma deposit", "Choriocarcinoma"), ("Bone", "Osteosarcoma")])

    report = lint(quiz(item))

    assert [finding.message for finding in report.quizzes[0].answered_by_stage] == [
        "stem 1 already shows 'Choriocarcinoma'"
    ]


def test_a_short_answer_accepting_one_spelling_only_is_a_breach_and_both_spellings_pass():
    one = short_answer("one", "haemorrhagic metastases", "Wilms tumor")
    both = short_answer("both", "haemorrhagic metastases", "hemorrhagic metastases", "Wilms tumour", "Wilms tumor")

    report = lint(quiz(one, both))

    assert [finding.message for finding in report.quizzes[0].spelling_variants] == [
        "'haemorrhagic' is accepted but not 'hemorrhagic'",
        "'tumor' is accepted but not 'tumour'",
    ]
    assert any("one spelling only: made-up/one:" in breach for breach in report.breaches)


def test_the_report_counts_accepted_answers_and_options_per_stem():
    report = lint(
        quiz(short_answer("sa", "miliary", "military*"), matching("emq", [("A", "Melanoma"), ("B", "Osteosarcoma")]))
    )

    assert "  short answer, accepted answers: 2; spellings missing: 0\n  extended matching, options/stems: 3/2" in str(
        report
    )


def test_true_false_items_are_a_breach():
    report = lint(quiz(question(kind="true_false", options=(("True", True), ("False", False)))))

    assert report.quizzes[0].true_false == 1
    assert any("true/false" in breach for breach in report.breaches)


def test_ten_word_runs_shared_with_a_seed_are_counted_after_normalising_case_punctuation_and_spacing():
    copied = "As noted: the QUICK brown fox -- jumps over the\n   lazy dog, near the quiet river!"

    found = shared_runs({"docs/a.md": copied, "docs/b.md": "Nothing like it at all."}, [SEED])

    assert found["docs/a.md"][0] == "brown fox jumps over the lazy dog near the quiet"
    assert (len(found["docs/a.md"]), found["docs/b.md"]) == (4, [])


def test_nine_shared_words_are_not_a_run():
    assert shared_runs({"a": "quick brown fox jumps over the lazy dog near"}, [SEED]) == {"a": []}


def test_a_cited_documents_title_is_not_counted_as_copying():
    title = "A radiologic guide to the diagnosis and management of miliary metastases on chest radiographs"

    assert shared_runs({"a.yaml": f"title: {title}"}, [f"{title}. Text."], titles=[title]) == {"a.yaml": []}


def test_more_than_five_shared_runs_is_a_breach_naming_the_file():
    within = lint(quiz(same_length_item("a")), prose={"docs/a.md": " ".join(words(SEED)[:14])})
    over = lint(quiz(same_length_item("a")), prose={"docs/a.md": SEED})

    assert within.shared_run_counts == {"docs/a.md": 5} and not any("shared" in b for b in within.breaches)
    assert over.shared_run_counts == {"docs/a.md": 6}
    assert any("docs/a.md 6" in breach for breach in over.breaches)


def test_a_missing_seeds_folder_fails_loudly(tmp_path):
    with pytest.raises(SeedsMissing, match="QUIZ_SEEDS_DIR"):
        seed_texts(tmp_path / "shared" / "seeds")
    with pytest.raises(SeedsMissing):
        content_lint(quizzes=[], prose={}, seeds=[])


def test_the_report_prints_each_quizs_figures():
    report = lint(quiz(longer_keyed_item("a"), slug="miliary"))

    assert "miliary:\n  single best answer: longest 1/1 (100%), shortest 0/1 (0%), ratio" in str(report)


def test_the_bundled_pack_passes_the_content_lint(capsys):
    # The command raises with the whole report on a breach; -s shows the figures when it passes.
    call_command("content_lint")

    print(capsys.readouterr().out)
