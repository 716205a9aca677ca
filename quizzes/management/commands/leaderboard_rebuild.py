"""Recompute every leaderboard total from the responses, or with --check only report the difference."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.services.leaderboard import leaderboard_discrepancies, leaderboard_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the leaderboard totals from the ranked responses (safe while trainees answer). "
        "With --check, change nothing and fail if any total differs from its responses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report differences and exit 1 if any; write nothing.")

    def handle(self, *args, check, **options):
        differences = leaderboard_discrepancies()
        for (board, user_id), (stored, expected) in sorted(differences.items())[:20]:
            self.stdout.write(f"  {board} user {user_id}: stored {fmt(stored)}, responses say {fmt(expected)}")
        if check:
            if differences:
                raise CommandError(f"{len(differences)} leaderboard totals differ from the responses.")
            self.stdout.write(self.style.SUCCESS("Every leaderboard total equals the sum over its responses."))
            return
        count = leaderboard_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} leaderboard totals ({len(differences)} had differed)."))


def fmt(totals) -> str:
    if totals is None:
        return "nothing"
    return f"{totals.points} points, {totals.answered} answered, {totals.correct} correct"
