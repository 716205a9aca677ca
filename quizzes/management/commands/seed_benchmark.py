"""Generate a synthetic cohort for benchmarks: trainees, quizzes, attempts and responses, fast.

    python manage.py seed_benchmark --users 10000 --questions 1000 --responses 1000000

Quizzes of --per-quiz single-best-answer questions; each trainee gets about responses/users answers,
taking quizzes in a random order in whole attempts (the first at each quiz counts for the leaderboard,
about --practice of the rest repeat a quiz as practice), answered at random moments over the last
--weeks weeks with a per-trainee chance of being right. Points follow the real rules (10 for a right
answer), finished attempts carry their scores, and the leaderboard totals are then computed from the
responses by leaderboard_rebuild, the same code that repairs them.

Speed: users, quizzes, questions and options go through bulk_create; attempts, responses and chosen
options, the bulk of the rows, are written with ids assigned here and the database's own bulk path:
COPY on PostgreSQL, executemany of one prepared INSERT on SQLite, in batches, never all in memory.
"""

import random
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from quizzes.models import POINTS_PER_QUESTION, Attempt, AttemptQuestion, Choice, Question, Quiz, Response, Topic, User
from quizzes.services.leaderboard import leaderboard_rebuild

OPTIONS_PER_QUESTION = 4


class Command(BaseCommand):
    help = "Generate synthetic trainees, quizzes and responses in bulk for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, required=True)
        parser.add_argument("--questions", type=int, required=True, help="In all, split into quizzes.")
        parser.add_argument("--responses", type=int, required=True)
        parser.add_argument("--per-quiz", type=int, default=10, help="Questions in each quiz (default 10).")
        parser.add_argument("--weeks", type=int, default=12, help="Answers spread over this many weeks back from now.")
        parser.add_argument("--practice", type=float, default=0.1, help="Share of later attempts that repeat a quiz.")
        parser.add_argument("--prefix", default="bench", help="Prefix of usernames and quiz slugs.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same arguments give the same data.")
        parser.add_argument("--batch-size", type=int, default=20_000)

    def handle(self, *args, users, questions, responses, per_quiz, weeks, practice, prefix, seed, batch_size, **_):
        if min(users, questions, per_quiz, weeks) < 1 or responses < 0:
            raise CommandError("--users, --questions, --per-quiz and --weeks must be at least 1.")
        if User.objects.filter(username__startswith=f"{prefix}-").exists():
            raise CommandError(
                f"Benchmark data with prefix {prefix!r} exists: use another --prefix or a fresh database."
            )
        self.random = random.Random(seed)
        self.batch_size = batch_size
        self.now = timezone.now()
        began = time.perf_counter()
        with transaction.atomic():
            quizzes = self.create_quizzes(prefix, questions, per_quiz)
            user_ids = self.create_users(prefix, users)
            counts = self.create_answers(user_ids, quizzes, responses, weeks, practice)
            entries = leaderboard_rebuild()
        self.stdout.write(
            f"Seeded {users} users, {len(quizzes)} quizzes ({questions} questions), {counts['attempts']} attempts, "
            f"{counts['responses']} responses and {entries} leaderboard entries in {time.perf_counter() - began:.1f} s "
            f"({connection.vendor})."
        )

    def create_quizzes(self, prefix: str, questions: int, per_quiz: int) -> list[dict]:
        """Returns, per quiz, its id and its questions as (question id, right choice id, wrong choice ids)."""
        topic, _ = Topic.objects.get_or_create(slug=f"{prefix}-topic", defaults={"name": f"Benchmark ({prefix})"})
        sizes = [per_quiz] * (questions // per_quiz) + ([questions % per_quiz] if questions % per_quiz else [])
        Quiz.objects.bulk_create(
            Quiz(
                title=f"Benchmark quiz {n}",
                slug=f"{prefix}-quiz-{n}",
                topic=topic,
                order=n,
                status=Quiz.Status.PUBLISHED,
            )
            for n in range(len(sizes))
        )
        quiz_ids = dict(Quiz.objects.filter(topic=topic).values_list("order", "pk"))
        Question.objects.bulk_create(
            (
                Question(
                    quiz_id=quiz_ids[n],
                    key=f"q{order}",
                    order=order,
                    stem=f"Benchmark question {order}?",
                    explanation="Synthetic.",
                    learning_point="Synthetic.",
                )
                for n, size in enumerate(sizes)
                for order in range(size)
            ),
            batch_size=self.batch_size,
        )
        question_rows = list(
            Question.objects.filter(quiz__topic=topic).order_by("quiz_id", "order").values_list("pk", "quiz_id")
        )
        Choice.objects.bulk_create(
            (
                Choice(question_id=question_id, text=f"Option {k}", is_correct=k == 0, rationale="Synthetic.", order=k)
                for question_id, _ in question_rows
                for k in range(OPTIONS_PER_QUESTION)
            ),
            batch_size=self.batch_size,
        )
        choices: dict[int, list[int]] = {}
        options = Choice.objects.filter(question__quiz__topic=topic).order_by("question_id", "order")
        for question_id, choice_id in options.values_list("question_id", "pk"):
            choices.setdefault(question_id, []).append(choice_id)
        quizzes = {quiz_id: {"id": quiz_id, "questions": []} for quiz_id in quiz_ids.values()}
        for question_id, quiz_id in question_rows:
            right, *wrong = choices[question_id]
            quizzes[quiz_id]["questions"].append((question_id, right, wrong))
        return list(quizzes.values())

    def create_users(self, prefix: str, users: int) -> list[int]:
        User.objects.bulk_create(
            (
                # "!" is an unusable password: nobody logs in as a benchmark user except through the test client.
                User(
                    username=f"{prefix}-{n}",
                    display_name=f"Benchmark trainee {n}",
                    password="!benchmark",
                    hide_from_leaderboard=n % 50 == 7,
                )
                for n in range(users)
            ),
            batch_size=self.batch_size,
        )
        return list(User.objects.filter(username__startswith=f"{prefix}-").order_by("pk").values_list("pk", flat=True))

    def create_answers(self, user_ids, quizzes, responses: int, weeks: int, practice: float) -> dict:
        attempt_id = next_id(Attempt)
        response_id = next_id(Response)
        chosen_id = next_id(Response.chosen.through)
        item_id = next_id(AttemptQuestion)
        attempts_out, items_out, responses_out, chosen_out = [], [], [], []
        totals = {"attempts": 0, "responses": 0}
        span = timedelta(weeks=weeks).total_seconds()
        share, extra = divmod(responses, len(user_ids))

        def flush(final=False):
            # Parents before children: every batch of responses finds its attempts already written.
            if final or len(responses_out) >= self.batch_size:
                bulk_insert(
                    Attempt,
                    [
                        "id",
                        "user_id",
                        "kind",
                        "quiz_id",
                        "mode",
                        "started_at",
                        "last_answered_at",
                        "answered_count",
                        "points_so_far",
                        "finished_at",
                        "score",
                        "max_score",
                        "is_ranked",
                        "shuffle_seed",
                    ],
                    attempts_out,
                )
                bulk_insert(AttemptQuestion, ["id", "attempt_id", "question_id", "position", "is_flagged"], items_out)
                bulk_insert(
                    Response,
                    [
                        "id",
                        "attempt_id",
                        "question_id",
                        "is_correct",
                        "points",
                        "confidence",
                        "answered_at",
                        "seconds_taken",
                    ],
                    responses_out,
                )
                bulk_insert(Response.chosen.through, ["id", "response_id", "choice_id"], chosen_out)
                attempts_out.clear(), items_out.clear(), responses_out.clear(), chosen_out.clear()

        for position, user_id in enumerate(user_ids):
            skill = self.random.uniform(0.3, 0.95)
            to_answer = share + (1 if position < extra else 0)
            order = self.random.sample(quizzes, len(quizzes))
            taken: list[dict] = []
            while to_answer > 0:
                repeat = bool(taken) and (len(taken) == len(order) or self.random.random() < practice)
                quiz = self.random.choice(taken) if repeat else order[len(taken)]
                if not repeat:
                    taken.append(quiz)
                answered = quiz["questions"][:to_answer]
                to_answer -= len(answered)
                started = self.now - timedelta(seconds=self.random.uniform(60 * len(answered), span))
                moment, points = started, 0
                for question_id, right, wrong in answered:
                    moment += timedelta(seconds=30)
                    is_correct = self.random.random() < skill
                    points += POINTS_PER_QUESTION if is_correct else 0
                    responses_out.append(
                        (
                            response_id,
                            attempt_id,
                            question_id,
                            is_correct,
                            POINTS_PER_QUESTION if is_correct else 0,
                            "",
                            adapt(moment),
                            30,
                        )
                    )
                    chosen_out.append((chosen_id, response_id, right if is_correct else self.random.choice(wrong)))
                    response_id += 1
                    chosen_id += 1
                finished = len(answered) == len(quiz["questions"])
                for number, (question_id, _right, _wrong) in enumerate(quiz["questions"], start=1):
                    items_out.append((item_id, attempt_id, question_id, number, False))
                    item_id += 1
                attempts_out.append(
                    (
                        attempt_id,
                        user_id,
                        Attempt.Kind.QUIZ.value,
                        quiz["id"],
                        Attempt.Mode.TUTOR.value,
                        adapt(started),
                        adapt(moment),
                        len(answered),
                        points,
                        adapt(moment) if finished else None,
                        points if finished else None,
                        len(answered) * POINTS_PER_QUESTION if finished else None,
                        not repeat,
                        secrets.token_hex(16),
                    )
                )
                attempt_id += 1
                totals["attempts"] += 1
                totals["responses"] += len(answered)
            flush()
        flush(final=True)
        reset_sequences([Attempt, AttemptQuestion, Response, Response.chosen.through])
        return totals


def next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def adapt(moment):
    """A datetime as this database's driver takes it in a raw insert (SQLite stores UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            for batch in batches(rows, 50_000):
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)


def reset_sequences(models) -> None:
    """Ids were chosen here, so PostgreSQL's sequences must move past them (SQLite's follow by themselves)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
