"""The quiz site's data: teaching content (topics, sources, quizzes, questions, options) and the
record of trainees working through it (attempts and responses)."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from quizzes import querysets

# Every question is worth the same whole number of points, large enough that a multiple-select
# question's partial credit is a whole number too (the rules: quizzes/services/attempts.py,
# answer_points, and the scoring page). Changing it means rescaling stored points in a migration.
POINTS_PER_QUESTION = 10


class User(AbstractUser):
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="Shown to other people (for example on leaderboards) instead of the username.",
    )
    hide_from_leaderboard = models.BooleanField(
        default=False,
        help_text="Other trainees see this person on leaderboards as “Anonymous trainee”. "
        "Educators still see who it is.",
    )

    @property
    def public_name(self) -> str:
        # Never fall back to the username: it is a login credential, not a public name.
        return self.display_name or "Anonymous trainee"


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A teaching document that questions cite."""

    key = models.SlugField(max_length=80, unique=True, help_text="Short identifier used by imports.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(blank=True)
    doi = models.CharField("DOI", max_length=120, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        return self.cite(with_title=True)

    @property
    def citation_without_title(self) -> str:
        """For case stages before the diagnosis: a case report's title usually names it."""
        return self.cite(with_title=False)

    def cite(self, *, with_title: bool) -> str:
        parts = [self.publisher] + ([f"“{self.title}”"] if with_title else [])
        if self.published_on:
            parts.append(self.published_on.strftime("%-d %b %Y"))
        if self.doi:
            parts.append(f"DOI {self.doi}")
        return ", ".join(parts)


class Quiz(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard quiz"
        CASE = "case", "Case vignette (shown stage by stage)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="quizzes")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.STANDARD)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    order = models.PositiveIntegerField(default=0)

    objects = querysets.QuizQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "topic__name", "order", "title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quiz_detail", args=[self.slug])

    @property
    def is_case(self) -> bool:
        return self.kind == self.Kind.CASE


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single best answer"
        MULTIPLE = "multiple", "Multiple select"
        TRUE_FALSE = "true_false", "True or false"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        max_length=80, help_text="Identifies the question within its quiz when a bank is re-imported."
    )
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.SINGLE)
    stage = models.TextField(
        blank=True,
        help_text="Case vignettes: the history or findings revealed at this stage (Markdown).",
    )
    stem = models.TextField(help_text="The question (Markdown).")
    image = models.ImageField(upload_to="questions/", blank=True)
    thumbnail = models.ImageField(upload_to="questions/thumbnails/", blank=True, editable=False)
    image_alt = models.CharField("image alt text", max_length=300, blank=True)
    explanation = models.TextField(help_text="Shown after answering (Markdown).")
    learning_point = models.CharField(max_length=400)
    sources = models.ManyToManyField(Source, related_name="questions")

    # What a question is worth, for templates (a constant, not a field: every question is worth the same).
    POINTS = POINTS_PER_QUESTION

    objects = querysets.QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="question_key_unique_in_quiz"),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="question_image_has_alt_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.title}: {self.key}"

    @property
    def is_multiple(self) -> bool:
        return self.kind == self.Kind.MULTIPLE


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField(help_text="Why this option is right or wrong (Markdown).")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    class Mode(models.TextChoices):
        TUTOR = "tutor", "Tutor (instant feedback)"
        EXAM = "exam", "Exam (feedback at the end)"

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.TUTOR)
    started_at = models.DateTimeField(default=timezone.now)
    last_answered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempt finishes, from its responses: the responses are the record of truth.
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(null=True, blank=True)
    is_ranked = models.BooleanField(
        "counts for the leaderboard",
        default=False,
        help_text="The trainee's first attempt at the quiz: its answers count for the leaderboard. "
        "Later attempts are practice.",
    )

    objects = querysets.AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "quiz", "finished_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=F("max_score"))),
                name="attempt_score_between_zero_and_max",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="attempt_finishes_after_it_starts",
            ),
            # Two attempts started at the same moment cannot both count: the second insert fails
            # and attempt_start records it as practice.
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(is_ranked=True), name="one_ranked_attempt_per_user_per_quiz"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.quiz} ({self.started_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("attempt_resume", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> int | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score)

    @property
    def duration(self):
        return (self.finished_at or timezone.now()) - self.started_at


class Response(models.Model):
    """A trainee's answer to one question within one attempt."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    chosen = models.ManyToManyField(Choice, related_name="responses")
    is_correct = models.BooleanField()
    points = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField(default=timezone.now)
    seconds_taken = models.PositiveIntegerField(default=0)

    objects = querysets.ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_response_per_question_per_attempt"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="response_points_not_negative"),
            models.CheckConstraint(
                condition=Q(points__lte=POINTS_PER_QUESTION), name="response_points_within_question_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}: {'right' if self.is_correct else 'wrong'}"


class LeaderboardEntry(models.Model):
    """One trainee's running total on one leaderboard, kept in step with their ranked responses.

    The responses are the record of truth; these rows exist so that a board is read from an index
    (the top rows, then one row and a count for the viewer) instead of summing every response on
    every page view, which would grow with the cohort. Each ranked answer adds to three rows in the
    same transaction as its insert (quizzes/services/leaderboard.py: leaderboard_count_response);
    deleting an attempt takes its answers off again (the pre_delete receiver below); and
    leaderboard_rebuild recomputes every row from the responses.

    `board` names the board: "all", "week-YYYY-MM-DD" (the Monday that starts the week, in the
    site's time zone) or "quiz-<quiz id>". One string column rather than nullable week and quiz
    columns keeps (board, user) a plain unique key that both SQLite and PostgreSQL can upsert on.
    """

    board = models.CharField(max_length=24)
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="leaderboard_entries")
    points = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)

    objects = querysets.LeaderboardEntryQuerySet.as_manager()

    ALL_TIME = "all"

    class Meta:
        verbose_name_plural = "leaderboard entries"
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="one_leaderboard_entry_per_user_per_board"),
            models.CheckConstraint(condition=Q(correct__lte=F("answered")), name="leaderboard_correct_within_answered"),
            models.CheckConstraint(
                condition=Q(points__lte=F("answered") * POINTS_PER_QUESTION),
                name="leaderboard_points_within_answered",
            ),
        ]
        # Serves both the top of a board (in rank order) and a rank (how many have more points).
        indexes = [models.Index(fields=["board", "-points", "user"], name="leaderboard_rank_idx")]

    def __str__(self) -> str:
        return f"{self.board}: {self.user_id} {self.points}"

    @property
    def accuracy(self) -> int | None:
        """Right answers as a whole percentage of answers (None before any answer)."""
        return round(100 * self.correct / self.answered) if self.answered else None

    @staticmethod
    def week_of(moment: datetime.datetime) -> datetime.date:
        """The Monday that starts `moment`'s week, Monday to Sunday in the site's time zone."""
        day = timezone.localtime(moment, timezone.get_default_timezone()).date()
        return day - datetime.timedelta(days=day.weekday())

    @classmethod
    def week_board(cls, monday: datetime.date) -> str:
        return f"week-{monday.isoformat()}"

    @classmethod
    def quiz_board(cls, quiz_id: int) -> str:
        return f"quiz-{quiz_id}"

    @classmethod
    def boards_for_answer(cls, *, quiz_id: int, answered_at: datetime.datetime) -> list[str]:
        """The three boards a ranked answer counts on, sorted so concurrent writers lock rows in one order."""
        return sorted([cls.ALL_TIME, cls.week_board(cls.week_of(answered_at)), cls.quiz_board(quiz_id)])


@receiver(pre_delete, sender=Attempt, dispatch_uid="leaderboard_uncount_deleted_attempt")
def uncount_deleted_attempt(sender, instance, **kwargs):
    # Every way an attempt is deleted passes here: the admin (one or "delete selected"),
    # queryset.delete(), and the cascade from deleting its user or its quiz. pre_delete runs inside
    # the deletion's transaction while the responses still exist, so their points come off the
    # totals exactly when the responses go.
    from quizzes.services.leaderboard import leaderboard_uncount_attempt

    leaderboard_uncount_attempt(attempt=instance)
