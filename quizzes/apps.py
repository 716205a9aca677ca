"""App configuration for the quizzes app."""

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_delete

        from quizzes.models import Attempt

        post_migrate.connect(sync_educators_group, sender=self)
        pre_delete.connect(uncount_deleted_attempt, sender=Attempt, dispatch_uid="leaderboard_uncount_deleted_attempt")


def sync_educators_group(**kwargs):
    # Permissions exist only after migrate has created them, so the group is synced after each migrate.
    from quizzes.services.educators import educators_group_sync

    educators_group_sync()


def uncount_deleted_attempt(sender, instance, **kwargs):
    # Every way an attempt is deleted passes here: the admin (one or "delete selected"),
    # queryset.delete(), and the cascade from deleting its user or its quiz. pre_delete runs inside
    # the deletion's transaction while the responses still exist, so their points come off the
    # totals exactly when the responses go.
    from quizzes.services.leaderboard import leaderboard_uncount_attempt

    leaderboard_uncount_attempt(attempt=instance)
