"""Question versions: recorded from the first change trainees would see after an answer, each answer tied to
the version it answered, and an old version restored as a new one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.bank.quizpack import PackOption
from quizzes.models import Attempt, Choice, Question, QuestionVersion, Response
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.content import ChangeBy, quiz_packs_import
from quizzes.services.exam import exam_answer_save
from quizzes.services.questions import question_image_set, question_regions_set
from quizzes.services.reports import problem_report_create
from quizzes.services.versions import (
    VersionNotRestorable,
    question_version_baseline,
    question_version_record,
    question_version_restore,
)
from quizzes.versions import answered_question, question_snapshot, snapshot_changes
from tests.factories import (
    committed,
    educator_change,
    make_hotspot_question,
    make_quiz,
    make_user,
    png_bytes,
    questions_of,
    right_choices,
    take_quiz,
    wrong_choices,
)
from tests.services.test_content import gift_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator(db):
    return make_user(username="teacher", display_name="Dr Teacher")


@pytest.fixture
def answered(trainee, quiz):
    """The quiz's first question, answered wrongly ("Wrong 1a") by the trainee in a finished attempt."""
    attempt_finish(attempt=take_quiz(trainee, quiz, [False]))
    return questions_of(quiz)[0]


def with_content(question: Question) -> Question:
    return Question.objects.prefetch_related("choices", "regions", "sources").get(pk=question.pk)


def test_changes_to_a_question_nobody_answered_record_no_version(quiz):
    question = questions_of(quiz)[0]

    with educator_change(question):
        question.stem = "A new stem?"
        question.save()

    assert not QuestionVersion.objects.exists()
    question.refresh_from_db()
    assert question.version == 1


def test_the_first_change_after_an_answer_keeps_the_answered_question_as_version_1(answered, educator):
    answered_state = question_snapshot(with_content(answered))

    with educator_change(answered, by=educator):
        answered.stem = "A clearer stem?"
        answered.save()
        answered.choices.filter(text="Wrong 1a").update(is_correct=True, rationale="Also right, on reflection.")

    first, second = answered.versions.order_by("number")
    assert (first.number, first.snapshot, first.changed_by) == (1, answered_state, None)
    assert first.summary == "As trainees answered it before its first recorded change."
    assert (second.number, second.changed_by) == (2, educator)
    assert second.snapshot == question_snapshot(with_content(answered))
    assert second.summary == "Stem; option “Wrong 1a”: right or wrong, rationale"
    answered.refresh_from_db()
    assert answered.version == 2


def test_every_later_change_is_the_next_version(answered):
    for stem in ("Second wording?", "Third wording?"):
        with educator_change(answered):
            answered.stem = stem
            answered.save()

    assert list(answered.versions.values_list("number", "snapshot__stem")) == [
        (3, "Third wording?"),
        (2, "Second wording?"),
        (1, "Stem of question 1?"),
    ]


def test_changes_trainees_would_not_see_record_no_version(answered, quiz):
    with educator_change(answered):
        answered.key, answered.order, answered.status = "renamed", 9, Question.Status.DRAFT
        answered.save()
        for choice in answered.choices.all():
            Choice.objects.filter(pk=choice.pk).update(order=10 - choice.order)  # trainees see options shuffled
    with educator_change(answered):
        answered.save()  # saved as it was

    assert not QuestionVersion.objects.exists()


def test_snapshot_changes_say_what_changed_in_words(answered):
    before = question_snapshot(with_content(answered))
    right = right_choices(answered)[0]
    Choice.objects.filter(pk=right.pk).update(text="Right, reworded", weight="0.5")
    answered.choices.filter(text="Wrong 1b").update(retired=True)
    answered.choices.filter(text="Wrong 1c").delete()
    Choice.objects.create(question=answered, text="A new option", rationale="Why.", order=9)
    Question.objects.filter(pk=answered.pk).update(explanation="New.", learning_point="New point.")

    assert snapshot_changes(before, question_snapshot(with_content(answered))) == [
        "explanation",
        "learning point",
        "option “Right, reworded”: text, weight",
        "option “Wrong 1b”: retired",
        "option “A new option” added",
        "option “Wrong 1c” deleted",
    ]


def test_a_version_reads_back_as_the_question_it_was(answered):
    with educator_change(answered):
        answered.stem = "Changed?"
        answered.save()
    first = answered.versions.get(number=1)

    shown = answered_question(with_content(answered), first)

    # Read back, it snapshots as itself: every part of the snapshot is where the templates look for it.
    assert question_snapshot(shown) == first.snapshot
    assert shown.is_earlier_version and shown.version == 1 and shown.pk == answered.pk
    assert shown.quiz == answered.quiz and shown.sources.all()[0].citation.startswith("Test Publisher")


def test_an_answer_records_the_version_it_was_given_to(answered, trainee, quiz):
    with educator_change(answered):
        answered.stem = "Changed?"
        answered.save()
    again = attempt_start(user=trainee, quiz=quiz)
    current = questions_of(quiz)[0]

    answer_submit(attempt=again, question=current, chosen=right_choices(current))

    assert sorted(Response.objects.filter(question=answered).values_list("question_version", flat=True)) == [1, 2]


def test_an_exam_answer_saved_again_after_a_change_is_to_the_new_version(trainee):
    quiz = make_quiz(questions=1, exam_minutes=10)
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)
    question = questions_of(quiz)[0]
    exam_answer_save(attempt=exam, question=question, chosen=wrong_choices(question)[:1])
    with educator_change(question):
        question.stem = "Changed?"
        question.save()

    assert Response.objects.get().question_version == 1
    exam_answer_save(attempt=exam, question=questions_of(quiz)[0], chosen=right_choices(question))
    assert Response.objects.get().question_version == 2


def test_recording_the_answer_costs_no_query_for_the_version(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    Question.objects.filter(pk=question.pk).update(version=4)  # as if changed since the questions were read

    with CaptureQueriesContext(connection) as queries:
        answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    # Copied from the question as loaded (tests/views/test_attempts.py counts the answer's queries).
    assert not any("quizzes_questionversion" in query["sql"] for query in queries.captured_queries)
    assert Response.objects.get().question_version == 1  # the version the trainee was shown


def test_a_problem_report_records_the_version_the_trainee_saw(answered, trainee, quiz):
    with educator_change(answered):
        answered.stem = "Changed?"
        answered.save()
    first_attempt = Attempt.objects.get()
    unanswered = questions_of(quiz)[1]
    Question.objects.filter(pk=unanswered.pk).update(version=3)

    on_answer = problem_report_create(
        reporter=trainee, attempt=first_attempt, question=questions_of(quiz)[0], reason="factual", note="Odd."
    )
    on_unanswered = problem_report_create(
        reporter=trainee, attempt=first_attempt, question=questions_of(quiz)[1], reason="unclear", note="Which?"
    )

    assert (on_answer.question_version, on_unanswered.question_version) == (1, 3)


def test_a_stale_copy_of_the_question_does_not_save_an_old_version_number_back(answered):
    stale = Question.objects.get(pk=answered.pk)  # an educator's page loaded before another's change
    with educator_change(answered):
        answered.stem = "First educator's wording?"
        answered.save()

    with educator_change(stale):
        stale.explanation = "Second educator's explanation."
        stale.save()

    stale.refresh_from_db()
    assert stale.version == 3
    assert list(stale.versions.values_list("number", flat=True)) == [3, 2, 1]


def test_restoring_a_version_brings_its_content_back_as_the_next_version(answered, trainee, quiz, educator):
    original = question_snapshot(with_content(answered))
    with educator_change(answered):
        answered.stem = "Changed?"
        answered.explanation = "Changed explanation."
        answered.save()
        answered.choices.filter(text="Right 1").update(is_correct=False)
        answered.choices.filter(text="Wrong 1b").update(is_correct=True, rationale="Now right.")
        Choice.objects.create(question=answered, text="Added and chosen", rationale="Why.", order=5)
        Choice.objects.create(question=answered, text="Added, never chosen", rationale="Why.", order=6)
    again = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=again, question=questions_of(quiz)[0], chosen=[answered.choices.get(text="Added and chosen")])

    restored = question_version_restore(version=answered.versions.get(number=1), restored_by=educator)

    assert (restored.number, restored.changed_by) == (3, educator)
    assert restored.summary.startswith("Restored version 1: stem; explanation; option “Right 1”: right or wrong")
    answered.refresh_from_db()
    assert answered.version == 3 and answered.stem == "Stem of question 1?"
    now = question_snapshot(with_content(answered))
    kept = [option for option in now["options"] if option["text"] == "Added and chosen"]
    assert kept and kept[0]["retired"], "an option trainees chose is retired, never deleted"
    assert not answered.choices.filter(text="Added, never chosen").exists()
    assert {key: value for key, value in now.items() if key != "options"} == {
        key: value for key, value in original.items() if key != "options"
    }
    assert [option for option in now["options"] if option["text"] != "Added and chosen"] == original["options"]


def test_restoring_the_version_the_question_is_at_records_nothing(answered, educator):
    with educator_change(answered):
        answered.stem = "Changed?"
        answered.save()

    assert question_version_restore(version=answered.versions.get(number=2), restored_by=educator) is None
    assert answered.versions.count() == 2


def test_a_replaced_image_is_kept_for_its_version_and_restored_with_it(
    trainee, educator, django_capture_on_commit_callbacks
):
    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz)
    take_quiz(trainee, quiz, [True])
    old_image = question.image.name
    storage = question.image.storage

    with django_capture_on_commit_callbacks(execute=True), educator_change(question):
        question_image_set(question=question, data=png_bytes((300, 300), "white"), name="new.png", alt="New alt")
        question_regions_set(
            question=question, regions=[{"shape": "ellipse", "geometry": {"cx": 0.2, "cy": 0.2, "rx": 0.1, "ry": 0.1}}]
        )

    assert storage.exists(old_image), "an image an earlier version names stays stored"
    assert question.versions.get(number=1).image.name == old_image
    with django_capture_on_commit_callbacks(execute=True):
        question_version_restore(version=question.versions.get(number=1), restored_by=educator)
    question.refresh_from_db()
    restored = with_content(question)
    assert storage.open(restored.image.name).read() == storage.open(old_image).read()
    assert (
        restored.thumbnail
        and question_snapshot(restored)["regions"] == question.versions.get(number=1).snapshot["regions"]
    )


def test_a_hotspot_version_whose_image_file_is_gone_is_not_restored(trainee, educator):
    quiz = make_quiz(questions=0)
    question = make_hotspot_question(quiz=quiz)
    take_quiz(trainee, quiz, [True])
    with committed(), educator_change(question):
        question_image_set(question=question, data=png_bytes((300, 300), "white"), name="new.png", alt="New alt")
    first = question.versions.get(number=1)
    first.image.storage.delete(first.image.name)

    with pytest.raises(VersionNotRestorable, match="image file is no longer stored"):
        question_version_restore(version=first, restored_by=educator)
    question.refresh_from_db()
    assert question.version == 2


def test_an_import_that_changes_an_answered_question_records_a_version(answered, quiz, educator, tmp_path):
    pack = gift_of(quiz)
    pack.questions[0].stem = "Reworded by the bank?"
    pack.questions[0].options.append(PackOption(text="Another option", correct=False, rationale="No."))

    quiz_packs_import(
        packs=[pack],
        images_dir=tmp_path,
        complete=False,
        change_by=ChangeBy(user=educator, via="Bank import of q.gift"),
    )

    version = answered.versions.get(number=2)
    assert version.changed_by == educator
    assert version.summary == "Bank import of q.gift: stem; option “Another option” added"
    assert answered.versions.get(number=1).snapshot["stem"] == "Stem of question 1?"
    # The other questions, unanswered, and any question the bank leaves as it was, have no versions.
    assert set(QuestionVersion.objects.values_list("question", flat=True)) == {answered.pk}


def test_reimporting_a_bank_unchanged_records_no_version(answered, quiz, tmp_path):
    quiz_packs_import(packs=[gift_of(quiz)], images_dir=tmp_path, complete=False)

    assert not QuestionVersion.objects.exists()


def test_a_duplicated_question_starts_at_version_1(answered):
    from quizzes.services.content import question_duplicate

    with educator_change(answered):
        answered.stem = "Changed?"
        answered.save()

    copy = question_duplicate(question=answered)

    assert copy.version == 1 and not copy.versions.exists()


def test_the_baseline_reads_nothing_more_for_an_unanswered_question(quiz):
    question = questions_of(quiz)[0]

    with CaptureQueriesContext(connection) as queries:
        before = question_version_baseline(question=question)

    # The question's version (under its row lock) and whether anyone answered it, in a savepoint.
    assert before is None and len(queries) == 4
    assert question_version_record(question=question, before=None, changed_by=None) is None


# --- Short answer and extended matching --------------------------------------------------------------


def kinds_quiz(trainee):
    """A quiz of a short answer (answered "metastases": half marks) and a matching question (answered with
    3 of 4 stems right), answered in a finished attempt."""
    from tests.factories import typed_and_matching_answered

    attempt, typed, matching = typed_and_matching_answered(trainee, typed="metastases", right=3)
    attempt_finish(attempt=attempt)
    return typed, matching


def test_accepted_answers_and_typing_rules_are_part_of_a_short_answers_versions(trainee):
    typed, _ = kinds_quiz(trainee)

    with educator_change(typed):
        typed.accepted_answers.filter(text="metastases").update(weight=1, feedback="Fine.")
        typed.forgive_typos = False
        typed.save()

    version = typed.versions.get(number=2)
    assert version.summary == "Typing slips forgiven; accepted answers"
    with educator_change(matching := questions_of(typed.quiz)[1]):
        matching.forgive_typos = False  # not a short answer: no version
        matching.save()
    assert not matching.versions.exists()
    earlier = answered_question(typed, typed.versions.get(number=1))
    assert [(a.text, str(a.weight)) for a in earlier.accepted_answers.all()][3] == ("metastases", "0.5000000")
    assert earlier.forgive_typos and not earlier.case_sensitive


def test_an_answer_to_a_short_answer_keeps_its_matched_answer_after_the_answer_is_deleted(trainee, client):
    from django.urls import reverse

    typed, _ = kinds_quiz(trainee)
    response = Response.objects.get(question=typed)
    with educator_change(typed):
        typed.accepted_answers.filter(text="metastases").delete()

    client.force_login(trainee)
    summary = client.get(reverse("attempt_summary", args=[response.attempt_id])).content.decode()

    response.refresh_from_db()
    assert response.matched_answer is None  # the row is gone; the version keeps what it matched
    assert "It matched the accepted answer <strong>“metastases”</strong>, worth 50% of the marks." in summary
    assert "Be specific about the pattern." in summary


def test_stems_are_part_of_a_matching_questions_versions_and_earlier_answers_are_marked_as_they_were(trainee):
    _, matching = kinds_quiz(trainee)
    first_stem = matching.match_stems.first()
    other = matching.choices.exclude(pk=first_stem.answer_id).first()

    with educator_change(matching):
        matching.match_stems.filter(pk=first_stem.pk).update(answer=other)

    assert matching.versions.get(number=2).summary == "Stems"
    earlier = answered_question(matching, matching.versions.get(number=1))
    assert earlier.match_stems.all()[0].answer_id == first_stem.answer_id


def test_restoring_brings_back_accepted_answers_and_stems(trainee, educator):
    typed, matching = kinds_quiz(trainee)
    typed_before = question_snapshot(typed)
    matching_before = question_snapshot(matching)
    first_stem = matching.match_stems.first()
    with educator_change(typed):
        typed.accepted_answers.filter(text="metastases").delete()
        typed.accepted_answers.create(text="secondaries", weight=1)
    with educator_change(matching):
        matching.match_stems.filter(pk=first_stem.pk).update(text="Changed", answer=matching.choices.last())

    question_version_restore(version=typed.versions.get(number=1), restored_by=educator)
    question_version_restore(version=matching.versions.get(number=1), restored_by=educator)

    typed_now, matching_now = (question_snapshot(Question.objects.get(pk=q.pk)) for q in (typed, matching))
    assert without_ids(typed_now["accepted_answers"]) == without_ids(typed_before["accepted_answers"])
    assert matching_now["stems"] == matching_before["stems"]


def without_ids(rows):
    """Snapshot rows without their ids: one deleted and restored is created again with a new id."""
    return [{name: value for name, value in row.items() if name != "id"} for row in rows]


def test_a_version_without_a_stem_trainees_answered_since_is_not_restored(trainee, educator):
    _, matching = kinds_quiz(trainee)
    with educator_change(matching):
        added = matching.match_stems.create(text="Added", answer=matching.choices.first(), order=9)
    again = attempt_start(user=trainee, quiz=matching.quiz)
    typed, matching_now = questions_of(matching.quiz)
    answer_submit(attempt=again, question=typed, typed="metastases")
    answer_submit(attempt=again, question=matching_now, matches={added.pk: added.answer_id})

    with pytest.raises(VersionNotRestorable, match="Trainees have answered a stem that version 1 does not have"):
        question_version_restore(version=matching.versions.get(number=1), restored_by=educator)
    assert matching.match_stems.filter(pk=added.pk).exists()
