"""The Educators group: exactly the permissions to author content, to view results, to resolve
trainees' problem reports and to create cohorts."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet

from quizzes.models import User

EDUCATORS = "Educators"
AUTHORED_MODELS = ["topic", "source", "quiz", "question", "choice", "acceptedanswer", "matchstem"]
RESULT_MODELS = ["attempt", "response"]
# Viewed and resolved (a change), never added or deleted: a report is the trainee's.
REPORT_MODELS = ["problemreport"]
# Create cohorts of their own trainees (quizzes/services/cohorts.py); a cohort's owners, not permissions,
# decide who changes it and who sees its results.
COHORT_CODENAMES = ["add_cohort"]


def educator_permissions() -> QuerySet[Permission]:
    codenames = [f"{action}_{model}" for model in AUTHORED_MODELS for action in ("add", "change", "delete", "view")]
    codenames += [f"view_{model}" for model in RESULT_MODELS]
    codenames += [f"{action}_{model}" for model in REPORT_MODELS for action in ("view", "change")]
    codenames += COHORT_CODENAMES
    return Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)


def educators_group_sync() -> Group:
    """Create the group if needed and give it exactly the educator permissions, no more."""
    group, _ = Group.objects.get_or_create(name=EDUCATORS)
    group.permissions.set(educator_permissions())
    return group


@transaction.atomic
def educator_create(
    *, username: str, password: str, display_name: str = "", email: str = "", department: str = ""
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        display_name=display_name or username,
        department=department,
        is_staff=True,
    )
    user.groups.add(educators_group_sync())
    return user
