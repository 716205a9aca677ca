"""App configuration for the quizzes app."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(sync_educators_group, sender=self)


def sync_educators_group(**kwargs):
    # Permissions exist only after migrate has created them, so the group is synced after each migrate.
    from quizzes.services.educators import educators_group_sync

    educators_group_sync()
