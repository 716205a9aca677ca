"""App configuration for the quizzes app."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_delete

        from quizzes.models import Attempt

        post_migrate.connect(sync_educators_group, sender=self)
        post_migrate.connect(render_missing_rich_text, sender=self)
        pre_delete.connect(uncount_deleted_attempt, sender=Attempt, dispatch_uid="leaderboard_uncount_deleted_attempt")


def sync_educators_group(**kwargs):
    # Permissions exist only after migrate has created them, so the group is synced after each migrate.
    from quizzes.services.educators import educators_group_sync

    educators_group_sync()


def render_missing_rich_text(apps=None, **kwargs):
    # Migrations import no app code (tests/test_migrations_frozen.py), so the migration that adds an HTML
    # column cannot render it with rich_text.py's sanitiser: migrate fills it here instead, for rows
    # saved before the column existed; every later write keeps it in step. `apps` is the state the
    # database was migrated to (absent after flush, which leaves the current models).
    from django.apps import apps as current_apps

    from quizzes.rich_text import rich_text_render_stored

    rich_text_render_stored(apps=apps or current_apps, missing_only=True)


def uncount_deleted_attempt(sender, instance, **kwargs):
    # Every way an attempt is deleted passes here: the admin (one or "delete selected"),
    # queryset.delete(), and the cascade from deleting its user or its quiz. pre_delete runs inside
    # the deletion's transaction while the responses still exist, so their points come off the
    # totals exactly when the responses go.
    from quizzes.services.leaderboard import leaderboard_uncount_attempt

    leaderboard_uncount_attempt(attempt=instance)
