"""Question versions: recording a new one when an educator changes what trainees see, restoring an old one.

Versions begin with the first change after a trainee answered a question: nothing before then needs
keeping, since no answer can have meant anything else, and numbering from that change keeps version 1
the state trainees first answered. That change records the answered state as version 1 (taken just
before the change) and the changed state as version 2; from then on every change trainees would see
is the next version. Changes they would not see (option order, key, tags, status) make none.

Every path that changes a question's content calls question_version_baseline before and
question_version_record after, in one transaction: the admin's question page and the quiz page's
question rows, bank imports and the bundled content, and restoring.
"""

from pathlib import PurePosixPath

from django.db import transaction
from django.utils import timezone

from quizzes.models import (
    AcceptedAnswer,
    Choice,
    MatchStem,
    Question,
    QuestionVersion,
    Response,
    ResponseMatch,
    Source,
    User,
)
from quizzes.services.questions import options_withdraw, question_image_set, question_regions_set, stored_bytes
from quizzes.versions import FIELD_DEFAULTS, question_snapshot, snapshot_changes

FIRST_VERSION_SUMMARY = "As trainees answered it before its first recorded change."
RESTORED_FIELDS = [
    "kind",
    "stage",
    "stem",
    "image_alt",
    "allow_no_abnormality",
    "case_sensitive",
    "forgive_typos",
    "explanation",
    "learning_point",
]


class VersionNotRestorable(Exception):
    """The version cannot be restored; the message says why."""


def question_with_content(question_id: int) -> Question:
    return Question.objects.prefetch_related("choices", "regions", "accepted_answers", "match_stems", "sources").get(
        pk=question_id
    )


@transaction.atomic
def question_version_baseline(*, question: Question) -> dict | None:
    """Before a change to `question`: its snapshot as saved now when the change may need a version
    (trainees answered it, or it has versions already), else None.

    Locks the question's row for the caller's transaction, so that two educators' changes are
    versioned one after the other, and brings `question.version` up to date: an instance loaded before
    someone else's change would otherwise save the old number back.
    """
    if question.pk is None:
        return None
    question.version = (
        Question.objects.select_for_update(of=("self",)).values_list("version", flat=True).get(pk=question.pk)
    )
    if question.version == 1 and not Response.objects.filter(question=question).exists():
        return None
    return question_snapshot(question_with_content(question.pk))


@transaction.atomic
def question_version_record(
    *, question: Question, before: dict | None, changed_by: User | None, via: str = ""
) -> QuestionVersion | None:
    """After a change to `question`: when `before` (question_version_baseline's) is a snapshot and
    trainees would see a difference, record the question as saved now as its next version, and count
    its version up. `before` is recorded first as the current version if that is not recorded yet.

    `via` says how the change came, for the history ("Bank import of bank.gift"); the summary adds what
    changed. Returns the new version, or None when there was nothing to record.
    """
    if before is None:
        return None
    after = question_snapshot(question_with_content(question.pk))
    changes = snapshot_changes(before, after)
    if not changes:
        return None
    now = timezone.now()
    if not QuestionVersion.objects.filter(question=question, number=question.version).exists():
        QuestionVersion.objects.create(
            question=question,
            number=question.version,
            snapshot=before,
            image=before["image"],
            changed_at=now,
            summary=FIRST_VERSION_SUMMARY if question.version == 1 else "",
        )
    summary = "; ".join(changes)
    version = QuestionVersion.objects.create(
        question=question,
        number=question.version + 1,
        snapshot=after,
        image=after["image"],
        changed_by=changed_by,
        changed_at=now,
        summary=f"{via}: {summary}" if via else summary[:1].upper() + summary[1:],
    )
    Question.objects.filter(pk=question.pk).update(version=version.number)
    question.version = version.number
    return version


@transaction.atomic
def question_version_restore(*, version: QuestionVersion, restored_by: User) -> QuestionVersion | None:
    """Make the question again as `version` was, recorded as its next version (history is never
    rewritten). Returns that version, or None when the question is already as `version` was.

    Options are matched by id: each gets back its text, rightness, weight, rationale, order and retired
    flag (one deleted since is created again); one added since is deleted, or retired if trainees chose
    it. Regions and sources are set as they were (a source deleted since stays off), and the image too:
    its file is kept for as long as a version names it. Raises VersionNotRestorable, changing nothing,
    when a hotspot version's image file is gone.
    """
    question = Question.objects.get(pk=version.question_id)
    before = question_version_baseline(question=question)
    snapshot = version.snapshot
    stems = snapshot.get("stems", [])
    if ResponseMatch.objects.filter(stem__question=question).exclude(stem__in=[stem["id"] for stem in stems]).exists():
        raise VersionNotRestorable(
            f"Trainees have answered a stem that version {version.number} does not have: a stem keeps the answers "
            "given to it, so it cannot be taken off."
        )
    image_data = None
    if snapshot["image"] and snapshot["image"] != question.image.name:
        image_data = stored_bytes(version.image)
        if image_data is None and snapshot["kind"] == Question.Kind.HOTSPOT:
            raise VersionNotRestorable(
                f"Version {version.number} is a hotspot question whose image file is no longer stored."
            )
    if image_data is not None:
        question_image_set(
            question=question, data=image_data, name=PurePosixPath(snapshot["image"]).name, alt=snapshot["image_alt"]
        )
    alt = question.image_alt
    for name in RESTORED_FIELDS:
        setattr(question, name, snapshot.get(name, FIELD_DEFAULTS.get(name)))
    # The image comes before the kind and goes after it, with its alt text: the database holds every
    # hotspot question to having an image, and every image to having alt text.
    if not snapshot["image"] and question.image:
        question.image_alt = alt
    question.save(update_fields=RESTORED_FIELDS)
    if not snapshot["image"] and question.image:
        question_image_set(question=question, data=None)
    question_regions_set(question=question, regions=snapshot["regions"])
    question.sources.set(Source.objects.filter(pk__in=[source["id"] for source in snapshot["sources"]]))
    option_ids = options_restore(question=question, options=snapshot["options"])
    accepted_answers_restore(question=question, answers=snapshot.get("accepted_answers", []))
    stems_restore(question=question, stems=stems, option_ids=option_ids)
    # Last: until the stems are restored, an option the version lacks may still answer one.
    options_withdraw(options=question.choices.exclude(pk__in=option_ids.values()))
    return question_version_record(
        question=question, before=before, changed_by=restored_by, via=f"Restored version {version.number}"
    )


def rows_restore(model, *, question: Question, rows: list[tuple[int, dict]]) -> dict[int, int]:
    """Each of the question's (snapshot id, fields) rows of `model` as it was: changed back where it still
    is, or created again (with a new id). Returns {snapshot id: id now}; rows the version lacks are left."""
    ids = {}
    for row_id, fields in rows:
        if model.objects.filter(pk=row_id, question=question).update(**fields):
            ids[row_id] = row_id
        else:
            ids[row_id] = model.objects.create(question=question, **fields).pk
    return ids


def options_restore(*, question: Question, options: list[dict]) -> dict[int, int]:
    """The options as they were ({snapshot id: id now}); those the version lacks are left for the caller to
    withdraw."""
    names = ("text", "is_correct", "weight", "rationale", "retired", "order")
    return rows_restore(
        Choice, question=question, rows=[(option["id"], {name: option[name] for name in names}) for option in options]
    )


def accepted_answers_restore(*, question: Question, answers: list[dict]) -> None:
    """The accepted answers as they were (answers matched to one deleted since keep their marks)."""
    names = ("text", "weight", "feedback", "order")
    kept = rows_restore(
        AcceptedAnswer, question=question, rows=[(each["id"], {name: each[name] for name in names}) for each in answers]
    )
    question.accepted_answers.exclude(pk__in=kept.values()).delete()


def stems_restore(*, question: Question, stems: list[dict], option_ids: dict[int, int]) -> None:
    """The matching stems as they were, each answered by its option as restored. Only stems no trainee
    answered are taken off (question_version_restore refuses a version that would need more)."""
    rows = [
        (
            stem["id"],
            {
                "text": stem["text"],
                "image": stem["image"],
                "image_alt": stem["image_alt"],
                "answer_id": option_ids.get(stem["answer"], stem["answer"]),
                "order": stem["order"],
            },
        )
        for stem in stems
    ]
    kept = rows_restore(MatchStem, question=question, rows=rows)
    question.match_stems.exclude(pk__in=kept.values()).delete()
