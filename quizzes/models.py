"""The quiz site's data: teaching content (topics, sources, quizzes, questions, options) and the
record of trainees working through it (attempts and responses)."""

import datetime
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

from quizzes import querysets
from quizzes.rich_text import RichTextField, RichTextModel

# Every question is worth the same whole number of points, large enough that a multiple-select
# question's partial credit is a whole number too (the rules: quizzes/scoring.py and the scoring
# page). Changing it means rescaling stored points in a migration.
POINTS_PER_QUESTION = 10

# Exam time limits beyond a working day are typing mistakes.
MAX_EXAM_MINUTES = 480


class User(AbstractUser):
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="Shown to other people (for example on leaderboards) instead of the username.",
    )
    department = models.CharField(
        max_length=120,
        blank=True,
        help_text="Educators: the department or service shown with your name on the questions you write "
        "(“Written by <display name>, <department>”).",
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


# Source links are followed by trainees: only web pages, never javascript:, data: or ftp: links. The
# admin and every importer validate with this; pages link only what it accepts (Source.link).
validate_http_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://.", code="not_web"
)


class Source(models.Model):
    """A teaching document that questions cite."""

    key = models.SlugField(max_length=80, unique=True, help_text="Short identifier used by imports.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(blank=True, validators=[validate_http_url])
    doi = models.CharField("DOI", max_length=120, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.citation

    @property
    def link(self) -> str:
        """The URL to link to, or "" when there is none or it is not a web address (saved before the
        validator, or by a path that skipped it): such a URL is never rendered as a link."""
        try:
            validate_http_url(self.url)
        except ValidationError:
            return ""
        return self.url

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


class Quiz(RichTextModel):
    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard quiz"
        CASE = "case", "Case vignette (shown stage by stage)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = RichTextField(blank=True, help_text="Markdown.")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="quizzes")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.STANDARD)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    order = models.PositiveIntegerField(default=0)
    exam_minutes = models.PositiveSmallIntegerField(
        "exam time limit (minutes)",
        null=True,
        blank=True,
        help_text="Offers exam mode (no feedback until the end) with this time limit. Leave empty to offer "
        "tutor mode only. Case vignettes have no exam mode: their stages are revealed one answer at a time.",
    )

    objects = querysets.QuizQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "topic__name", "order", "title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(exam_minutes__isnull=True)
                | (Q(exam_minutes__gte=1) & Q(exam_minutes__lte=MAX_EXAM_MINUTES) & ~Q(kind="case")),
                name="quiz_exam_minutes_positive_and_not_for_cases",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quiz_detail", args=[self.slug])

    @property
    def is_case(self) -> bool:
        return self.kind == self.Kind.CASE

    @property
    def offers_exam(self) -> bool:
        return self.exam_minutes is not None and not self.is_case


class Tag(models.Model):
    """A label educators put on questions across quizzes (Moodle's tags): the admin filters by it and a
    trainee can practise every published question that carries it."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    objects = querysets.TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # "CT" and "ct" are one tag: banks from different systems spell the same tag differently.
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(RichTextModel):
    # Draft questions are being finished (an imported question without its explanation or a rationale
    # on every option): trainees never see them, whatever the quiz's status.
    Status = Quiz.Status

    class Kind(models.TextChoices):
        SINGLE = "single", "Single best answer"
        MULTIPLE = "multiple", "Multiple select"
        TRUE_FALSE = "true_false", "True or false"
        HOTSPOT = "hotspot", "Click on the image (hotspot)"
        SHORT_ANSWER = "short_answer", "Short answer (typed diagnosis)"
        MATCHING = "matching", "Extended matching"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        max_length=80, help_text="Identifies the question within its quiz when a bank is re-imported."
    )
    idnumber = models.CharField(
        "ID number",
        max_length=100,
        blank=True,
        help_text="Another system's identifier for the question (Moodle's ID number): when set, it identifies "
        "the question within its quiz on re-import, before the key.",
    )
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.SINGLE)
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.PUBLISHED,
        help_text="Draft questions are hidden from trainees until an educator finishes and publishes them.",
    )
    tags = models.ManyToManyField(Tag, related_name="questions", blank=True)
    stage = RichTextField(
        blank=True,
        help_text="Case vignettes: the history or findings revealed at this stage (Markdown).",
    )
    stem = RichTextField(help_text="The question (Markdown).")
    image = models.ImageField(upload_to="questions/", blank=True)
    thumbnail = models.ImageField(upload_to="questions/thumbnails/", blank=True, editable=False)
    image_alt = models.CharField("image alt text", max_length=300, blank=True)
    explanation = RichTextField(help_text="Shown after answering (Markdown).")
    learning_point = models.CharField(max_length=400)
    sources = models.ManyToManyField(
        Source,
        related_name="questions",
        blank=True,
        help_text="Optional. A question without a source cites its author instead "
        "(“Written by <display name>, <department>”).",
    )
    # Whoever first wrote the question in the admin: its citation when it cites no source. Imported
    # and bundled questions have none (a bank file names its own sources or nobody).
    author = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="authored_questions", editable=False
    )
    allow_no_abnormality = models.BooleanField(
        "offer “No abnormality”",
        default=False,
        help_text="Hotspot questions: let the trainee answer that the image shows no abnormality. That answer "
        "is right only when the question has no target regions.",
    )
    # The version trainees see now (QuestionVersion; quizzes/services/versions.py counts it up). A
    # response records the version it answered, so an edit never changes what past answers meant.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Database defaults for the columns added with these kinds: rows written by raw SQL (the benchmark
    # seeder, backups) need not name them.
    case_sensitive = models.BooleanField(
        db_default=False,
        help_text="Short answer: letters must match in case too (Moodle's “case sensitive”). Rarely wanted.",
    )
    forgive_typos = models.BooleanField(
        "forgive small typing slips",
        db_default=True,
        help_text="Short answer: accept a typed answer one or two letters off an accepted answer of "
        "several letters, as a marker would. Turn off when near-spellings name different things.",
    )
    fewer_options_reason = models.CharField(
        "why no more options than stems",
        max_length=300,
        blank=True,
        db_default="",
        help_text="Extended matching: a matching question offers more options than it has stems, so the "
        "last stem is not answered by elimination. Say here why this one does not.",
    )

    # What a question is worth, for templates (a constant, not a field: every question is worth the same).
    POINTS = POINTS_PER_QUESTION
    # True on a question read back from one of its earlier versions (quizzes/versions.py: answered_question).
    is_earlier_version = False

    objects = querysets.QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="question_key_unique_in_quiz"),
            models.UniqueConstraint(
                fields=["quiz", "idnumber"], condition=~Q(idnumber=""), name="question_idnumber_unique_in_quiz"
            ),
            models.CheckConstraint(condition=Q(image="") | ~Q(image_alt=""), name="question_image_has_alt_text"),
            models.CheckConstraint(condition=~Q(kind="hotspot") | ~Q(image=""), name="hotspot_question_has_image"),
            models.CheckConstraint(condition=Q(version__gte=1), name="question_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.title}: {self.key}"

    @property
    def is_multiple(self) -> bool:
        return self.kind == self.Kind.MULTIPLE

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_hotspot(self) -> bool:
        return self.kind == self.Kind.HOTSPOT

    @property
    def is_short_answer(self) -> bool:
        return self.kind == self.Kind.SHORT_ANSWER

    @property
    def is_matching(self) -> bool:
        return self.kind == self.Kind.MATCHING

    @property
    def has_options(self) -> bool:
        """Answered by choosing among its options (Choice rows): ticking them, or one per matching stem; a
        hotspot question by a point and a short answer by typing instead."""
        return self.picks_options or self.is_matching

    @property
    def picks_options(self) -> bool:
        """Answered by ticking options (single best answer, multiple select, true/false)."""
        return self.kind in {self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.TRUE_FALSE}

    @property
    def authorship(self) -> str:
        """The citation of a question that cites no source (the author loaded with it: for_display).

        Never the username: it is a login credential, not a public name.
        """
        author = self.author
        name = author.display_name.strip() if author else ""
        if author and name == author.username:
            name = ""  # create_educator's default display name when none was given
        department = author.department.strip() if author else ""
        if not name:
            return f"Written by an educator, {department}" if department else "Written by this site's educators"
        return f"Written by {name}, {department}" if department else f"Written by {name}"


class QuestionVersion(models.Model):
    """A question as trainees saw it and as its answers were scored, kept when an educator changes it.

    `snapshot` holds the question's content (quizzes/versions.py: question_snapshot says what, and
    answered_question reads it back). Versions begin with the first change after a trainee answered
    the question: that change records the answered state as version 1 (if it is not recorded yet) and
    the new state as version 2 (quizzes/services/versions.py). Response.question_version names the
    version each answer was given to.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    # The version's image, named here too so that the file stays stored after the question's image is
    # replaced (quizzes/stored_files.py keeps every file a row names) and is served with the question.
    image = models.ImageField(upload_to="questions/", blank=True)
    changed_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True, help_text="What changed from the version before, and how.")

    objects = querysets.QuestionVersionQuerySet.as_manager()

    class Meta:
        ordering = ["question", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="question_version_number_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.question}, version {self.number}"


class Choice(RichTextModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    # Moodle's fraction / 100 and GIFT's %n%: how the answer scores is quizzes/scoring.py's to say.
    weight = models.DecimalField(
        max_digits=8,
        decimal_places=7,
        null=True,
        blank=True,
        help_text="This option's share of the question's points, from -1 to 1 (0.5 is half marks; negative "
        "takes points off a multiple-select answer). Leave every option of a question empty for the site's "
        "usual rule: the right option scores all, a multiple-select answer earns partial credit.",
    )
    rationale = RichTextField(help_text="Why this option is right or wrong (Markdown).")
    order = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(
        default=False,
        help_text="Retired options are no longer offered; answers that chose one keep it (an option "
        "trainees chose cannot be deleted).",
    )

    objects = querysets.ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | (Q(weight__gte=-1) & Q(weight__lte=1)),
                name="choice_weight_between_minus_one_and_one",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class AcceptedAnswer(RichTextModel):
    """A typed answer a short-answer question accepts, with the share of full marks it earns.

    `text` may hold Moodle's `*` wildcard (any run of characters). How a typed answer is compared with
    it (case, spaces, punctuation, small slips) is quizzes/scoring.py's to say.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="accepted_answers")
    text = models.CharField(max_length=255)
    weight = models.DecimalField(
        max_digits=8,
        decimal_places=7,
        default=1,
        help_text="This answer's share of the question's points, from 0 to 1 (1 is full marks, 0.5 half).",
    )
    feedback = RichTextField(blank=True, help_text="Shown when a typed answer matches this one (Markdown).")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=1), name="accepted_answer_weight_between_zero_and_one"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="accepted_answer_has_text"),
        ]

    def __str__(self) -> str:
        return self.text


class MatchStem(RichTextModel):
    """One item of an extended-matching question: a vignette (optionally with an image) that the
    trainee matches to one of the question's options (its Choices)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="match_stems")
    text = RichTextField(help_text="The vignette (Markdown).")
    image = models.ImageField(upload_to="questions/stems/", blank=True)
    image_alt = models.CharField("image alt text", max_length=300, blank=True)
    # The option that answers this stem: an option that is some stem's answer is retired, not deleted.
    # RESTRICT, not PROTECT: deleting the question (or its quiz) deletes the stem with the option, which
    # PROTECT would refuse.
    answer = models.ForeignKey(Choice, on_delete=models.RESTRICT, related_name="answers_stems")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(image="") | ~Q(image_alt=""), name="match_stem_image_has_alt_text"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class HotspotRegion(RichTextModel):
    """A target on a hotspot question's image: a click inside any of its question's regions is right.

    Geometry is relative to the image (0 to 1 across and down), in the format quizzes/hotspots.py
    documents and checks; every way regions are saved validates them there first.
    """

    class Shape(models.TextChoices):
        ELLIPSE = "ellipse", "Ellipse"
        POLYGON = "polygon", "Polygon"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="regions")
    shape = models.CharField(max_length=10, choices=Shape)
    geometry = models.JSONField()
    feedback = RichTextField(blank=True, help_text="Shown with this region after answering (Markdown).")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_shape_display()} on {self.question}"


class Attempt(models.Model):
    """One sitting of a set of questions: a quiz, or a practice set drawn from the trainee's record.

    The questions are fixed when the attempt starts (AttemptQuestion), so an exam's length, the score's
    maximum and the order of a practice set never change under the trainee.
    """

    class Mode(models.TextChoices):
        TUTOR = "tutor", "Tutor (instant feedback)"
        EXAM = "exam", "Exam (feedback at the end)"

    class Kind(models.TextChoices):
        QUIZ = "quiz", "Quiz"
        MISTAKES = "mistakes", "Practise my mistakes"
        REVIEW = "review", "Due today (spaced repetition)"
        TAG = "tag", "Practise a tag"
        AGAIN = "again", "Practise these again"

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.QUIZ)
    # The quiz taken; for a practice set, the quiz it was drawn from, or none when drawn from all.
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts", null=True, blank=True)
    # A tag's practice set: the tag it was drawn from (the set stays when the tag is deleted).
    tag = models.ForeignKey(Tag, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    questions = models.ManyToManyField(Question, through="AttemptQuestion", related_name="+")
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.TUTOR)
    started_at = models.DateTimeField(default=timezone.now)
    # Exam mode: answers are refused from this moment, and the attempt is finished (as of this moment)
    # by the first request that finds it past.
    deadline = models.DateTimeField(null=True, blank=True)
    last_answered_at = models.DateTimeField(null=True, blank=True)
    # The running tally: how many of its questions have an answer, and their points. Changed with F()
    # in the statement that stamps last_answered_at, under the attempt's row lock, so a question page
    # shows "n of m answered" without counting the responses (quizzes/services/attempts.py, exam.py).
    answered_count = models.PositiveIntegerField(default=0)
    points_so_far = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempt finishes, from its responses: the responses are the record of truth.
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(null=True, blank=True)
    # Seeds the order its questions' options are shown in (quizzes/options.py). Never shown to anyone.
    # A secret from secrets, set on the first save: the order cannot be replayed from the ids in URLs.
    shuffle_seed = models.CharField(max_length=32, editable=False)
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
            models.CheckConstraint(
                condition=Q(points_so_far__lte=F("answered_count") * POINTS_PER_QUESTION),
                name="attempt_points_so_far_within_answered",
            ),
            # Two attempts started at the same moment cannot both count: the second insert fails
            # and attempt_start records it as practice.
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(is_ranked=True), name="one_ranked_attempt_per_user_per_quiz"
            ),
            models.CheckConstraint(condition=~Q(kind="quiz") | Q(quiz__isnull=False), name="quiz_attempt_has_quiz"),
            # Practice sets are practice: only a quiz can count for the leaderboard.
            models.CheckConstraint(condition=Q(is_ranked=False) | Q(kind="quiz"), name="only_quiz_attempts_ranked"),
            models.CheckConstraint(
                condition=(Q(mode="exam") & Q(deadline__gt=F("started_at")))
                | (Q(mode="tutor") & Q(deadline__isnull=True)),
                name="exam_attempt_has_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.title} ({self.started_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self.shuffle_seed:
            self.shuffle_seed = secrets.token_hex(16)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("attempt_resume", args=[self.pk])

    @property
    def title(self) -> str:
        if self.kind == self.Kind.QUIZ:
            return self.quiz.title
        label = self.get_kind_display()
        if self.tag_id:
            return f"{label}: {self.tag.name}"
        return f"{label}: {self.quiz.title}" if self.quiz_id else label

    @property
    def is_exam(self) -> bool:
        return self.mode == self.Mode.EXAM

    def is_past_deadline(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    @property
    def ran_out_of_time(self) -> bool:
        """An exam finished by its time limit rather than by the trainee submitting it."""
        return self.deadline is not None and self.finished_at is not None and self.finished_at >= self.deadline

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


class AttemptQuestion(models.Model):
    """A question's place in an attempt, and whether the trainee flagged it for review (exam mode)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attempt_items")
    position = models.PositiveSmallIntegerField()
    is_flagged = models.BooleanField(default=False)

    objects = querysets.AttemptQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="question_once_per_attempt"),
            models.UniqueConstraint(fields=["attempt", "position"], name="one_question_per_attempt_position"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}: {self.question_id}"


class Response(models.Model):
    """A trainee's answer to one question within one attempt.

    In exam mode the answer may change until the attempt finishes; the row is updated in place and
    nothing of it is shown before then.
    """

    class Confidence(models.TextChoices):
        LOW = "low", "Low: a guess"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High: sure"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    chosen = models.ManyToManyField(Choice, through="ResponseChoice", related_name="responses")
    # Hotspot questions: where the trainee clicked, relative to the image (0 to 1 across and down);
    # no point means they answered "No abnormality".
    point_x = models.FloatField(null=True, blank=True)
    point_y = models.FloatField(null=True, blank=True)
    # Short answer: what the trainee typed, and the accepted answer it matched (none: no match, or the
    # accepted answer was since deleted; the question's versions keep what it was).
    typed_answer = models.CharField(max_length=200, blank=True, db_default="")
    matched_answer = models.ForeignKey(
        AcceptedAnswer, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    is_correct = models.BooleanField()
    points = models.PositiveSmallIntegerField()
    # Tutor mode: how sure the trainee said they were, before seeing the feedback ("" when not said).
    confidence = models.CharField(max_length=6, choices=Confidence, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    seconds_taken = models.PositiveIntegerField(default=0)
    # The question's version when this answer was given (Question.version): its pages show that version.
    question_version = models.PositiveIntegerField(db_default=1)

    objects = querysets.ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_response_per_question_per_attempt"),
            models.CheckConstraint(condition=Q(points__gte=0), name="response_points_not_negative"),
            models.CheckConstraint(
                condition=Q(points__lte=POINTS_PER_QUESTION), name="response_points_within_question_value"
            ),
            models.CheckConstraint(
                condition=(Q(point_x__isnull=True) & Q(point_y__isnull=True))
                | (Q(point_x__gte=0) & Q(point_x__lte=1) & Q(point_y__gte=0) & Q(point_y__lte=1)),
                name="response_point_on_image",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}: {'right' if self.is_correct else 'wrong'}"

    @property
    def has_point(self) -> bool:
        return self.point_x is not None

    @property
    def point(self) -> tuple[float, float] | None:
        """Where the trainee clicked as (x, y), or None for "No abnormality" (and questions with options)."""
        return (self.point_x, self.point_y) if self.has_point else None

    @point.setter
    def point(self, point: tuple[float, float] | None) -> None:
        # Also a keyword of Response(...) and Response.objects.create(...): Django sets properties given there.
        self.point_x, self.point_y = point if point is not None else (None, None)


class ResponseChoice(models.Model):
    """An option a response chose. The option cannot be deleted while an answer records it (PROTECT):
    past answers are history, so an educator retires the option instead."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE)
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT)

    class Meta:
        # The table and its unique pair are the ones Django made for Response.chosen before this
        # model named them (migration 0004 only tells Django so).
        db_table = "quizzes_response_chosen"
        unique_together = [("response", "choice")]

    def __str__(self) -> str:
        # The admin names this row when it refuses to delete a chosen option: say what to do instead.
        return f"a trainee's recorded answer {self.response_id} (tick “retired” to stop offering the option)"


class ResponseMatch(models.Model):
    """Extended matching: the option a response chose for one stem (no row: the stem was left unanswered)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="matches")
    stem = models.ForeignKey(MatchStem, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "stem"], name="one_match_per_stem_per_response"),
        ]

    def __str__(self) -> str:
        return f"a trainee's recorded answer {self.response_id}: stem {self.stem_id} -> option {self.choice_id}"


class ReviewCard(models.Model):
    """A question as one trainee's spaced-repetition card, scheduled by FSRS (the `fsrs` package).

    The columns are the fields of an fsrs.Card, so the scheduler's state survives between reviews
    (quizzes/services/review.py turns one into the other). Every answer the trainee gives to the
    question is a review of its card.
    """

    class Rating(models.IntegerChoices):
        # The values are fsrs.Rating's.
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="review_cards")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    last_rating = models.PositiveSmallIntegerField(choices=Rating)
    reviews = models.PositiveIntegerField(default=1)

    objects = querysets.ReviewCardQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_review_card_per_user_per_question"),
        ]
        indexes = [models.Index(fields=["user", "due"], name="review_card_due_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.question_id} due {self.due:%Y-%m-%d %H:%M}"


class ProblemReport(models.Model):
    """A trainee's report of a problem with a question, for educators to resolve in the admin.

    Made from the question's feedback or a summary, so it points at the attempt and, when the trainee
    had answered, the answer they saw marked. Only its reporter and educators ever see it.
    """

    class Reason(models.TextChoices):
        FACTUAL = "factual", "Factual error"
        UNCLEAR = "unclear", "Unclear wording"
        IMAGE = "image", "Image problem"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    NOTE_MAX_LENGTH = 2000

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="problem_reports")
    reporter = models.ForeignKey("User", on_delete=models.CASCADE, related_name="problem_reports")
    attempt = models.ForeignKey(Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The question's version the trainee saw: the one they answered, else the one shown then.
    question_version = models.PositiveIntegerField(db_default=1)
    reason = models.CharField(max_length=10, choices=Reason)
    note = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    resolved_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(
        "reply to the trainee", blank=True, help_text="Optional. The trainee sees it with the report."
    )

    objects = querysets.ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="problem_report_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["factual", "unclear", "image", "other"]), name="problem_report_reason_known"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="problem_report_has_note"),
            # Resolved exactly when it has a resolution time; open reports have no resolver.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolved_at__isnull=True) & Q(resolved_by__isnull=True))
                | (Q(status="resolved") & Q(resolved_at__isnull=False) & Q(resolved_at__gte=F("created_at"))),
                name="problem_report_resolved_consistently",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.question}"

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED


class LeaderboardEntry(models.Model):
    """One trainee's running total on one leaderboard, kept in step with their ranked responses.

    The responses are the record of truth; these rows exist so that a board is read from an index
    (the top rows, then one row and a count for the viewer) instead of summing every response on
    every page view, which would grow with the cohort. Each ranked answer adds to three rows in the
    same transaction as its insert (quizzes/services/leaderboard.py: leaderboard_count_sql);
    deleting an attempt takes its answers off again (the pre_delete receiver in quizzes/apps.py); and
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
    # How many rows a board shows from its top (the viewer's own row follows if it is further down).
    TOP = 20

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


class BankImport(models.Model):
    """An uploaded question bank from its dry run to its import: the file is kept in storage (the
    import reads the checked file, never a second upload), and the row is the import's job record."""

    class State(models.TextChoices):
        CHECKED = "checked", "Checked (dry run)"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="bank-imports/")
    original_name = models.CharField(max_length=255)
    bank_format = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    # Moodle XML and GIFT hold questions only: the quiz they go into, as the educator named it.
    quiz_slug = models.SlugField(max_length=120, blank=True)
    quiz_title = models.CharField(max_length=200, blank=True)
    quiz_topic = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=State, default=State.CHECKED)
    # What the dry run found and then what the import did (quizzes/services/bank_imports.py).
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def is_over(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


# Join codes avoid letters and digits that read alike (0/O, 1/I/L), so a code read out in a
# teaching room is typed right. Eight of these 31 characters: about 8.5e11 codes.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class Cohort(RichTextModel):
    """A group of trainees an educator teaches (a year of residents, a rotation, a course).

    Its owners (educators) set it quizzes with due dates and see its results; its members see their
    assignments and the cohort's leaderboard. Trainees join with the join code (or its link) until an
    owner closes it (no code) or changes it; who may see and change a cohort is decided by
    CohortQuerySet.owned_by and visible_to, which every cohort view looks it up through.
    """

    name = models.CharField(max_length=120)
    description = RichTextField(blank=True, help_text="Markdown. Members see it on the cohort's page.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    # None: closed, nobody joins by code or link until an owner makes a new one.
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, null=True, blank=True, unique=True, editable=False)
    owners = models.ManyToManyField("User", related_name="owned_cohorts")
    members = models.ManyToManyField("User", through="CohortMembership", related_name="cohorts")
    created_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = querysets.CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_it_starts"),
            models.CheckConstraint(condition=~Q(name=""), name="cohort_has_name"),
            models.CheckConstraint(
                condition=Q(join_code__isnull=True) | Exact(Length("join_code"), JOIN_CODE_LENGTH),
                name="cohort_join_code_full_length",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohort_detail", args=[self.pk])

    @property
    def is_open_for_joining(self) -> bool:
        return self.join_code is not None

    @staticmethod
    def new_join_code() -> str:
        return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))

    @staticmethod
    def normalised_code(typed: str) -> str:
        """A code as stored, from what someone typed: case, spaces and hyphens do not matter."""
        return "".join(typed.split()).replace("-", "").upper()


class CohortMembership(models.Model):
    """A trainee's place in a cohort: from joining (or being added) until leaving (or being removed)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="cohort_memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    objects = querysets.CohortMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="one_membership_per_user_per_cohort")]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class Assignment(models.Model):
    """A quiz set to a cohort, due at a moment, in tutor or exam mode.

    A member has done it with their first attempt at the quiz that ends after it opened (the rule and
    its wording: quizzes/assignments.py; the reads: quizzes/querysets.py, assignment_progress). An exam
    assignment is set only on a quiz that offers exam mode (quizzes/services/cohorts.py refuses it
    otherwise: a check constraint cannot read the quiz's row).
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="assignments")
    mode = models.CharField(max_length=10, choices=Attempt.Mode, default=Attempt.Mode.TUTOR)
    # None: open from the moment it was assigned.
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = querysets.AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            # One assignment per quiz in a cohort, so "done" never has to say which of two it means.
            models.UniqueConstraint(fields=["cohort", "quiz"], name="quiz_assigned_once_per_cohort"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(opens_at__lt=F("due_at")), name="assignment_opens_before_due"
            ),
            models.CheckConstraint(condition=Q(mode__in=["tutor", "exam"]), name="assignment_mode_known"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} for {self.cohort}, due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def opened_at(self) -> datetime.datetime:
        """When attempts start to count for it: its opening date, or when it was assigned."""
        return self.opens_at or self.assigned_at

    @property
    def is_exam(self) -> bool:
        return self.mode == Attempt.Mode.EXAM
