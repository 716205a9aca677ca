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
from quizzes.bank.quizpack import PackOption, PackQuestion, PackQuiz, PackSource
from quizzes.models import Choice, Question, Quiz, Response
from quizzes.options import presented_options
from quizzes.services.attempts import answer_submit, attempt_start
from quizzes.services.content import excerpt, quiz_pack_plan, quiz_packs_import, quiz_report
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
