"""Load the bundled content pack (quizzes/content/*.yaml), all of it or, if any file is invalid, none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.bank import BankInvalid
from quizzes.bank.quizpack_reader import parse_pack_files
from quizzes.content import CONTENT_DIR
from quizzes.services.content import quiz_packs_save


class Command(BaseCommand):
    help = "Load or update the bundled quizzes. Validates every file first; saves nothing if any is invalid."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=CONTENT_DIR, help="Folder of quizpack YAML files.")

    def handle(self, *args, dir: Path, **options):
        paths = sorted(dir.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No .yaml files in {dir}")
        try:
            packs = parse_pack_files(paths, images_dir=dir / "images")
        except BankInvalid as invalid:
            raise CommandError("Nothing was loaded. Fix these problems first:\n" + str(invalid)) from None
        quizzes = quiz_packs_save(packs=packs, images_dir=dir / "images")
        if options["verbosity"] >= 1:
            for pack, quiz in zip(packs, quizzes, strict=False):
                self.stdout.write(f"{pack.file}: {quiz.title} ({len(pack.questions)} questions)")
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(quizzes)} quizzes."))
