"""Reads: every query the views make, named for what it returns.

quizzes/models.py imports this module to build its managers, so this one never imports models back:
a read that needs another model asks the app registry for it (apps.get_model)."""

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.apps import apps
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower, TruncWeek
from django.utils import timezone

from quizzes.question_parts import parts_sql
from quizzes.rich_text import RichTextQuerySet


class QuizQuerySet(RichTextQuerySet):
    def published(self):
        return self.filter(status="published")

    def in_topic_order(self):
        # Explicit, not Meta.ordering: Django leaves Meta.ordering out of queries that aggregate, such
        # as with_question_count(), and the home page groups quizzes by topic from this order.
        return self.order_by("topic__order", "topic__name", "order", "title")

    def with_question_count(self):
        """Annotate `question_count`: the questions trainees see (drafts are not counted)."""
        return self.annotate(question_count=Count("questions", filter=Q(questions__status="published"), distinct=True))

    def with_best_percent(self, user):
        """Annotate each quiz with the user's best finished score, as a percentage (or None)."""
        if not user.is_authenticated:
            return self.annotate(best_percent=models.Value(None, output_field=FloatField()))
        finished = Q(attempts__user=user, attempts__finished_at__isnull=False, attempts__max_score__gt=0)
        ratio = Cast("attempts__score", FloatField()) * 100.0 / Cast("attempts__max_score", FloatField())
        return self.annotate(best_percent=Max(ratio, filter=finished))


class QuestionQuerySet(RichTextQuerySet):
    def published(self):
        """Questions trainees may see: published questions of published quizzes. Draft questions (an
        import without an explanation or a rationale on every option) wait for an educator."""
        return self.filter(status="published", quiz__status="published")

    def for_trainees(self):
        """The questions of a quiz a trainee sees (the quiz itself is already known to be visible)."""
        return self.filter(status="published")

    def lacking_feedback(self):
        """Questions without an explanation, or with an option that has no rationale: an import leaves
        them as drafts, and they may not be published until finished."""
        Choice = apps.get_model("quizzes", "Choice")
        bare_option = Choice.objects.filter(question=OuterRef("pk"), rationale__regex=r"^\s*$")
        return self.filter(Q(explanation__regex=r"^\s*$") | Exists(bare_option))

    def tagged(self, tag):
        return self.filter(tags=tag)

    def in_quiz_order(self):
        return self.order_by("order", "pk")

    def with_version_since(self):
        """Annotate `version_since`: when the question's current version was recorded (None for a
        question never changed since trainees first answered it)."""
        QuestionVersion = apps.get_model("quizzes", "QuestionVersion")
        current = QuestionVersion.objects.filter(question=OuterRef("pk"), number=OuterRef("version"))
        return self.annotate(version_since=Subquery(current.values("changed_at")[:1]))

    def before(self, question):
        """The questions that come before `question` in quiz order."""
        return self.filter(
            Q(order__lt=question.order) | Q(order=question.order, pk__lt=question.pk), quiz=question.quiz_id
        )

    def for_display(self):
        """Everything a question page renders, in a fixed number of queries, but for what only some kinds
        have: prefetch that with kind_parts_prefetched once the questions are read."""
        return self.select_related("quiz", "author").prefetch_related("choices", "sources")

    def after(self, question):
        """The questions that come after `question` in quiz order."""
        return self.filter(
            Q(order__gt=question.order) | Q(order=question.order, pk__gt=question.pk), quiz=question.quiz_id
        )

    def in_attempt(self, attempt):
        """The attempt's questions in the attempt's order, each annotated with its `position` in it."""
        return (
            self.filter(attempt_items__attempt=attempt)
            .annotate(position=F("attempt_items__position"))
            .order_by("position")
        )

    def unanswered_in(self, attempt):
        Response = apps.get_model("quizzes", "Response")
        answered = Response.objects.filter(attempt=attempt, question=OuterRef("pk"))
        return self.in_attempt(attempt).exclude(Exists(answered))

    def latest_mistakes_of(self, user, quiz=None):
        """The questions whose most recent final answer by `user` was wrong, in published quizzes (or in
        `quiz`), the most recent mistake first. A later right answer takes a question off; an exam's
        answers count once it has finished, when the trainee has seen them marked."""
        Response = apps.get_model("quizzes", "Response")
        latest = (
            Response.objects.final().filter(attempt__user=user, question=OuterRef("pk")).order_by("-answered_at", "-pk")
        )
        questions = self.published()
        if quiz is not None:
            questions = questions.filter(quiz=quiz)
        return (
            questions.alias(
                latest_is_correct=Subquery(latest.values("is_correct")[:1]),
                latest_answered_at=Subquery(latest.values("answered_at")[:1]),
            )
            .filter(latest_is_correct=False)
            .order_by("-latest_answered_at", "-pk")
        )

    def count_per_quiz(self):
        """One row per quiz these questions are in (`slug`, `title`, `count`), in the site's quiz order."""
        return (
            self.order_by()
            .values(slug=F("quiz__slug"), title=F("quiz__title"))
            .annotate(count=Count("pk"))
            .order_by("quiz__topic__order", "quiz__topic__name", "quiz__order", "quiz__title")
        )


# What answering and marking a question reads beside its options, by kind: a choice question reads nothing more.
KIND_PARTS = {
    "hotspot": ("regions",),
    "short_answer": ("accepted_answers",),
    "matching": ("match_stems",),
}


def kind_parts_prefetched(questions: Sequence) -> Sequence:
    """Prefetch what these questions' kinds are answered and marked with (hotspot regions, accepted
    answers, matching stems): one query for each such kind among them, none for choice questions."""
    by_kind = defaultdict(list)
    for question in questions:
        by_kind[question.kind].append(question)
    for kind, group in by_kind.items():
        models.prefetch_related_objects(group, *KIND_PARTS.get(kind, ()))
    return questions


class QuestionVersionQuerySet(models.QuerySet):
    def stem_image_names(self) -> set[str]:
        """The stored files the versions' matching stems show (a snapshot's "stems": quizzes/versions.py),
        which a version holds as a file field holds its file (quizzes/stored_files.py: referenced_names)."""
        stems_of_versions = self.filter(snapshot__kind="matching").values_list("snapshot__stems", flat=True)
        return {stem["image"] for stems in stems_of_versions for stem in stems or () if stem.get("image")}

    def numbered(self, pairs):
        """The versions named by (question id, version number) pairs, in one query; no query at all for
        no pairs (a page whose answers are all to their questions' current versions)."""
        wanted = Q()
        for question_id, number in set(pairs):
            wanted |= Q(question_id=question_id, number=number)
        return self.filter(wanted) if wanted else self.none()


class TagQuerySet(models.QuerySet):
    def practisable(self):
        """Tags on questions trainees may see, each annotated with `question_count` (of those), by name."""
        visible = Q(questions__status="published", questions__quiz__status="published")
        return (
            self.annotate(question_count=Count("questions", filter=visible, distinct=True))
            .filter(question_count__gt=0)
            .order_by("name")
        )


class ChoiceQuerySet(RichTextQuerySet):
    def chosen_in_responses(self):
        """Options some answer recorded (ticked, or matched to a stem): they cannot be deleted, only retired."""
        ResponseChoice = apps.get_model("quizzes", "ResponseChoice")
        ResponseMatch = apps.get_model("quizzes", "ResponseMatch")
        return self.filter(
            Exists(ResponseChoice.objects.filter(choice=OuterRef("pk")))
            | Exists(ResponseMatch.objects.filter(choice=OuterRef("pk")))
        )


class AttemptQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The only way views look attempts up: nobody reaches another user's attempt."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def exams_open(self, now=None):
        """Exams still taking answers: unfinished and within their time limit."""
        return self.unfinished().filter(mode="exam", deadline__gt=now or timezone.now())

    def counted_open(self, now=None):
        """Unfinished attempts beside which no other attempt at their quiz starts (quizzes/refusals.py):
        an exam still within its time, and the attempt that counts for the leaderboard."""
        return self.exams_open(now) | self.unfinished().filter(is_ranked=True)

    def in_progress(self):
        """Unfinished attempts the trainee can still go on with (an exam past its time limit is over,
        whether or not a request has finished it yet), most recently active first, each annotated with
        how many of its questions are `answered` and its `total`."""
        Response = apps.get_model("quizzes", "Response")
        AttemptQuestion = apps.get_model("quizzes", "AttemptQuestion")
        answered = Response.objects.filter(attempt=OuterRef("pk")).order_by().values("attempt")
        total = AttemptQuestion.objects.filter(attempt=OuterRef("pk")).order_by().values("attempt")
        return (
            self.unfinished()
            .exclude(deadline__lte=timezone.now())
            .annotate(
                answered=Coalesce(Subquery(answered.annotate(n=Count("*")).values("n")), 0),
                total=Coalesce(Subquery(total.annotate(n=Count("*")).values("n")), 0),
            )
            .order_by(Coalesce("last_answered_at", "started_at").desc(), "-pk")
        )


class AttemptQuestionQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("position")

    def owned_by(self, user):
        """The items of the user's own attempts: how question pages find an attempt and its question."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(attempt__user=user)

    def with_attempt_and_question(self):
        """Each item with its attempt (and the attempt's quiz and tag) and its question (and the
        question's quiz and author, whom a question without sources cites), all in the item's own query."""
        return self.select_related("attempt__quiz", "attempt__tag", "question__quiz", "question__author").order_by()

    # The annotations below are SQL, not Django's subquery expressions: on the hot path of every question
    # page and answer, building and compiling a subquery expression costs several milliseconds of CPU
    # (more than the database takes to run the whole query), a RawSQL fragment almost nothing. Each
    # refers to the items table by its name, as the query being annotated does.

    def with_answer_state(self):
        """Annotate `is_answered`: whether the attempt has a response to the item's question."""
        return self.annotate(is_answered=RawSQL(answered_sql(_items_table()), (), output_field=BooleanField()))

    def with_open_state(self):
        """Annotate `is_open`: every earlier question of the attempt is answered (the order rule:
        questions come in order, and a later case stage waits its turn)."""
        return self.annotate(is_open=RawSQL(open_sql(_items_table()), (), output_field=BooleanField()))

    def with_tutor_progress(self):
        """Annotate what tutor feedback shows beside the question: `total` (the attempt's questions),
        `next_question_id` (the first unanswered question after this one, or None), and `has_later_stage`
        (a later question of the question's quiz that trainees see: a case report's title, which names
        the diagnosis, waits for the last stage)."""
        items, questions, quote = _items_table(), _table("Question"), connection.ops.quote_name
        order = quote("order")
        total = f"SELECT COUNT(*) FROM {items} each_item WHERE each_item.attempt_id = {items}.attempt_id"
        following = (
            f"SELECT next_item.question_id FROM {items} next_item WHERE next_item.attempt_id = {items}.attempt_id"
            f" AND next_item.position > {items}.position AND NOT {answered_sql('next_item')}"
            " ORDER BY next_item.position LIMIT 1"
        )
        later = (
            f"EXISTS (SELECT 1 FROM {questions} this_question"
            f" JOIN {questions} later_question ON later_question.quiz_id = this_question.quiz_id"
            f" WHERE this_question.id = {items}.question_id AND later_question.status = %s"
            f" AND (later_question.{order} > this_question.{order}"
            f" OR (later_question.{order} = this_question.{order} AND later_question.id > this_question.id)))"
        )
        return self.annotate(
            total=RawSQL(total, (), output_field=IntegerField()),
            next_question_id=RawSQL(following, (), output_field=IntegerField()),
            has_later_stage=RawSQL(later, ("published",), output_field=BooleanField()),
        )

    def with_question_parts(self):
        """Annotate `question_parts`: the question's options, stems, regions, accepted answers and sources,
        as JSON in the item's own query (quizzes/question_parts.py, whose parts_install puts them in place)."""
        sql = parts_sql(f"{_items_table()}.question_id", connection.vendor)
        return self.annotate(question_parts=RawSQL(sql, (), output_field=TextField()))

    def with_review_card_of(self, user):
        """Each item with `user`'s review card for its question (quizzes/services/review.py) joined in,
        as `review_card` where the user has one."""
        card = FilteredRelation("question__review_cards", condition=Q(question__review_cards__user=user))
        return self.annotate(review_card=card).select_related("review_card")


def answered_sql(item: str) -> str:
    """SQL, true when the attempt of `item` (a row of the items table, by its name or alias) has a response
    to the item's question."""
    responses = _table("Response")
    return (
        f"EXISTS (SELECT 1 FROM {responses} answer"
        f" WHERE answer.attempt_id = {item}.attempt_id AND answer.question_id = {item}.question_id)"
    )


def open_sql(item: str) -> str:
    """SQL, true when every question before `item` (a row of the items table) in its attempt is answered:
    the order rule. quizzes/services/attempts.py checks it again in the statement that records an answer."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {_items_table()} earlier_item WHERE earlier_item.attempt_id = {item}.attempt_id"
        f" AND earlier_item.position < {item}.position AND NOT {answered_sql('earlier_item')})"
    )


def _table(model_name: str) -> str:
    return connection.ops.quote_name(apps.get_model("quizzes", model_name)._meta.db_table)


def _items_table() -> str:
    return _table("AttemptQuestion")


class ReviewCardQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def in_published_quizzes(self):
        """Cards of questions trainees may see (a question back in draft waits, its card kept)."""
        return self.filter(question__status="published", question__quiz__status="published")

    def due_today(self, now=None):
        """Cards due for review today, most overdue first (quizzes/querysets.py: due_today_q)."""
        return self.filter(due_today_q(now or timezone.now())).order_by("due", "pk")

    def due_summary(self, now=None) -> dict:
        """In one query: `due_today` (how many cards are due today), `due_soon` (how many cards in a
        learning step come due in the next few minutes, past midnight too) and `next_soon` (when the first
        of them does), `next_due` (when the first review card after today is due, or None) and `cards`
        (how many cards there are: none before the trainee's first answer)."""
        now = now or timezone.now()
        # A learning step is minutes long: a mistake made at 23:55 is back at 00:05, soon, not "tomorrow".
        soon = Q(due__gt=now) & ~Q(state=REVIEW_STATE)
        return self.aggregate(
            due_today=Count("pk", filter=due_today_q(now)),
            due_soon=Count("pk", filter=soon),
            next_soon=models.Min("due", filter=soon),
            next_due=models.Min("due", filter=Q(due__gte=start_of_tomorrow(now), state=REVIEW_STATE)),
            cards=Count("pk"),
        )


# fsrs.State.Review: a card that has left its learning steps, scheduled in whole days.
REVIEW_STATE = 2


def due_today_q(now: datetime.datetime) -> Q:
    """A card is due today when it is a review card due by midnight (in the site's time zone), however
    overdue: review intervals are days, so its hour does not matter; or when its learning step (minutes,
    after a wrong answer) has come. A card whose step ends later today is "due soon" instead: it would
    be back too early, in a set started now."""
    return Q(due__lte=now) | Q(state=REVIEW_STATE, due__lt=start_of_tomorrow(now))


class ResponseQuerySet(models.QuerySet):
    def with_answer_rows(self, question):
        """Prefetch the rows `question`'s kind records beside each response: its matches per stem for
        extended matching, otherwise the options it chose."""
        return self.prefetch_related("matches" if question.kind == "matching" else "chosen")

    def tally(self) -> dict:
        """Answered count and points so far, in one query."""
        totals = self.aggregate(answered=Count("pk"), points=Sum("points"))
        return {"answered": totals["answered"], "points": totals["points"] or 0}

    def ranked(self):
        """Responses that count for the leaderboard: in each trainee's first attempt at each quiz,
        once they are final (an exam's answers may change until it finishes, so they count then)."""
        return self.filter(attempt__is_ranked=True).exclude(attempt__mode="exam", attempt__finished_at__isnull=True)

    def final(self):
        """Answers the trainee has seen the verdict on: tutor answers, and exam answers once the exam is over."""
        return self.exclude(attempt__mode="exam", attempt__finished_at__isnull=True)

    def leaderboard_sums(self):
        """Points, answers and right answers per (user, quiz, week): every board is a sum of these.

        `week` is the start of the answer's week (Monday, 00:00) in the site's time zone, as an
        aware datetime. One grouped query, however many responses.
        """
        week = TruncWeek("answered_at", tzinfo=timezone.get_default_timezone())
        return (
            self.order_by()
            .values(user_id=F("attempt__user_id"), quiz_id=F("attempt__quiz_id"), week=week)
            .annotate(points=Sum("points"), answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
        )

    def accuracy_by_topic(self):
        return (
            self.values("question__quiz__topic__name")
            .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
            .order_by("question__quiz__topic__name")
        )

    def calibration_by_topic(self):
        """Answered and right per topic (`topic`, its name) and stated `confidence`; answers given
        without a confidence are left out."""
        return (
            self.exclude(confidence="")
            .values("confidence", topic=F("question__quiz__topic__name"))
            .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
            .order_by("topic", "confidence")
        )


class ProblemReportQuerySet(models.QuerySet):
    def reported_by(self, user):
        """A trainee's own reports: the only ones a trainee's page ever reads."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(reporter=user)

    def open(self):
        return self.filter(status="open")


class LeaderboardEntryQuerySet(models.QuerySet):
    def on_board(self, board: str):
        return self.filter(board=board)

    def among(self, users):
        """Entries of these users only (a queryset of users or of user ids): a cohort's board."""
        return self.filter(user__in=users)

    def in_rank_order(self):
        # Equal points share a rank; within a tie, trainees are listed in the order they joined,
        # which is stable and is the order of the rank index (board, -points, user).
        return self.order_by("-points", "user_id")

    def with_rank(self, among=None):
        """Annotate `rank`: one more than how many on the same board (of the users `among`, when given:
        a cohort's board) have more points.

        Equal points share a rank and the next rank skips ("1, 2, 2, 4"). The count walks the rank
        index only as far as the row's own points, so a rank costs one query at any cohort size.
        """
        above = self.model.objects.filter(board=OuterRef("board"), points__gt=OuterRef("points"))
        if among is not None:
            above = above.among(among)
        above = (
            above.order_by()
            .values("board")
            .annotate(count=Count("*"))  # COUNT(*), not COUNT(id): the index alone can answer it
            .values("count")
        )
        return self.annotate(rank=Coalesce(Subquery(above), 0) + 1)

    def standings(self, *, stream: bool, chunk_size: int = 2000):
        """(rank, entry) pairs of a board read from its top in rank order, ranks as in with_rank.

        Only valid for a queryset that starts at the top of one board (in_rank_order, sliced from 0):
        the rank is the position of the first entry with the same points. `stream` reads a whole board
        in chunks (on PostgreSQL a server-side cursor, a round trip per chunk); otherwise the rows come
        at once, in one round trip: a board's top.
        """
        rank, previous = 0, None
        entries = self.iterator(chunk_size=chunk_size) if stream else list(self)
        for position, entry in enumerate(entries, start=1):
            if entry.points != previous:
                rank, previous = position, entry.points
            yield rank, entry


class CohortQuerySet(RichTextQuerySet):
    def owned_by(self, user):
        """Cohorts the user owns: the only way views find a cohort to change or to read the results of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owners=user)

    def joined_by(self, user):
        """Cohorts the user is a member of (as a trainee)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def visible_to(self, user):
        """Cohorts the user owns or is a member of, each annotated with `viewer_owns`: the only way views
        find a cohort to show. Anyone else, an educator or a trainee of another cohort, finds nothing."""
        if not user.is_authenticated:
            return self.none()
        CohortMembership = apps.get_model("quizzes", "CohortMembership")
        owns = Exists(self.model.owners.through.objects.filter(cohort=OuterRef("pk"), user=user))
        member = Exists(CohortMembership.objects.filter(cohort=OuterRef("pk"), user=user))
        return self.annotate(viewer_owns=owns).filter(owns | member)

    def open_with_code(self, code: str):
        """The cohort open to join with this code, as typed (case, spaces and hyphens do not matter)."""
        normalised = self.model.normalised_code(code)
        return self.filter(join_code=normalised) if normalised else self.none()

    def current(self, now=None):
        """Cohorts that have not ended (their last day is today or later, in the site's time zone)."""
        return self.filter(ends_on__gte=local_date(now or timezone.now()))

    def with_sizes(self):
        """Annotate `member_count` and `assignment_count`, in one query for a list of cohorts."""
        CohortMembership = apps.get_model("quizzes", "CohortMembership")
        Assignment = apps.get_model("quizzes", "Assignment")
        members = CohortMembership.objects.filter(cohort=OuterRef("pk")).order_by().values("cohort")
        assignments = Assignment.objects.filter(cohort=OuterRef("pk")).order_by().values("cohort")
        return self.annotate(
            member_count=Coalesce(Subquery(members.annotate(n=Count("*")).values("n")), 0),
            assignment_count=Coalesce(Subquery(assignments.annotate(n=Count("*")).values("n")), 0),
        )


class CohortMembershipQuerySet(models.QuerySet):
    def of(self, cohort):
        return self.filter(cohort=cohort)

    def in_name_order(self):
        return self.order_by(Lower("user__display_name"), "user__username", "pk")

    def with_progress_on(self, assignment, now=None):
        """Annotate each member's progress on one assignment (assignment_progress), with the counted
        attempt's id, start, score and maximum."""
        progress = assignment_progress(
            user=OuterRef("user"),
            quiz=assignment.quiz_id,
            mode=assignment.mode,
            opened=assignment.opened_at,
            now=now or timezone.now(),
            attempt_fields=ATTEMPT_DETAILS,
        )
        return self.annotate(**progress)

    def progress_grid(self, now=None, *, attempt_fields: tuple[str, ...] = ()):
        """One row per member and assignment of the memberships' cohorts (`assignment_id`), each with the
        member's progress on it (assignment_progress): a whole cohort's results in one query, however
        many trainees and assignments."""
        opened = Coalesce(OuterRef("cohort__assignments__opens_at"), OuterRef("cohort__assignments__assigned_at"))
        progress = assignment_progress(
            user=OuterRef("user"),
            quiz=OuterRef("cohort__assignments__quiz"),
            mode=OuterRef("cohort__assignments__mode"),
            opened=opened,
            now=now or timezone.now(),
            attempt_fields=attempt_fields,
        )
        return (
            self.annotate(assignment_id=F("cohort__assignments"), **progress)
            .filter(assignment_id__isnull=False)
            .order_by()
        )


class AssignmentQuerySet(models.QuerySet):
    def for_member(self, user):
        """The assignments of the cohorts the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(cohort__memberships__user=user)

    def in_current_cohorts(self, now=None):
        return self.filter(cohort__ends_on__gte=local_date(now or timezone.now()))

    def in_due_order(self):
        return self.order_by("due_at", "quiz__title", "pk")

    def with_progress_of(self, user, now=None, *, with_attempt: bool = False):
        """Annotate the user's progress on each assignment (assignment_progress), with_attempt: with the
        counted attempt's id, start, score and maximum."""
        progress = assignment_progress(
            user=user.pk,
            quiz=OuterRef("quiz"),
            mode=OuterRef("mode"),
            opened=Coalesce(OuterRef("opens_at"), OuterRef("assigned_at")),
            now=now or timezone.now(),
            attempt_fields=ATTEMPT_DETAILS if with_attempt else (),
        )
        return self.annotate(**progress)


# What a results page shows of the attempt that did an assignment (assignment_progress: done_<field>).
ATTEMPT_DETAILS = ("id", "started_at", "score", "max_score")


def attempt_ended_at(now: datetime.datetime):
    """When an attempt ended: when it finished, or, for an exam past its time limit that no request has
    finished yet, its deadline (it is over; attempt_expire_if_due finishes it as of then). None while open."""
    return Coalesce("finished_at", Case(When(deadline__lte=now, then=F("deadline"))))


def assignment_progress(
    *, user, quiz, mode, opened, now: datetime.datetime, attempt_fields: tuple[str, ...] = ()
) -> dict:
    """Annotations of how far a trainee is with an assignment (each argument a value or an OuterRef):

    - `done_at`: when the first attempt that counts for it ended, or None. An attempt counts when it is
      the trainee's attempt at the quiz itself (not a practice set), in the assignment's mode or in exam
      mode (an exam does a tutor assignment too, never the other way round), and ends after the
      assignment opened (`opened`);
    - `in_progress`: whether such an attempt is still open (it will count if it ends after `opened`);
    - `done_<field>` for each of `attempt_fields`: that attempt's field (no score yet: an exam over by its
      time limit that no request has finished). Each is one more subquery per row.

    The rule in words, and what it makes of these, is quizzes/assignments.py's.
    """
    Attempt = apps.get_model("quizzes", "Attempt")
    attempts = (
        Attempt.objects.filter(user=user, quiz=quiz, kind="quiz")
        .filter(Q(mode=mode) | Q(mode="exam"))
        .annotate(ended_at=attempt_ended_at(now))
    )
    counting = attempts.filter(ended_at__gte=opened).order_by("ended_at", "pk")
    return {
        "done_at": Subquery(counting.values("ended_at")[:1]),
        "in_progress": Exists(attempts.filter(ended_at__isnull=True)),
    } | {f"done_{field}": Subquery(counting.values(field)[:1]) for field in attempt_fields}


def local_date(moment: datetime.datetime) -> datetime.date:
    """The moment's date in the site's time zone."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def start_of_tomorrow(now=None) -> datetime.datetime:
    """Midnight at the end of today in the site's time zone: what is due "today" is due before it."""
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    return datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
