"""`manage.py content_lint`: the content lint's figures for each quiz, and a failure on any breach."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.bank import BankInvalid
from quizzes.bank.quizpack_reader import parse_pack_files
from quizzes.content import CONTENT_DIR
from quizzes.content.lint import (
    SeedsMissing,
    content_lint,
    prose_texts,
    seed_texts,
    seeds_dir,
)


class Command(BaseCommand):
    help = (
        "Print the item-writing figures of the content pack and the runs its prose shares with the source "
        "documents; exit with an error if any threshold in docs/content-format.md is breached."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=CONTENT_DIR, help="Folder of quizpack YAML files.")
        parser.add_argument(
            "--seeds", type=Path, default=None, help="Folder of source documents (default ../shared/seeds)."
        )
        parser.add_argument(
            "--show-runs", action="store_true", help="Also list each 10-word run a file shares with the seeds."
        )

    def handle(self, *args, dir: Path, seeds: Path | None, show_runs: bool, **options):
        try:
            quizzes = parse_pack_files(sorted(dir.glob("*.yaml")), images_dir=dir / "images")
            prose, seed_documents = prose_texts(dir), seed_texts(seeds or seeds_dir())
        except (BankInvalid, SeedsMissing) as error:
            raise CommandError(str(error)) from None
        report = content_lint(quizzes=quizzes, prose=prose, seeds=seed_documents)
        if show_runs:
            for path, found in report.shared_runs.items():
                for run in found:
                    self.stdout.write(f"{path}: {run}")
        if report.breaches:
            raise CommandError(f"{report}\nThe content lint failed.")
        self.stdout.write(str(report))
