"""Saving parsed question banks: create or update topics, sources, quizzes, questions, options, tags.

Importing into a quiz that exists is safe to repeat (issue 13's re-import, issue 16's answer history):
- a question of the file is matched to the quiz's by ID number, else key, else stem; it is updated in
  place, or added when nothing matches;
- a question the file no longer holds is removed only if no trainee answered it; one that trainees
  answered is withdrawn (kept as a draft: hidden from new attempts, its answers and scores intact), and
  none is touched because its format cannot hold it (hotspot questions in Moodle XML and GIFT);
- options are matched by text, never by position, so a recorded answer keeps the option it chose; an
  option the file no longer holds is removed if nobody chose it, else retired (no longer offered);
- a short-answer question's accepted answers are matched by text (a response keeps the accepted answer
  it matched while the answer stays); a matching question's stems by text, then the rest by position,
  so a reworded vignette stays the same stem; a stem the file no longer holds is removed unless trainees
  answered it, when it is kept and the question becomes a draft for an educator to settle;
- a format that holds questions only (Moodle XML, GIFT: `complete=False`) changes nothing the file
  does not carry: the quiz's kind, status, title, description and order, and each question's stage,
  image, sources, learning point and hotspot regions stay as they are when the file leaves them out;
- a question left unfinished is saved as a draft (hidden from trainees until an educator finishes and
  publishes it): no explanation; an option without its rationale (a matching question's options need
  none); an accepted answer earning less than full marks without feedback; a matching question with no
  more options than stems and no reason given;
- a change to a question trainees answered is recorded as its next version (quizzes/services/versions.py),
  so their answers keep showing what they answered.

quiz_pack_plan says all this before anything is saved (the dry run); quiz_pack_save does it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.text import slugify

from quizzes.bank.quizpack import MATCHING, SHORT_ANSWER, PackAnswer, PackMatchStem, PackOption, PackQuestion, PackQuiz
from quizzes.models import (
    AcceptedAnswer,
    Choice,
    HotspotRegion,
    MatchStem,
    Question,
    Quiz,
    Response,
    ResponseMatch,
    Source,
    Tag,
    Topic,
    User,
)
from quizzes.services.questions import (
    match_stem_image_set,
    options_withdraw,
    question_image_set,
    question_regions_set,
)
from quizzes.services.versions import question_version_baseline, question_version_record

# Kinds that Moodle XML and GIFT cannot hold: such questions are never removed by importing those.
KINDS_ONLY_IN_COMPLETE_FORMATS = {Question.Kind.HOTSPOT}
# Alt text given to an embedded image that its bank file does not describe (the question stays a draft).
UNDESCRIBED_IMAGE_ALT = "Image from the bank file, not yet described"
STEM_EXCERPT = 80
WITHDRAWN_BECAUSE_ANSWERED = "trainees answered it: kept as a draft, hidden from new attempts"


@dataclass
class QuestionPlan:
    """What importing one question of a file does: the quiz's question it updates (None: it is added)."""

    item: PackQuestion
    question: Question | None
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.question is None:
            return "added"
        return "updated" if self.changes else "unchanged"


@dataclass
class QuizPlan:
    pack: PackQuiz
    complete: bool
    quiz: Quiz | None
    questions: list[QuestionPlan]
    # The quiz's questions that the file no longer holds: kept (with why), withdrawn or removed.
    kept: list[tuple[Question, str]] = field(default_factory=list)
    withdrawn: list[Question] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeBy:
    """Who makes an import's changes and how, for the history of every question it changes."""

    user: User | None = None
    via: str = "Bundled content"


@transaction.atomic
def quiz_packs_save(*, packs: list[PackQuiz], images_dir: Path, complete: bool = True) -> list[Quiz]:
    """Save every pack or, if any fails, none. Saving the same packs again changes nothing."""
    return [quiz_pack_save(pack=pack, images_dir=images_dir, complete=complete) for pack in packs]


@transaction.atomic
def quiz_packs_import(
    *, packs: list[PackQuiz], images_dir: Path, complete: bool, change_by: ChangeBy = ChangeBy()
) -> list[dict]:
    """Save every pack or, if any fails, none; for each, quiz_report's account of what was done, with
    the warnings found while saving (an embedded image refused)."""
    reports = []
    for pack in packs:
        warnings: list[str] = []
        plan = quiz_pack_plan(pack=pack, complete=complete)
        quiz = plan_save(plan=plan, images_dir=images_dir, warnings=warnings, change_by=change_by)
        reports.append(quiz_report(plan) | {"quiz_id": quiz.pk, "import_warnings": warnings})
    return reports


def quiz_pack_save(*, pack: PackQuiz, images_dir: Path, complete: bool = True) -> Quiz:
    with transaction.atomic():
        plan = quiz_pack_plan(pack=pack, complete=complete)
        return plan_save(plan=plan, images_dir=images_dir, warnings=[], change_by=ChangeBy())


# --- Planning: what an import will do, read from the database without changing it ------------------


def quiz_pack_plan(*, pack: PackQuiz, complete: bool) -> QuizPlan:
    quiz = Quiz.objects.filter(slug=pack.slug).first()
    if quiz is None:
        return QuizPlan(pack, complete, None, [QuestionPlan(item, None) for item in pack.questions])
    existing = list(
        quiz.questions.prefetch_related("choices", "tags", "sources", "accepted_answers", "match_stems__answer")
    )
    matches = questions_matched(existing, pack.questions)
    plans = [
        QuestionPlan(item, question, question_changes(question, item, complete) if question else [])
        for item, question in zip(pack.questions, matches, strict=True)
    ]
    matched_ids = {question.pk for question in matches if question is not None}
    unmatched = [question for question in existing if question.pk not in matched_ids]
    answered = set(Response.objects.filter(question__in=unmatched).values_list("question_id", flat=True).distinct())
    plan = QuizPlan(pack, complete, quiz, plans)
    for question in unmatched:
        if question.pk in answered:
            plan.kept.append((question, WITHDRAWN_BECAUSE_ANSWERED))
            plan.withdrawn.append(question)
        elif not complete and question.kind in KINDS_ONLY_IN_COMPLETE_FORMATS:
            plan.kept.append((question, f"{question.get_kind_display().lower()} questions are not in this format"))
        else:
            plan.removed.append(question)
    return plan


def questions_matched(existing: list[Question], items: list[PackQuestion]) -> list[Question | None]:
    """For each item, the existing question it is (by ID number, else key, else stem), each used once."""
    by_idnumber = {question.idnumber: question for question in existing if question.idnumber}
    by_key = {question.key: question for question in existing}
    by_stem: dict[str, Question] = {}
    for question in existing:
        by_stem.setdefault(normalised(question.stem), question)
    used: set[int] = set()
    matches: list[Question | None] = []
    for item in items:
        candidates = [
            by_idnumber.get(item.idnumber) if item.idnumber else None,
            by_key.get(item.key),
            by_stem.get(normalised(item.stem)),
        ]
        match = next((c for c in candidates if c is not None and c.pk not in used), None)
        if match is not None:
            used.add(match.pk)
        matches.append(match)
    return matches


def normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def question_changes(question: Question, item: PackQuestion, complete: bool) -> list[str]:
    """The names of what importing `item` over `question` changes (empty: nothing)."""
    values = question_values(item, complete, current=question)
    changes = [name.replace("_", " ") for name, value in values.items() if getattr(question, name) != value]
    if item.kind != question.kind:
        changes.append("kind")
    current_options = [(c.text, c.is_correct, c.weight, c.rationale) for c in question.choices.all() if not c.retired]
    if current_options != planned_options(question, item):
        changes.append("options")
    current_answers = [(a.text, a.weight, a.feedback) for a in question.accepted_answers.all()]
    if current_answers != planned_answers(question, item):
        changes.append("accepted answers")
    current_stems = [(stem.text, stem.answer.text, stem.image_alt) for stem in question.match_stems.all()]
    if current_stems != planned_stems(question, item, complete):
        changes.append("matching stems")
    if (item.tags or complete) and sorted(t.name.casefold() for t in question.tags.all()) != sorted(
        {tag.strip().casefold() for tag in item.tags if tag.strip()}
    ):
        changes.append("tags")
    if item.image_data is not None and not question.image:
        changes.append("image")
    if complete and sorted(source.key for source in question.sources.all()) != sorted(item.sources):
        changes.append("sources")
    return changes


def planned_options(question: Question | None, item: PackQuestion) -> list[tuple]:
    """The item's options as options_save will save them over `question`'s (matched by text)."""
    current = {c.text.strip(): c for c in question.choices.all()} if question is not None else {}
    return [option_values(option, current=current.get(option.text.strip())) for option in item.options]


def planned_answers(question: Question | None, item: PackQuestion) -> list[tuple]:
    """The item's accepted answers as accepted_answers_save will save them over `question`'s (matched by text)."""
    current = {a.text.strip(): a for a in question.accepted_answers.all()} if question is not None else {}
    return [answer_values(answer, current=current.get(answer.text.strip())) for answer in item.accepted_answers]


def planned_stems(question: Question | None, item: PackQuestion, complete: bool) -> list[tuple]:
    """The item's matching stems as match_stems_save will save them: (text, its option's text, alt text)."""
    existing = list(question.match_stems.all()) if question is not None else []
    return [
        (stem.text, item.options[stem.answer].text, stem_alt(stem, current, complete))
        for stem, current in zip(item.match_stems, stems_matched(existing, item.match_stems), strict=True)
    ]


def question_values(item: PackQuestion, complete: bool, *, current: Question | None) -> dict:
    """The question's fields as the import saves them: what the file carries, and for a format that
    holds questions only, the current value of anything the file leaves out (a None switch is one the
    format cannot say: a new question takes the site's default)."""

    def carried(name: str, value):
        if complete or current is None or value:
            return value
        return getattr(current, name)

    def switch(name: str, value: bool | None) -> bool:
        if value is not None:
            return value
        return getattr(current, name) if current is not None else Question._meta.get_field(name).db_default

    values = {
        "stem": item.stem if complete or current is None else stem_without_stage(item.stem, current.stage),
        "stage": carried("stage", item.stage),
        "explanation": carried("explanation", item.explanation),
        "learning_point": carried("learning_point", item.learning_point),
        "idnumber": carried("idnumber", item.idnumber),
        "fewer_options_reason": carried("fewer_options_reason", item.fewer_options_reason),
        "case_sensitive": switch("case_sensitive", item.case_sensitive),
        "forgive_typos": switch("forgive_typos", item.forgive_typos),
    }
    if complete or current is None:
        values["allow_no_abnormality"] = item.allow_no_abnormality
    return values


def stem_without_stage(stem: str, stage: str) -> str:
    """Moodle XML and GIFT have no stage, so their writers put a case question's stage before its stem:
    importing it back over the question takes it off again (the question keeps its stage)."""
    stem, stage = stem.strip(), stage.strip()
    if stage and stem.startswith(stage):
        return stem[len(stage) :].strip()
    return stem


def option_values(option: PackOption, *, current: Choice | None) -> tuple:
    """(text, is_correct, weight, rationale): a weight within the database's range and precision; an
    option's rationale the file leaves out stays as it was."""
    weight = option.weight
    if weight is not None:
        weight = min(max(Decimal(weight), Decimal(-1)), Decimal(1)).quantize(Decimal("0.0000001"))
    rationale = option.rationale or (current.rationale if current is not None else "")
    return (option.text, option.correct, weight, rationale)


def answer_values(answer: PackAnswer, *, current: AcceptedAnswer | None) -> tuple:
    """(text, weight, feedback): a weight within the database's range and precision; feedback the file
    leaves out stays as it was."""
    weight = min(max(Decimal(answer.weight), Decimal(0)), Decimal(1)).quantize(Decimal("0.0000001"))
    return (answer.text.strip(), weight, answer.feedback or (current.feedback if current is not None else ""))


def stem_alt(stem: PackMatchStem, current: MatchStem | None, complete: bool) -> str:
    """A stem's image alt text as saved: the file's with its image; else, for a format that holds no
    stem image (GIFT), the current one's."""
    if stem.image_file or stem.image_data is not None:
        return stem.image_alt.strip() or UNDESCRIBED_IMAGE_ALT
    return current.image_alt if current is not None and current.image and not complete else ""


def unfinished(*, kind: str, values: dict, options: list[tuple], answers: list[tuple], stem_alts: list[str]) -> bool:
    """Whether the question must wait as a draft for an educator to finish it (see the module's docstring);
    `stem_alts` are its matching stems' image alt texts ("" without an image)."""
    if not values["explanation"].strip():
        return True
    if kind == SHORT_ANSWER:
        return any(weight < 1 and not feedback.strip() for _text, weight, feedback in answers)
    if kind == MATCHING:
        fewer_options = len(options) <= len(stem_alts) and not values["fewer_options_reason"].strip()
        return fewer_options or UNDESCRIBED_IMAGE_ALT in stem_alts
    return any(not rationale.strip() for *_rest, rationale in options)


# --- Saving ------------------------------------------------------------------------------------------


def plan_save(*, plan: QuizPlan, images_dir: Path, warnings: list[str], change_by: ChangeBy) -> Quiz:
    pack = plan.pack
    topic = Topic.objects.filter(name=pack.topic).first() or Topic.objects.create(
        name=pack.topic, slug=unused_slug(Topic.objects.all(), slugify(pack.topic) or "topic")
    )
    sources = {}
    for source in pack.sources:
        sources[source.key], _ = Source.objects.update_or_create(
            key=source.key,
            defaults={
                "title": source.title,
                "publisher": source.publisher,
                "published_on": source.published_on,
                "url": source.url,
                "doi": source.doi,
            },
        )
    quiz_fields = {
        "title": pack.title,
        "description": pack.description,
        "topic": topic,
        "kind": pack.kind,
        "status": pack.status,
        "order": pack.order,
        "exam_minutes": pack.exam_minutes,
    }
    if plan.quiz is None:
        quiz = Quiz.objects.create(slug=pack.slug, **quiz_fields)
    else:
        quiz = plan.quiz
        if plan.complete:
            Quiz.objects.filter(pk=quiz.pk).update(**quiz_fields)
            quiz.refresh_from_db()
    Question.objects.filter(pk__in=[question.pk for question in plan.removed]).delete()
    Question.objects.filter(pk__in=[question.pk for question in plan.withdrawn]).update(status=Question.Status.DRAFT)
    taken_keys = set(quiz.questions.values_list("key", flat=True))
    taken_idnumbers = set(quiz.questions.exclude(idnumber="").values_list("idnumber", flat=True))
    for order, question_plan in enumerate(plan.questions, start=1):
        question_save(
            quiz=quiz,
            plan=question_plan,
            order=order,
            complete=plan.complete,
            sources=[sources[key] for key in question_plan.item.sources if key in sources],
            images_dir=images_dir,
            taken_keys=taken_keys,
            taken_idnumbers=taken_idnumbers,
            warnings=warnings,
            change_by=change_by,
        )
    return quiz


def question_save(
    *,
    quiz: Quiz,
    plan: QuestionPlan,
    order: int,
    complete: bool,
    sources: list[Source],
    images_dir: Path,
    taken_keys: set[str],
    taken_idnumbers: set[str],
    warnings: list[str],
    change_by: ChangeBy,
) -> Question:
    item, question = plan.item, plan.question
    before = question_version_baseline(question=question) if question is not None else None
    values = question_values(item, complete, current=question)
    if question is not None:
        taken_idnumbers.discard(question.idnumber)
    if values["idnumber"] in taken_idnumbers:
        warnings.append(f"Question {item.key!r}: its ID number {values['idnumber']!r} is another question's; not kept.")
        values["idnumber"] = ""
    if values["idnumber"]:
        taken_idnumbers.add(values["idnumber"])
    if question is None:
        # The key identifies the question within its quiz: a taken one gets a free variant.
        key = item.key if item.key not in taken_keys else unused_key(quiz.questions.all(), item.key)
        taken_keys.add(key)
        # The database refuses a hotspot question without its image, so a new one starts as a plain
        # question and becomes a hotspot question once its image is stored.
        question = Question.objects.create(
            quiz=quiz, key=key, order=order, kind=Question.Kind.SINGLE, status=Question.Status.PUBLISHED, **values
        )
    else:
        Question.objects.filter(pk=question.pk).update(order=order, **values)
        question.refresh_from_db()
    question_image_import(
        question=question, item=item, complete=complete, images_dir=images_dir, slug=quiz.slug, warnings=warnings
    )
    if item.kind != question.kind:
        question.kind = item.kind
        question.save(update_fields=["kind"])
    if complete or not question.regions.exists():
        question_regions_set(
            question=question,
            regions=[{"shape": r.shape, "geometry": r.geometry, "feedback": r.feedback} for r in item.regions],
        )
    if complete or not question.sources.exists():
        question.sources.set(sources)
    if complete or item.tags:
        question.tags.set(tags_for(item.tags))
    choices = options_save(question=question, options=item.options)
    stems, stems_kept = match_stems_save(
        question=question,
        stems=item.match_stems,
        choices=choices,
        complete=complete,
        images_dir=images_dir,
        slug=quiz.slug,
        warnings=warnings,
    )
    options_withdraw(options=question.choices.exclude(pk__in=[choice.pk for choice in choices]))
    answers = accepted_answers_save(question=question, answers=item.accepted_answers)
    options = [(c.text, c.is_correct, c.weight, c.rationale) for c in choices]
    left_unfinished = unfinished(
        kind=item.kind, values=values, options=options, answers=answers, stem_alts=[s.image_alt for s in stems]
    )
    if (left_unfinished or stems_kept) and not question.is_draft:
        # Trainees see no question until it is finished (see the module's docstring).
        question.status = Question.Status.DRAFT
        question.save(update_fields=["status"])
    question_version_record(question=question, before=before, changed_by=change_by.user, via=change_by.via)
    return question


def question_image_import(
    *, question: Question, item: PackQuestion, complete: bool, images_dir: Path, slug: str, warnings: list[str]
) -> None:
    """The item's image (a quiz pack's file, or one embedded in the bank file) through the same checks
    and re-encoding as an upload. A refused embedded image is a warning; the question imports without it."""
    if item.image_data is not None:
        alt = item.image_alt.strip()
        try:
            question_image_set(
                question=question, data=item.image_data, name="image.png", alt=alt or UNDESCRIBED_IMAGE_ALT
            )
        except ValidationError as refused:
            warnings.append(f"Question {question.key!r}: its image was not imported: {' '.join(refused.messages)}")
            return
        if not alt:
            warnings.append(f"Question {question.key!r}: its image has no alt text; the question stays a draft.")
            question.status = Question.Status.DRAFT
            question.save(update_fields=["status"])
    elif item.image_file:
        image_file = images_dir / item.image_file
        question_image_set(
            question=question, data=image_file.read_bytes(), name=f"{slug}-{image_file.name}", alt=item.image_alt
        )
    elif complete and question.image:
        question_image_set(question=question, data=None)


def options_save(*, question: Question, options: list[PackOption]) -> list[Choice]:
    """Match the question's options to the file's by text, never by position: a matched option is
    updated (and offered again if it was retired), a new one added. Returns the options as saved, in
    the file's order; options_withdraw then takes the others off (after the stems no longer name them)."""
    existing = list(question.choices.order_by("order", "pk"))
    by_text: dict[str, Choice] = {}
    for choice in existing:
        by_text.setdefault(choice.text.strip(), choice)
    saved = []
    for position, option in enumerate(options):
        choice = by_text.pop(option.text.strip(), None)
        text, is_correct, weight, rationale = option_values(option, current=choice)
        fields = {
            "text": text,
            "is_correct": is_correct,
            "weight": weight,
            "rationale": rationale,
            "order": position,
            "retired": False,
        }
        if choice is None:
            choice = Choice.objects.create(question=question, **fields)
        elif any(getattr(choice, name) != value for name, value in fields.items()):
            Choice.objects.filter(pk=choice.pk).update(**fields)
            for name, value in fields.items():
                setattr(choice, name, value)
        saved.append(choice)
    return saved


def accepted_answers_save(*, question: Question, answers: list[PackAnswer]) -> list[tuple]:
    """Match the question's accepted answers to the file's by text: a matched one is updated, a new one
    added, one the file no longer holds deleted (a response that matched it keeps what was typed).
    Returns the answers as saved: (text, weight, feedback)."""
    by_text = {answer.text.strip(): answer for answer in question.accepted_answers.all()}
    saved, kept_ids = [], set()
    for position, answer in enumerate(answers):
        current = by_text.pop(answer.text.strip(), None)
        text, weight, feedback = values = answer_values(answer, current=current)
        fields = {"text": text, "weight": weight, "feedback": feedback, "order": position}
        if current is None:
            current = AcceptedAnswer.objects.create(question=question, **fields)
        elif any(getattr(current, name) != value for name, value in fields.items()):
            AcceptedAnswer.objects.filter(pk=current.pk).update(**fields)
        kept_ids.add(current.pk)
        saved.append(values)
    question.accepted_answers.exclude(pk__in=kept_ids).delete()
    return saved


def stems_matched(existing: list[MatchStem], stems: list[PackMatchStem]) -> list[MatchStem | None]:
    """For each of the file's stems, the question's stem it is: the one with its text, else the next
    one left in order (a reworded vignette), each used once."""
    by_text: dict[str, MatchStem] = {}
    for stem in existing:
        by_text.setdefault(normalised(stem.text), stem)
    matches = [by_text.pop(normalised(stem.text), None) for stem in stems]
    matched_ids = {match.pk for match in matches if match is not None}
    left = iter([stem for stem in existing if stem.pk not in matched_ids])
    return [match if match is not None else next(left, None) for match in matches]


def match_stems_save(
    *,
    question: Question,
    stems: list[PackMatchStem],
    choices: list[Choice],
    complete: bool,
    images_dir: Path,
    slug: str,
    warnings: list[str],
) -> tuple[list[MatchStem], list[MatchStem]]:
    """Save a matching question's stems, each answered by one of `choices` (the options as saved, in the
    file's order), matched to the question's own by stems_matched so a recorded answer keeps its stem.
    A stem the file no longer holds is deleted, unless trainees answered it: then it is kept, with a
    warning. Returns (the file's stems as saved, the stems kept that way: the question then waits as a
    draft for an educator)."""
    existing = list(question.match_stems.all())
    saved = []
    for position, (stem, current) in enumerate(zip(stems, stems_matched(existing, stems), strict=True)):
        fields = {"text": stem.text, "answer": choices[stem.answer], "order": position}
        if current is None:
            current = MatchStem.objects.create(question=question, **fields)
        else:
            MatchStem.objects.filter(pk=current.pk).update(**fields)
            current.refresh_from_db()
        match_stem_image_import(
            stem=current, item=stem, complete=complete, images_dir=images_dir, slug=slug, warnings=warnings
        )
        saved.append(current)
    gone = question.match_stems.exclude(pk__in=[stem.pk for stem in saved])
    answered = list(gone.filter(Exists(ResponseMatch.objects.filter(stem=OuterRef("pk")))))
    warnings.extend(
        f"Question {question.key!r}: its stem {excerpt(stem.text)!r} is not in the file, but trainees answered it: "
        "kept, and the question left a draft; edit or remove the stem in the admin before publishing."
        for stem in answered
    )
    gone.exclude(pk__in=[stem.pk for stem in answered]).delete()
    return saved, answered


def match_stem_image_import(
    *, stem: MatchStem, item: PackMatchStem, complete: bool, images_dir: Path, slug: str, warnings: list[str]
) -> None:
    """The stem's image, as question_image_import brings in a question's: a refused embedded image is a
    warning, and the stem comes in without it."""
    alt = stem_alt(item, stem, complete)
    if item.image_data is not None:
        try:
            match_stem_image_set(stem=stem, data=item.image_data, name="stem-image.png", alt=alt)
        except ValidationError as refused:
            warnings.append(
                f"Question {stem.question.key!r}: the image of its stem {excerpt(stem.text)!r} was not imported: "
                + " ".join(refused.messages)
            )
    elif item.image_file:
        image_file = images_dir / item.image_file
        match_stem_image_set(stem=stem, data=image_file.read_bytes(), name=f"{slug}-{image_file.name}", alt=alt)
    elif complete and stem.image:
        match_stem_image_set(stem=stem, data=None)


def tags_for(names: list[str]) -> list[Tag]:
    """The tags of these names, created as needed; a name matches its tag whatever its case."""
    tags = []
    for name in dict.fromkeys(name.strip()[: Tag._meta.get_field("name").max_length] for name in names):
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            base = slugify(name, allow_unicode=True)[:90] or "tag"
            tag = Tag.objects.create(name=name, slug=unused_slug(Tag.objects.all(), base))
        tags.append(tag)
    return tags


def quiz_report(plan: QuizPlan) -> dict:
    """What the import of one quiz does, as JSON for the import page: every question as it will be
    (kind, start of its stem, options and weights), its warnings, every skipped question, and for a
    quiz that exists every change."""
    pack = plan.pack
    return {
        "slug": pack.slug,
        "title": pack.title,
        "exists": plan.quiz is not None,
        "status": plan.quiz.status if plan.quiz is not None and not plan.complete else pack.status,
        "encoding": pack.encoding,
        "questions": [question_report(question_plan, plan.complete) for question_plan in plan.questions],
        "skipped": [str(skip) for skip in pack.skipped],
        "kept": [{"key": question.key, "stem": excerpt(question.stem), "why": why} for question, why in plan.kept],
        "removed": [{"key": question.key, "stem": excerpt(question.stem)} for question in plan.removed],
    }


def question_report(plan: QuestionPlan, complete: bool) -> dict:
    item = plan.item
    values = question_values(item, complete, current=plan.question)
    answers = planned_answers(plan.question, item)
    return {
        "key": item.key,
        "idnumber": item.idnumber,
        "kind": Question.Kind(item.kind).label,
        "stem": excerpt(values["stem"]),
        "options": options_report(item, answers),
        "tags": item.tags,
        "warnings": item.warnings,
        "draft": unfinished(
            kind=item.kind,
            values=values,
            options=planned_options(plan.question, item),
            answers=answers,
            stem_alts=[alt for _text, _answer, alt in planned_stems(plan.question, item, complete)],
        ),
        "action": plan.action,
        "changes": plan.changes,
    }


def options_report(item: PackQuestion, answers: list[tuple]) -> list[dict]:
    """What the trainee picks from or is marked against, each {"text", "correct", "weight"}: the options;
    a short-answer question's accepted answers; a matching question's stems with the option answering
    each ("stem → option"), then the options that answer none."""
    if item.kind == SHORT_ANSWER:
        return [
            {"text": text, "correct": weight == 1, "weight": f"{float(weight) * 100:g}%"} for text, weight, _ in answers
        ]
    if item.kind == MATCHING:
        answering = {stem.answer for stem in item.match_stems}
        return [
            {"text": f"{excerpt(stem.text)} → {item.options[stem.answer].text}", "correct": False, "weight": None}
            for stem in item.match_stems
        ] + [
            {"text": f"{option.text} (answers no stem)", "correct": False, "weight": None}
            for number, option in enumerate(item.options)
            if number not in answering
        ]
    return [
        {
            "text": option.text,
            "correct": option.correct,
            "weight": None if option.weight is None else f"{Decimal(option.weight) * 100:g}%",
        }
        for option in item.options
    ]


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= STEM_EXCERPT else text[: STEM_EXCERPT - 1] + "…"


def unused_slug(queryset: QuerySet, base: str, field: str = "slug") -> str:
    """`base`, or `base-2`, `base-3`... whichever is free."""
    candidate, number = base, 2
    while queryset.filter(**{field: candidate}).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def unused_key(model_filter: QuerySet, base: str, field: str = "key") -> str:
    """`base-copy`, or `base-copy-2`, ... whichever is free."""
    candidate, number = f"{base}-copy", 2
    while model_filter.filter(**{field: candidate}).exists():
        candidate, number = f"{base}-copy-{number}", number + 1
    return candidate


@transaction.atomic
def question_duplicate(*, question: Question, quiz: Quiz | None = None) -> Question:
    """Copy a question with its options, accepted answers, matching stems, sources, tags and image into
    `quiz` (by default its own)."""
    quiz = quiz or question.quiz
    copy = Question.objects.get(pk=question.pk)
    copy.pk = None
    copy.quiz = quiz
    # The ID number identifies the original question within its quiz: a copy has its own, and its own versions.
    copy.idnumber = ""
    copy.version = 1
    if quiz == question.quiz:
        copy.key = unused_key(quiz.questions.all(), question.key)
        copy.order = question.order
    copy.save()
    copy.sources.set(question.sources.all())
    copy.tags.set(question.tags.all())
    originals = list(question.choices.all())
    copies = Choice.objects.bulk_create(
        Choice(
            question=copy,
            text=c.text,
            is_correct=c.is_correct,
            weight=c.weight,
            rationale=c.rationale,
            order=c.order,
            retired=c.retired,
        )
        for c in originals
    )
    copied_choice = {original.pk: choice for original, choice in zip(originals, copies, strict=True)}
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(question=copy, text=a.text, weight=a.weight, feedback=a.feedback, order=a.order)
        for a in question.accepted_answers.all()
    )
    # A copied stem shows the same stored image file, as a copied question does.
    MatchStem.objects.bulk_create(
        MatchStem(
            question=copy,
            text=s.text,
            image=s.image.name,
            image_alt=s.image_alt,
            answer=copied_choice[s.answer_id],
            order=s.order,
        )
        for s in question.match_stems.all()
    )
    HotspotRegion.objects.bulk_create(
        HotspotRegion(question=copy, shape=r.shape, geometry=r.geometry, feedback=r.feedback, order=r.order)
        for r in question.regions.all()
    )
    return copy


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz) -> Quiz:
    """Copy a quiz and all its questions as a new draft."""
    copy = Quiz.objects.get(pk=quiz.pk)
    copy.pk = None
    copy.slug = unused_key(Quiz.objects.all(), quiz.slug, field="slug")
    copy.title = f"{quiz.title} (copy)"
    copy.status = Quiz.Status.DRAFT
    copy.save()
    for question in quiz.questions.prefetch_related("choices", "sources", "tags", "accepted_answers", "match_stems"):
        question_duplicate(question=question, quiz=copy)
    return copy
