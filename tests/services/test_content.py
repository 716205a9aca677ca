"""Importing banks into quizzes that exist: questions matched by ID number, key or stem; nothing trainees
answered is lost; options matched by identity; what the file does not carry is left as it was."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from PIL import Image

from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.gift_writer import export_gift
from quizzes.bank.quizpack import PackAnswer, PackMatchStem, PackOption, PackQuestion, PackQuiz, PackSource
from quizzes.models import Choice, Question, Quiz, Response, ResponseMatch
from quizzes.options import presented_options
from quizzes.services.attempts import answer_submit, attempt_start
from quizzes.services.content import excerpt, question_duplicate, quiz_pack_plan, quiz_packs_import, quiz_report
from tests.factories import make_question, make_quiz, questions_of, take_quiz

pytestmark = pytest.mark.django_db


def gift_of(quiz: Quiz) -> PackQuiz:
    """The quiz's own GIFT export, read back as a bank for the same quiz."""
    return parse_gift(export_gift(quiz), f"{quiz.slug}.gift", slug=quiz.slug, title=quiz.title, topic=quiz.topic.name)


def gift_import(pack: PackQuiz, tmp_path) -> dict:
    (report,) = quiz_packs_import(packs=[pack], images_dir=tmp_path, complete=False)
    return report


def pack_question(key, options, **fields) -> PackQuestion:
    return PackQuestion(
        key=key,
        kind=fields.pop("kind", "single"),
        stem=fields.pop("stem", f"Stem of {key}?"),
        options=options,
        explanation=fields.pop("explanation", "Because."),
        learning_point=fields.pop("learning_point", "Remember."),
        sources=["bank"],
        **fields,
    )


def pack_of(quiz_slug, *questions) -> PackQuiz:
    return PackQuiz(
        file="bank.gift",
        slug=quiz_slug,
        title="Bank",
        description="",
        topic="Imports",
        kind="standard",
        status="draft",
        order=0,
        sources=[PackSource(key="bank", title="bank.gift", publisher="Imported")],
        questions=list(questions),
    )


def test_reimporting_a_quizs_own_gift_export_after_removing_an_answered_question_keeps_it(trainee, tmp_path):
    quiz = make_quiz(questions=3)
    take_quiz(trainee, quiz, [True, False])  # the first two questions are answered
    answered, _second, unanswered = questions_of(quiz)
    pack = gift_of(quiz)
    pack.questions = [item for item in pack.questions if item.key not in {answered.key, unanswered.key}]

    report = gift_import(pack, tmp_path)

    assert [kept["key"] for kept in report["kept"]] == [answered.key]
    assert [removed["key"] for removed in report["removed"]] == [unanswered.key]
    assert set(quiz.questions.values_list("key", flat=True)) == {answered.key, _second.key}
    assert Response.objects.count() == 2


def test_reimporting_the_mesothelioma_case_as_gift_keeps_its_kind_status_image_citation_and_description(tmp_path):
    call_command("load_content", verbosity=0)
    quiz = Quiz.objects.get(slug="mesothelioma-case")
    before = {
        "quiz": (quiz.kind, quiz.status, quiz.description, quiz.title),
        "questions": [
            (q.key, q.stage, q.image.name, q.image_alt, sorted(s.key for s in q.sources.all()))
            for q in questions_of(quiz)
        ],
    }

    report = gift_import(gift_of(quiz), tmp_path)

    quiz.refresh_from_db()
    assert (quiz.kind, quiz.status, quiz.description, quiz.title) == before["quiz"]
    after = [
        (q.key, q.stage, q.image.name, q.image_alt, sorted(s.key for s in q.sources.all())) for q in questions_of(quiz)
    ]
    assert after == before["questions"]
    # The stems come back without the stage the GIFT writer puts before them (the question keeps its stage).
    assert [question["stem"] for question in report["questions"]] == [excerpt(q.stem) for q in questions_of(quiz)]
    assert not report["removed"] and not report["kept"]


def test_reordered_options_on_reimport_keep_the_trainees_recorded_choice(trainee, tmp_path):
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, key="phonetic", options=[("Alpha (right)", True), ("Bravo (wrong)", False)])
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    bravo = question.choices.get(text="Bravo (wrong)")
    answer_submit(attempt=attempt, question=question, chosen=[bravo])
    pack = gift_of(quiz)
    pack.questions[0].options.reverse()

    gift_import(pack, tmp_path)

    response = Response.objects.get()
    assert [choice.text for choice in response.chosen.all()] == ["Bravo (wrong)"]
    assert not response.is_correct
    assert list(question.choices.order_by("order").values_list("text", "is_correct")) == [
        ("Bravo (wrong)", False),
        ("Alpha (right)", True),
    ]


def test_an_option_trainees_chose_is_retired_not_deleted_and_cannot_be_deleted(trainee, tmp_path):
    quiz = make_quiz(questions=1)
    take_quiz(trainee, quiz, [False])  # chose "Wrong 1a"
    question = questions_of(quiz)[0]
    chosen = question.choices.get(text="Wrong 1a")
    pack = gift_of(quiz)
    pack.questions[0].options = [option for option in pack.questions[0].options if option.text != "Wrong 1a"]

    gift_import(pack, tmp_path)

    chosen.refresh_from_db()
    assert chosen.retired
    assert not question.choices.filter(text="Wrong 1b", retired=True).exists()
    with pytest.raises(ProtectedError):
        chosen.delete()


def test_questions_are_matched_by_id_number_then_key_then_stem(tmp_path):
    quiz = make_quiz(questions=0, slug="bank")
    by_idnumber = make_question(quiz=quiz, order=1, key="old-key", idnumber="MOODLE-7")
    by_stem = make_question(quiz=quiz, order=2, key="other", stem="Which sign is this?")
    options = [PackOption("Right", True, "Why right."), PackOption("Wrong", False, "Why wrong.")]
    pack = pack_of(
        "bank",
        pack_question("renamed", options, idnumber="MOODLE-7"),
        pack_question("new-title", options, stem="Which sign is  this?"),
        pack_question("brand-new", options),
    )

    report = gift_import(pack, tmp_path)

    assert [question["action"] for question in report["questions"]] == ["updated", "updated", "added"]
    assert quiz.questions.count() == 3
    assert Question.objects.get(pk=by_idnumber.pk).stem == "Stem of renamed?"
    assert Question.objects.get(pk=by_stem.pk).choices.filter(text="Right", is_correct=True).exists()


def test_a_question_without_an_explanation_or_a_rationale_is_imported_as_a_draft(tmp_path):
    bare = [PackOption("Right", True, "Why right."), PackOption("Wrong", False, "")]
    pack = pack_of(
        "drafts",
        pack_question("bare-option", bare),
        pack_question("no-feedback", bare[:1] + [PackOption("Wrong", False, "No.")], explanation=""),
        pack_question("finished", bare[:1] + [PackOption("Wrong", False, "No.")]),
    )

    report = gift_import(pack, tmp_path)

    statuses = dict(Question.objects.values_list("key", "status"))
    assert statuses == {"bare-option": "draft", "no-feedback": "draft", "finished": "published"}
    assert [question["draft"] for question in report["questions"]] == [True, True, False]


def test_weights_and_tags_are_kept_and_a_weight_beyond_full_marks_is_held_to_it(tmp_path):
    options = [
        PackOption("Half", True, "Half right.", weight=Decimal("0.5")),
        PackOption("Other half", True, "Half right.", weight=Decimal("0.5")),
        PackOption("Penalty", False, "Wrong.", weight=Decimal("-1.5")),
    ]
    pack = pack_of("weights", pack_question("weighted", options, kind="multiple", tags=["Chest", "chest", "CT"]))

    gift_import(pack, tmp_path)

    question = Question.objects.get(key="weighted")
    assert list(question.choices.values_list("weight", flat=True)) == [Decimal("0.5"), Decimal("0.5"), Decimal("-1")]
    assert sorted(question.tags.values_list("name", flat=True)) == ["CT", "Chest"]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_embedded_image_is_validated_and_re_encoded_and_a_refused_one_is_a_named_warning(tmp_path):
    options = [PackOption("Right", True, "Why right."), PackOption("Wrong", False, "Why wrong.")]
    pack = pack_of(
        "images",
        pack_question("pictured", options, image_data=png_bytes(), image_alt="A grey square", image_file="scan.png"),
        pack_question("broken", options, image_data=b"<svg onload=alert(1)>", image_alt="Nothing", image_file="x.svg"),
    )

    report = gift_import(pack, tmp_path)

    pictured, broken = Question.objects.get(key="pictured"), Question.objects.get(key="broken")
    assert pictured.image and pictured.thumbnail and pictured.image_alt == "A grey square"
    assert "scan" not in pictured.image.name
    assert not broken.image
    assert any("'broken': its image was not imported" in warning for warning in report["import_warnings"])


def test_the_dry_run_plan_says_what_changes_and_saves_nothing(trainee):
    quiz = make_quiz(questions=2)
    take_quiz(trainee, quiz, [True])
    pack = gift_of(quiz)
    pack.questions = pack.questions[1:]
    pack.questions[0].stem = "A reworded stem?"

    report = quiz_report(quiz_pack_plan(pack=pack, complete=False))

    assert report["exists"] and report["questions"][0]["action"] == "updated"
    assert report["questions"][0]["changes"] == ["stem"]
    assert report["kept"][0]["why"] == "trainees answered it: kept as a draft, hidden from new attempts"
    assert questions_of(quiz)[1].stem == "Stem of question 2?"
    assert Choice.objects.filter(retired=True).count() == 0


def test_a_retired_option_is_no_longer_offered_but_an_answer_that_chose_it_still_shows_it(trainee, tmp_path):
    quiz = make_quiz(questions=1)
    take_quiz(trainee, quiz, [False])  # chose "Wrong 1a"
    question = questions_of(quiz)[0]
    chosen = question.choices.get(text="Wrong 1a")
    Choice.objects.filter(pk=chosen.pk).update(retired=True)
    question = questions_of(quiz)[0]

    offered = [option.choice.text for option in presented_options(question, "99")]
    shown = [option.choice.text for option in presented_options(question, "1", chosen_ids={chosen.pk})]

    assert "Wrong 1a" not in offered and len(offered) == 3
    assert "Wrong 1a" in shown


def matching_item(key, stems, options, **fields) -> PackQuestion:
    """A matching question: `stems` as (text, the text of the option that answers it)."""
    return pack_question(
        key,
        [PackOption(text, False, "") for text in options],
        kind="matching",
        match_stems=[PackMatchStem(text, options.index(answer)) for text, answer in stems],
        **fields,
    )


def answered_with(trainee, question, matches: dict[str, str]) -> Response:
    """A recorded answer to a matching question: each stem's text mapped to the chosen option's text."""
    response = Response.objects.create(
        attempt=attempt_start(user=trainee, quiz=question.quiz), question=question, is_correct=False, points=0
    )
    for stem_text, option_text in matches.items():
        ResponseMatch.objects.create(
            response=response,
            stem=question.match_stems.get(text=stem_text),
            choice=question.choices.get(text=option_text),
        )
    return response


EMQ_OPTIONS = ["Choriocarcinoma", "Osteosarcoma", "Melanoma", "Squamous cell carcinoma"]


def test_reimported_matching_stems_keep_their_identity_by_text_then_position_and_an_answered_one_stays(
    trainee, tmp_path
):
    stems = [
        ("A halo of bleeding.", "Choriocarcinoma"),
        ("Bone-like density.", "Osteosarcoma"),
        ("Cavities.", "Squamous cell carcinoma"),
    ]
    gift_import(pack_of("emq", matching_item("emq", stems, EMQ_OPTIONS)), tmp_path)
    question = Question.objects.get(key="emq")
    ids = dict(question.match_stems.values_list("text", "pk"))
    response = answered_with(trainee, question, {"Cavities.": "Melanoma", "Bone-like density.": "Osteosarcoma"})
    # The file rewords the first stem, swaps the order, drops "Cavities." (answered) and the option
    # "Melanoma" (chosen for it): nothing a trainee's answer names is lost.
    new_stems = [("Bone-like density.", "Osteosarcoma"), ("A ground-glass halo of bleeding.", "Choriocarcinoma")]
    pack = pack_of(
        "emq", matching_item("emq", new_stems, ["Choriocarcinoma", "Osteosarcoma", "Squamous cell carcinoma"])
    )

    report = gift_import(pack, tmp_path)

    assert list(question.match_stems.values_list("text", "pk", "answer__text")) == [
        ("Bone-like density.", ids["Bone-like density."], "Osteosarcoma"),
        ("A ground-glass halo of bleeding.", ids["A halo of bleeding."], "Choriocarcinoma"),
        ("Cavities.", ids["Cavities."], "Squamous cell carcinoma"),
    ]
    assert set(response.matches.values_list("stem__text", "choice__text")) == {
        ("Cavities.", "Melanoma"),
        ("Bone-like density.", "Osteosarcoma"),
    }
    assert question.choices.get(text="Melanoma").retired
    question.refresh_from_db()
    assert question.is_draft
    assert report["import_warnings"] == [
        "Question 'emq': its stem 'Cavities.' is not in the file, but trainees answered it: kept, and the question "
        "left a draft; edit or remove the stem in the admin before publishing."
    ]
    assert report["questions"][0]["changes"] == ["options", "matching stems"]


def test_a_dropped_stem_nobody_answered_and_its_option_are_removed(tmp_path):
    stems = [
        ("A halo of bleeding.", "Choriocarcinoma"),
        ("Bone-like density.", "Osteosarcoma"),
        ("Dark nodules.", "Melanoma"),
    ]
    gift_import(pack_of("emq", matching_item("emq", stems, EMQ_OPTIONS)), tmp_path)

    gift_import(pack_of("emq", matching_item("emq", stems[:2], EMQ_OPTIONS[:2] + EMQ_OPTIONS[3:])), tmp_path)

    question = Question.objects.get(key="emq")
    assert list(question.match_stems.values_list("text", flat=True)) == ["A halo of bleeding.", "Bone-like density."]
    assert list(question.choices.values_list("text", flat=True)) == [
        "Choriocarcinoma",
        "Osteosarcoma",
        "Squamous cell carcinoma",
    ]
    assert not question.is_draft


def test_reimported_accepted_answers_keep_their_identity_and_feedback_the_file_leaves_out(trainee, tmp_path):
    answers = [PackAnswer("miliary metastases"), PackAnswer("metastases", Decimal("0.5"), "Name the pattern.")]
    gift_import(pack_of("typed", pack_question("typed", [], kind="short_answer", accepted_answers=answers)), tmp_path)
    question = Question.objects.get(key="typed")
    kept = question.accepted_answers.get(text="metastases")
    dropped = question.accepted_answers.get(text="miliary metastases")
    response = Response.objects.create(
        attempt=attempt_start(user=trainee, quiz=question.quiz),
        question=question,
        typed_answer="Miliary metastases",
        matched_answer=dropped,
        is_correct=True,
        points=10,
    )
    answers = [PackAnswer("miliary metastatic disease"), PackAnswer("metastases", Decimal("0.4"))]

    report = gift_import(
        pack_of("typed", pack_question("typed", [], kind="short_answer", accepted_answers=answers)), tmp_path
    )

    assert list(question.accepted_answers.values_list("pk", "text", "weight", "feedback")) == [
        (question.accepted_answers.get(text="miliary metastatic disease").pk, "miliary metastatic disease", 1, ""),
        (kept.pk, "metastases", Decimal("0.4"), "Name the pattern."),
    ]
    response.refresh_from_db()
    assert (response.typed_answer, response.matched_answer) == ("Miliary metastases", None)
    assert report["questions"][0]["changes"] == ["accepted answers"]


def test_the_dry_run_lists_accepted_answers_with_weights_and_each_stem_with_its_option(tmp_path):
    answers = [PackAnswer("miliary metastases"), PackAnswer("metastases", Decimal("0.5"))]
    stems = [("A halo of bleeding.", "Choriocarcinoma"), ("Bone-like density.", "Osteosarcoma")]
    pack = pack_of(
        "dry",
        pack_question("typed", [], kind="short_answer", accepted_answers=answers),
        matching_item("emq", stems, EMQ_OPTIONS),
        matching_item("pair", stems, EMQ_OPTIONS[:2]),
    )

    typed, emq, pair = quiz_report(quiz_pack_plan(pack=pack, complete=False))["questions"]

    assert typed["options"] == [
        {"text": "miliary metastases", "correct": True, "weight": "100%"},
        {"text": "metastases", "correct": False, "weight": "50%"},
    ]
    assert [option["text"] for option in emq["options"]] == [
        "A halo of bleeding. → Choriocarcinoma",
        "Bone-like density. → Osteosarcoma",
        "Melanoma (answers no stem)",
        "Squamous cell carcinoma (answers no stem)",
    ]
    # A partial answer without feedback, and no more options than stems without a reason: drafts.
    assert [question["draft"] for question in (typed, emq, pair)] == [True, False, True]
    assert (typed["kind"], emq["kind"]) == ("Short answer (typed diagnosis)", "Extended matching")


def test_a_duplicated_matching_question_answers_its_stems_with_its_own_options(tmp_path):
    stems = [("A halo of bleeding.", "Choriocarcinoma"), ("Bone-like density.", "Osteosarcoma")]
    answers = [PackAnswer("miliary metastases")]
    gift_import(
        pack_of(
            "dup",
            matching_item("emq", stems, EMQ_OPTIONS),
            pack_question("typed", [], kind="short_answer", accepted_answers=answers),
        ),
        tmp_path,
    )

    emq, typed = (question_duplicate(question=q) for q in Question.objects.order_by("order"))

    assert list(emq.match_stems.values_list("text", "answer__text", "answer__question")) == [
        ("A halo of bleeding.", "Choriocarcinoma", emq.pk),
        ("Bone-like density.", "Osteosarcoma", emq.pk),
    ]
    assert list(typed.accepted_answers.values_list("text", "weight")) == [("miliary metastases", 1)]
