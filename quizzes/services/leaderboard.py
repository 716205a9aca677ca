"""Leaderboard totals: counting ranked answers as they are recorded, taking them off when their attempt
is deleted, recomputing them from the responses, and a trainee's leaderboard settings.

Which answers count is decided in quizzes/services/attempts.py, and for how much in quizzes/scoring.py;
this module only keeps LeaderboardEntry rows equal to sums over ranked responses. Invariant, checked by
leaderboard_discrepancies and by tests: for every board and trainee, the entry's points, answered
and correct equal the sums over that trainee's ranked responses on that board, and there is no
entry without a ranked response.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from quizzes.models import Attempt, LeaderboardEntry, Response, User


@dataclass(frozen=True)
class Totals:
    points: int = 0
    answered: int = 0
    correct: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.points + other.points, self.answered + other.answered, self.correct + other.correct)


def leaderboard_count_sql(*, user_id: int, quiz_id: int, response: Response) -> tuple[str, list]:
    """The statement (SQL and parameters) that adds one ranked response to its trainee's all-time, weekly
    and per-quiz totals. The caller runs it in the transaction that inserts the response, so the two are
    kept or lost together (quizzes/services/attempts.py: response_counted, answer_recorded)."""
    boards = LeaderboardEntry.boards_for_answer(quiz_id=quiz_id, answered_at=response.answered_at)
    return _add_to_entries_sql(
        user_id=user_id, boards=boards, totals=Totals(response.points, 1, int(response.is_correct))
    )


def _add_to_entries_sql(*, user_id: int, boards: list[str], totals: Totals) -> tuple[str, list]:
    # One INSERT ... ON CONFLICT DO UPDATE for all three rows: it creates a trainee's first row on a
    # board and adds to existing ones in a single statement, and the addition happens in the database
    # (the SQL form of an F() expression), so concurrent answers never read-modify-write. The ORM's
    # bulk_create(update_conflicts=True) can only overwrite, not add. Rows are written in sorted
    # board order, so two transactions for the same trainee lock them in the same order and cannot
    # deadlock. The syntax is the same on SQLite (3.24+) and PostgreSQL.
    table = connection.ops.quote_name(LeaderboardEntry._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(boards))
    params = [value for board in boards for value in (board, user_id, totals.points, totals.answered, totals.correct)]
    return (
        f"INSERT INTO {table} (board, user_id, points, answered, correct) VALUES {rows} "
        f"ON CONFLICT (board, user_id) DO UPDATE SET "
        f"points = {table}.points + excluded.points, "
        f"answered = {table}.answered + excluded.answered, "
        f"correct = {table}.correct + excluded.correct",
        params,
    )


def leaderboard_uncount_attempt(*, attempt: Attempt) -> None:
    """Take a ranked attempt's answers off its trainee's totals, just before the attempt is deleted.

    Called by the pre_delete receiver in quizzes/apps.py, inside the deletion's transaction.
    """
    if not attempt.is_ranked or (attempt.is_exam and not attempt.is_finished):
        return  # Nothing of it was counted: an exam's answers count when it finishes.
    # Lock the attempt first: an answer being recorded holds a key-share lock on it until it commits,
    # and a new one cannot start, so the sums read next are exactly the responses about to go.
    # (SQLite has no row locks: its one writer at a time gives the same guarantee.)
    list(Attempt.objects.select_for_update().filter(pk=attempt.pk).values_list("pk"))
    changes: dict[str, Totals] = defaultdict(Totals)
    for row in Response.objects.filter(attempt=attempt.pk).leaderboard_sums():
        totals = Totals(row["points"], row["answered"], row["correct"])
        for board in LeaderboardEntry.boards_for_answer(quiz_id=attempt.quiz_id, answered_at=row["week"]):
            changes[board] += totals
    for board in sorted(changes):
        # F() expressions: the subtraction happens in the database. The check constraints on the
        # entry refuse to go below zero, so a total that had drifted stops the deletion loudly
        # (run leaderboard_rebuild) rather than silently going wrong.
        LeaderboardEntry.objects.filter(board=board, user=attempt.user_id).update(
            points=F("points") - changes[board].points,
            answered=F("answered") - changes[board].answered,
            correct=F("correct") - changes[board].correct,
        )
    LeaderboardEntry.objects.filter(user=attempt.user_id, board__in=list(changes), answered=0).delete()


def leaderboard_totals_from_responses() -> dict[tuple[str, int], Totals]:
    """What every entry should hold, computed from the responses: {(board, user_id): Totals}."""
    expected: dict[tuple[str, int], Totals] = defaultdict(Totals)
    for row in Response.objects.ranked().leaderboard_sums().iterator(chunk_size=5000):
        totals = Totals(row["points"], row["answered"], row["correct"])
        for board in LeaderboardEntry.boards_for_answer(quiz_id=row["quiz_id"], answered_at=row["week"]):
            expected[(board, row["user_id"])] += totals
    return dict(expected)


def leaderboard_stored_totals() -> dict[tuple[str, int], Totals]:
    return {
        (board, user_id): Totals(points, answered, correct)
        for board, user_id, points, answered, correct in LeaderboardEntry.objects.values_list(
            "board", "user_id", "points", "answered", "correct"
        ).iterator(chunk_size=5000)
    }


def leaderboard_discrepancies() -> dict[tuple[str, int], tuple[Totals | None, Totals | None]]:
    """Entries that differ from the responses: {(board, user_id): (stored, expected)}; empty when right."""
    expected, stored = leaderboard_totals_from_responses(), leaderboard_stored_totals()
    return {
        key: (stored.get(key), expected.get(key))
        for key in expected.keys() | stored.keys()
        if stored.get(key) != expected.get(key)
    }


@transaction.atomic
def leaderboard_rebuild(*, batch_size: int = 5000) -> int:
    """Replace every leaderboard entry with sums over the ranked responses; returns how many entries.

    Safe while trainees are answering: on PostgreSQL a SHARE lock on the responses table waits for
    answers in flight to commit and holds new ones back until the rebuild commits (SQLite lets one
    writer in at a time anyway), so no answer is counted twice or missed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Response._meta.db_table)} IN SHARE MODE")
    expected = leaderboard_totals_from_responses()
    LeaderboardEntry.objects.all().delete()
    LeaderboardEntry.objects.bulk_create(
        (
            LeaderboardEntry(board=board, user_id=user_id, points=t.points, answered=t.answered, correct=t.correct)
            for (board, user_id), t in expected.items()
        ),
        batch_size=batch_size,
    )
    return len(expected)


def leaderboard_settings_update(*, user: User, display_name: str, hide_from_leaderboard: bool) -> User:
    """Change the name other people see and whether other trainees see it on leaderboards."""
    user.display_name = display_name
    user.hide_from_leaderboard = hide_from_leaderboard
    user.save(update_fields=["display_name", "hide_from_leaderboard"])
    return user
