"""Question versions: a question's content as one snapshot, and a snapshot read back as a question.

A snapshot is the question as trainees saw it and as scoring used it: kind, stage, stem, image and its
alt text, "No abnormality" offered or not, whether a typed answer minds capitals and forgives slips, the
options (id, text, right or not, weight, rationale, retired, order), the hotspot regions with their
feedback, a short answer's accepted answers (id, text, weight, feedback, order), a matching question's
stems (id, text, image and its alt text, the option answering it, order), the explanation, the learning
point and the sources. question_snapshot writes one, answered_question reads one back and snapshot_changes names
the differences between two; nothing else looks inside a snapshot.

A new part of a question goes in all three, read back with a default (`snapshot.get(name, [])`):
snapshots recorded before the part existed lack it (as those before issue 18 lack accepted answers and stems).
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from quizzes.models import (
    AcceptedAnswer,
    Choice,
    HotspotRegion,
    MatchStem,
    Question,
    QuestionVersion,
    Response,
    Source,
)
from quizzes.rich_text import html_rendered

# The question's own fields in a snapshot, with the names snapshot_changes gives them.
QUESTION_FIELDS = {
    "kind": "kind",
    "stage": "stage",
    "stem": "stem",
    "image": "image",
    "image_alt": "image alt text",
    "allow_no_abnormality": "“No abnormality” offered",
    "case_sensitive": "capitals count",
    "forgive_typos": "typing slips forgiven",
    "explanation": "explanation",
    "learning_point": "learning point",
}
SHORT_ANSWER_FIELDS = ("case_sensitive", "forgive_typos")
# What a snapshot without a field (recorded before it existed, or of a kind without it) stands for.
FIELD_DEFAULTS = {"allow_no_abnormality": False, "case_sensitive": False, "forgive_typos": True}
OPTION_FIELDS = {
    "text": "text",
    "is_correct": "right or wrong",
    "weight": "weight",
    "rationale": "rationale",
    "retired": "retired",
}
SOURCE_FIELDS = ("key", "title", "publisher", "published_on", "url", "doi")
QUOTED_OPTION_LENGTH = 60


def question_snapshot(question: Question) -> dict:
    """The question's content as JSON-ready data. Needs its choices, regions, accepted answers, matching
    stems and sources prefetched."""
    snapshot = {name: getattr(question, name) for name in QUESTION_FIELDS if name not in SHORT_ANSWER_FIELDS}
    if question.is_short_answer:
        # Only a typed answer minds them: another kind's (unseen) values are no change to it.
        snapshot |= {name: getattr(question, name) for name in SHORT_ANSWER_FIELDS}
    snapshot["image"] = question.image.name or ""
    snapshot["options"] = [
        {
            "id": choice.pk,
            "text": choice.text,
            "is_correct": choice.is_correct,
            "weight": None if choice.weight is None else str(choice.weight),
            "rationale": choice.rationale,
            "retired": choice.retired,
            "order": choice.order,
        }
        for choice in sorted(question.choices.all(), key=lambda choice: (choice.order, choice.pk))
    ]
    snapshot["regions"] = [
        {"shape": region.shape, "geometry": region.geometry, "feedback": region.feedback}
        for region in sorted(question.regions.all(), key=lambda region: (region.order, region.pk))
    ]
    snapshot["accepted_answers"] = [
        {"id": each.pk, "text": each.text, "weight": str(each.weight), "feedback": each.feedback, "order": each.order}
        for each in sorted(question.accepted_answers.all(), key=lambda each: (each.order, each.pk))
    ]
    snapshot["stems"] = [
        {
            "id": stem.pk,
            "text": stem.text,
            "image": stem.image.name or "",
            "image_alt": stem.image_alt,
            "answer": stem.answer_id,
            "order": stem.order,
        }
        for stem in sorted(question.match_stems.all(), key=lambda stem: (stem.order, stem.pk))
    ]
    snapshot["sources"] = [
        {"id": source.pk, **{name: getattr(source, name) for name in SOURCE_FIELDS}}
        | {"published_on": source.published_on.isoformat() if source.published_on else None}
        for source in sorted(question.sources.all(), key=lambda source: source.pk)
    ]
    return snapshot


def snapshot_changes(before: Mapping, after: Mapping) -> list[str]:
    """What differs from `before` to `after`, in words; empty when trainees would see no difference.

    Option order alone is no difference: trainees see options shuffled (quizzes/options.py).
    """
    changes = [label for name, label in QUESTION_FIELDS.items() if before.get(name) != after.get(name)]
    old_options = {option["id"]: option for option in before.get("options", [])}
    for option in after.get("options", []):
        old = old_options.pop(option["id"], None)
        if old is None:
            changes.append(f"option {quoted(option['text'])} added")
            continue
        changed = [label for name, label in OPTION_FIELDS.items() if old.get(name) != option.get(name)]
        if changed:
            changes.append(f"option {quoted(option['text'])}: {', '.join(changed)}")
    changes += [f"option {quoted(option['text'])} deleted" for option in old_options.values()]
    if before.get("regions", []) != after.get("regions", []):
        changes.append("target regions")
    if before.get("accepted_answers", []) != after.get("accepted_answers", []):
        changes.append("accepted answers")
    if before.get("stems", []) != after.get("stems", []):
        changes.append("stems")
    if [source["id"] for source in before.get("sources", [])] != [source["id"] for source in after.get("sources", [])]:
        changes.append("sources")
    return changes


def quoted(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= QUOTED_OPTION_LENGTH else text[: QUOTED_OPTION_LENGTH - 1] + '…'}”"


def answered_question(question: Question, version: QuestionVersion) -> Question:
    """`question` as it was in `version`: the live question's identity (pk, quiz, author, key, order,
    status and its `position` in an attempt) with the version's content.

    An unsaved Question, never to be saved, whose options, regions and sources sit where
    prefetch_related puts them, so templates, quizzes/options.py and the hotspot template tags read it
    exactly as they read the live question. Its options keep their ids, so a response's chosen
    options (which are never deleted, only retired) are found among them. Its rich text is rendered
    here, as saving renders a live question's (a snapshot holds the Markdown alone): pages showing an
    earlier version are the only ones that render Markdown on a request.
    """
    snapshot = version.snapshot
    answered = html_rendered(
        Question(
            pk=question.pk,
            quiz_id=question.quiz_id,
            key=question.key,
            idnumber=question.idnumber,
            order=question.order,
            status=question.status,
            version=version.number,
            **{name: snapshot.get(name, FIELD_DEFAULTS.get(name, "")) for name in QUESTION_FIELDS},
        )
    )
    # The author is who wrote the question, not its content: the citation of a version citing no source.
    answered.author_id = question.author_id
    for relation in (Question.quiz, Question.author):
        if relation.is_cached(question):
            relation.__set__(answered, relation.__get__(question))
    if hasattr(question, "position"):
        answered.position = question.position
    answered.is_earlier_version = version.number != question.version
    answered._prefetched_objects_cache = {
        "choices": [
            html_rendered(
                Choice(
                    pk=option["id"],
                    question_id=question.pk,
                    text=option["text"],
                    is_correct=option["is_correct"],
                    weight=None if option.get("weight") is None else Decimal(option["weight"]),
                    rationale=option["rationale"],
                    retired=option.get("retired", False),
                    order=option.get("order", 0),
                )
            )
            for option in snapshot.get("options", [])
        ],
        "regions": [
            html_rendered(HotspotRegion(question_id=question.pk, order=order, **region))
            for order, region in enumerate(snapshot.get("regions", []))
        ],
        "accepted_answers": [
            html_rendered(
                AcceptedAnswer(
                    pk=each["id"],
                    question_id=question.pk,
                    text=each["text"],
                    weight=Decimal(each["weight"]),
                    feedback=each["feedback"],
                    order=each["order"],
                )
            )
            for each in snapshot.get("accepted_answers", [])
        ],
        "match_stems": [
            html_rendered(
                MatchStem(
                    pk=stem["id"],
                    question_id=question.pk,
                    text=stem["text"],
                    image=stem["image"],
                    image_alt=stem["image_alt"],
                    answer_id=stem["answer"],
                    order=stem["order"],
                )
            )
            for stem in snapshot.get("stems", [])
        ],
        "sources": [
            Source(
                pk=source["id"],
                **{name: source.get(name, "") for name in SOURCE_FIELDS if name != "published_on"},
                published_on=datetime.date.fromisoformat(source["published_on"])
                if source.get("published_on")
                else None,
            )
            for source in snapshot.get("sources", [])
        ],
    }
    return answered


def questions_as_answered(questions: Iterable[Question], responses: Mapping[int, Response]) -> list[Question]:
    """Each question as its response (`responses` by question id) was given to: the live question when
    the answer is to its current version or there is none, else that version read back. One query
    fetches every version needed; none is made when every answer is to the current version."""
    questions = list(questions)
    earlier = {
        (question.pk, responses[question.pk].question_version)
        for question in questions
        if question.pk in responses and responses[question.pk].question_version != question.version
    }
    versions = {(version.question_id, version.number): version for version in QuestionVersion.objects.numbered(earlier)}
    shown = []
    for question in questions:
        response = responses.get(question.pk)
        version = versions.get((question.pk, response.question_version)) if response else None
        shown.append(answered_question(question, version) if version else question)
    return shown


def question_as_answered(question: Question, response: Response | None) -> Question:
    """The question as `response` was given to (questions_as_answered for one question)."""
    return questions_as_answered([question], {question.pk: response} if response else {})[0]
