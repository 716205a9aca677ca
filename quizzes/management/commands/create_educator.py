"""Create an educator: a staff account in the Educators group, able to author content and view results."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.models import User
from quizzes.services.educators import educator_create

PASSWORD_VARIABLE = "EDUCATOR_PASSWORD"


class Command(BaseCommand):
    help = f"Create an educator. The password is prompted for, or read from ${PASSWORD_VARIABLE} for scripts."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--department", default="", help="Shown with the display name on the questions they write without a source."
        )
        parser.add_argument("--email", default="")

    def handle(self, *args, username, display_name, email, department, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        password = os.environ.get(PASSWORD_VARIABLE) or self.prompt_password()
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        educator_create(
            username=username, password=password, display_name=display_name, email=email, department=department
        )
        self.stdout.write(self.style.SUCCESS(f"Educator {username!r} created; they log in at /admin/."))

    def prompt_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
