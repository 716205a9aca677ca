"""Small factories for tests: each makes one valid object with sensible defaults."""

import datetime
import io
import itertools
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from quizzes.models import (
    AcceptedAnswer,
    Choice,
    CohortMembership,
    MatchStem,
    Question,
    Quiz,
    ReviewCard,
    Source,
    Topic,
    User,
)
from quizzes.services.cohorts import cohort_create
from quizzes.services.educators import educator_create
from quizzes.services.questions import question_image_set, question_regions_set
from quizzes.services.review import review_card_record

counter = itertools.count(1)

# The header htmx sends with every request it makes: client.post(url, data, **HTMX).
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_user(username=None, display_name=None, password="a-long-test-password") -> User:
    n = next(counter)
    user = User.objects.create_user(
        username=username or f"trainee{n}", password=password, display_name=display_name or f"Trainee {n}"
    )
    user.raw_password = password
    return user


def make_source(**fields) -> Source:
    n = next(counter)
    defaults = {"key": f"source-{n}", "title": f"Source {n}", "publisher": "Test Publisher"}
    return Source.objects.create(**defaults | fields)


def make_quiz(*, questions=3, topic=None, status=Quiz.Status.PUBLISHED, **fields) -> Quiz:
    """A quiz with `questions` single-best-answer questions whose right option is "Right N"."""
    n = next(counter)
    topic = topic or Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}")
    quiz = Quiz.objects.create(**{"title": f"Quiz {n}", "slug": f"quiz-{n}", "topic": topic, "status": status} | fields)
    source = make_source()
    for number in range(1, questions + 1):
        make_question(quiz=quiz, order=number, sources=[source])
    return quiz


def make_question(*, quiz, order=1, kind=Question.Kind.SINGLE, options=None, sources=(), **fields) -> Question:
    """`options` is a list of (text, is_correct); by default one right and three wrong."""
    question = Question.objects.create(
        quiz=quiz,
        order=order,
        kind=kind,
        **{
            "key": f"q{order}-{next(counter)}",
            "stem": f"Stem of question {order}?",
            "explanation": f"Explanation of question {order}.",
            "learning_point": f"Learning point of question {order}.",
        }
        | fields,
    )
    if options is None:
        options = [
            (f"Right {order}", True),
            (f"Wrong {order}a", False),
            (f"Wrong {order}b", False),
            (f"Wrong {order}c", False),
        ]
    for position, (text, is_correct) in enumerate(options):
        Choice.objects.create(
            question=question,
            text=text,
            is_correct=is_correct,
            order=position,
            rationale=f"Rationale for {text}: {'this is why it is right' if is_correct else 'this is why it is wrong'}.",
        )
    question.sources.set(sources or [make_source()])
    return question


def questions_of(quiz) -> list[Question]:
    """The quiz's questions in order, with what scoring an answer reads (options, hotspot regions,
    accepted answers, matching stems)."""
    return list(
        quiz.questions.in_quiz_order().prefetch_related("choices", "regions", "accepted_answers", "match_stems")
    )


# A typed diagnosis: full marks for the pattern named, half for the bare word, and a near-spelling that
# names something else listed as wrong (so that slips never take it for the right answer).
MILIARY_ACCEPTED = [
    ("miliary metastases", "1", "Yes: **innumerable tiny nodules** spread through the blood."),
    ("haematogenous metastases", "1", ""),
    ("hematogenous metastases", "1", ""),
    ("metastases", "0.5", "Be specific about the pattern."),
    ("military", "0", "Miliary (like millet seeds), not military."),
]


def make_short_answer_question(*, quiz, order=1, accepted=MILIARY_ACCEPTED, **fields) -> Question:
    """A short-answer question accepting `accepted`: (text, weight, feedback) in order."""
    question = make_question(
        quiz=quiz,
        order=order,
        kind=Question.Kind.SHORT_ANSWER,
        options=[],
        **{"stem": "Name the pattern of these innumerable tiny nodules."} | fields,
    )
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(question=question, text=text, weight=Decimal(weight), feedback=feedback, order=position)
        for position, (text, weight, feedback) in enumerate(accepted)
    )
    return question


# Extended matching: primaries and their typical lung metastases; options beyond the stems' answers.
MATCHING_OPTIONS = ["Squamous cell carcinoma", "Thyroid carcinoma", "Osteosarcoma", "Choriocarcinoma", "Breast"]
MATCHING_STEMS = [
    ("Cavitating nodules", "Squamous cell carcinoma"),
    ("Miliary nodules", "Thyroid carcinoma"),
    ("Calcified nodules", "Osteosarcoma"),
    ("Haemorrhagic nodules with a halo", "Choriocarcinoma"),
]


def make_matching_question(*, quiz, order=1, options=MATCHING_OPTIONS, stems=MATCHING_STEMS, **fields) -> Question:
    """An extended-matching question with these option texts and (stem text, its answer's text) stems."""
    question = make_question(
        quiz=quiz,
        order=order,
        kind=Question.Kind.MATCHING,
        options=[(text, False) for text in options],
        **{"stem": "Match each pattern of lung metastases to its most typical primary."} | fields,
    )
    by_text = {choice.text: choice for choice in question.choices.all()}
    MatchStem.objects.bulk_create(
        MatchStem(question=question, text=text, answer=by_text[answer], order=position)
        for position, (text, answer) in enumerate(stems)
    )
    return question


def typed_and_matching_answered(user, *, typed, right):
    """A quiz of a short answer, then an extended-matching question, and a tutor attempt by `user` that
    answers both (unfinished): `typed` typed, the first `right` stems matched rightly (stem_answers).
    Returns (attempt, the short answer, the matching question)."""
    from quizzes.services.attempts import answer_submit, attempt_start

    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz, order=1)
    make_matching_question(quiz=quiz, order=2)
    typed_question, matching = questions_of(quiz)
    attempt = attempt_start(user=user, quiz=quiz)
    answer_submit(attempt=attempt, question=typed_question, typed=typed)
    answer_submit(attempt=attempt, question=matching, matches=stem_answers(matching, right=right))
    return attempt, typed_question, matching


def stem_answers(question, *, right=None) -> dict[int, int]:
    """A matching answer: {stem id: option id}, the first `right` stems (all by default) matched rightly
    and the rest to an option that answers no stem."""
    stems = list(question.match_stems.all())
    right = len(stems) if right is None else right
    answering = {stem.answer_id for stem in stems}
    spare = next(choice.pk for choice in question.choices.all() if choice.pk not in answering)
    return {stem.pk: stem.answer_id if n < right else spare for n, stem in enumerate(stems)}


def take_quiz(user, quiz, verdicts):
    """A tutor attempt answering the quiz's questions in order: True right, False wrong (unfinished)."""
    from quizzes.services.attempts import answer_submit, attempt_start

    attempt = attempt_start(user=user, quiz=quiz)
    for question, right in zip(questions_of(quiz), verdicts, strict=False):
        answer_submit(
            attempt=attempt, question=question, chosen=right_choices(question) if right else wrong_choices(question)[:1]
        )
    return attempt


@contextmanager
def time_is(moment: datetime.datetime):
    """Time travel: everything that asks django.utils.timezone for now gets `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def card_due(user, question, due: datetime.datetime) -> None:
    """The user's review card for the question, due at `due` (reviewed once and right, the day before,
    so a review card scheduled in days, not one in a learning step)."""
    review_card_record(
        user_id=user.pk,
        question_id=question.pk,
        rating=ReviewCard.Rating.GOOD,
        reviewed_at=due - datetime.timedelta(days=1),
    )
    ReviewCard.objects.filter(user=user, question=question).update(due=due)


@contextmanager
def educator_change(question, by=None):
    """A change to `question` made in the block as an educator's save makes one (quizzes/services/versions.py):
    what it was is read before, and a new version recorded after if trainees would see a difference."""
    from quizzes.services.versions import question_version_baseline, question_version_record

    with transaction.atomic():
        before = question_version_baseline(question=question)
        yield
        question_version_record(question=question, before=before, changed_by=by)


def right_choices(question):
    return [choice for choice in question.choices.all() if choice.is_correct]


def wrong_choices(question):
    return [choice for choice in question.choices.all() if not choice.is_correct]


def recorded(function, calls: list):
    """`function`, recording the arguments of each call in `calls`: a spy for monkeypatch.setattr."""

    def call(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return call


def committed():
    """Run what the block leaves for its transaction's commit (storing image files) at the block's end,
    as if it had committed: inside a test's transaction nothing commits. The same as pytest-django's
    django_capture_on_commit_callbacks(execute=True), for factories that take no fixtures."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def png_bytes(size=(200, 100), colour="gray") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


# A target in the middle of the image: 20% of its width across and 20% of its height down.
CENTRE_TARGET = {
    "shape": "ellipse",
    "geometry": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.1},
    "feedback": "The **cavitating** nodule.",
}


def make_hotspot_question(
    *, quiz, order=1, regions=(CENTRE_TARGET,), allow_no_abnormality=False, image_size=(200, 100), **fields
) -> Question:
    """A hotspot question on a plain `image_size` image, with `regions` as its targets."""
    question = make_question(quiz=quiz, order=order, options=[], allow_no_abnormality=allow_no_abnormality, **fields)
    with committed():
        question_image_set(
            question=question,
            data=png_bytes(image_size),
            name="chest.png",
            alt="Schematic illustration, not a patient image: frontal chest drawing",
        )
    # The database insists a hotspot question has its image, so it becomes one once the image is there.
    question.kind = Question.Kind.HOTSPOT
    question.save(update_fields=["kind"])
    question_regions_set(question=question, regions=list(regions))
    return question


def make_educator(username=None, password="a-long-educator-pass-1"):
    """A staff user in the Educators group (quizzes/services/educators.py), as create_educator makes one."""
    n = next(counter)
    user = educator_create(username=username or f"educator{n}", password=password, display_name=f"Dr Educator {n}")
    user.raw_password = password
    return user


def make_cohort(*, owner, members=(), name=None, **fields):
    """A cohort owned by `owner` (made as an educator makes one) with `members` in it, running for a year."""
    today = timezone.localdate()
    cohort = cohort_create(
        created_by=owner,
        **{
            "name": name or f"Cohort {next(counter)}",
            "description": "",
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=335),
        }
        | fields,
    )
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, user=user) for user in members)
    return cohort
