"""Cohorts: creating and changing them, their join codes, their trainees and owners, and the quizzes
assigned to them.

Who may call these is decided before: views find a cohort only through CohortQuerySet.owned_by (to
change it) or visible_to (to show it). Refusals are quizzes/refusals.py's CohortRefused family, raised
before anything changes; the database's unique constraints decide between two simultaneous requests.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import Assignment, Attempt, Cohort, CohortMembership, Quiz, User
from quizzes.refusals import (
    AlreadyAssigned,
    AlreadyMember,
    AlreadyOwner,
    ExamNotOffered,
    JoinCodeNotOpen,
    MemberCannotOwn,
    NoSuchUser,
    NotAnEducator,
    OwnerCannotJoin,
)

# Who may create a cohort and own one: educators (the Educators group has it: quizzes/services/educators.py)
# and site administrators. Once a cohort exists, its owners, not permissions, decide who changes it.
COHORT_OWNER_PERMISSION = "quizzes.add_cohort"
# A code is drawn again when it clashes with another cohort's (about one in 10^11 per cohort).
JOIN_CODE_DRAWS = 5


@transaction.atomic
def cohort_create(
    *, created_by: User, name: str, description: str, starts_on: datetime.date, ends_on: datetime.date
) -> Cohort:
    """A new cohort owned by its creator, open to join with a new code."""
    cohort = Cohort(
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=created_by,
        created_at=timezone.now(),
    )
    cohort_code_save(cohort=cohort)
    cohort.owners.add(created_by)
    return cohort


def cohort_update(
    *, cohort: Cohort, name: str, description: str, starts_on: datetime.date, ends_on: datetime.date
) -> Cohort:
    cohort.name, cohort.description, cohort.starts_on, cohort.ends_on = name, description, starts_on, ends_on
    cohort.save(update_fields=["name", "description", "starts_on", "ends_on"])
    return cohort


def cohort_code_save(*, cohort: Cohort) -> Cohort:
    """Save the cohort with a new join code (a new cohort, or a new code that replaces the old one, which
    stops working at once). The unique constraint, not a prior read, rules out a clash."""
    for _ in range(JOIN_CODE_DRAWS):
        cohort.join_code = Cohort.new_join_code()
        try:
            with transaction.atomic():
                cohort.save()
            return cohort
        except IntegrityError:
            if not Cohort.objects.filter(join_code=cohort.join_code).exclude(pk=cohort.pk).exists():
                raise
    raise RuntimeError("Could not draw a join code that no other cohort has.")


def cohort_code_close(*, cohort: Cohort) -> Cohort:
    """Nobody joins by code or link until an owner makes a new code."""
    cohort.join_code = None
    cohort.save(update_fields=["join_code"])
    return cohort


def cohort_join(*, user: User, code: str) -> Cohort:
    """Join the cohort whose code this is (as typed: case, spaces and hyphens do not matter)."""
    cohort = Cohort.objects.open_with_code(code).first()
    if cohort is None:
        raise JoinCodeNotOpen(code)
    membership_create(cohort=cohort, user=user)
    return cohort


def cohort_member_add(*, cohort: Cohort, username: str) -> User:
    """An owner adds a trainee by username."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NoSuchUser(username)
    membership_create(cohort=cohort, user=user, who=f"“{username}”")
    return user


def membership_create(*, cohort: Cohort, user: User, who: str = "") -> CohortMembership:
    """`who` names the trainee in a refusal when someone else adds them ("" when they join themselves)."""
    if cohort.owners.filter(pk=user.pk).exists():
        raise OwnerCannotJoin(cohort, who=f"{who} owns" if who else "You own")
    try:
        with transaction.atomic():
            return CohortMembership.objects.create(cohort=cohort, user=user, joined_at=timezone.now())
    except IntegrityError:
        if CohortMembership.objects.filter(cohort=cohort, user=user).exists():
            raise AlreadyMember(cohort, who=f"{who} is" if who else "You are") from None
        raise


def cohort_member_remove(*, cohort: Cohort, user: User) -> bool:
    """A trainee leaves, or an owner removes them. Their attempts stay theirs; whether they were a member."""
    deleted, _ = CohortMembership.objects.filter(cohort=cohort, user=user).delete()
    return bool(deleted)


def cohort_owner_add(*, cohort: Cohort, username: str) -> User:
    """Make another educator a co-owner, with every right the creator has."""
    # ModelBackend is the backend that knows groups' permissions (axes' backend only guards log-ins).
    educators = User.objects.with_perm(COHORT_OWNER_PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
    user = educators.filter(username=username).first()
    if user is None:
        if User.objects.filter(username=username).exists():
            raise NotAnEducator(username)
        raise NoSuchUser(username)
    if cohort.owners.filter(pk=user.pk).exists():
        raise AlreadyOwner(username, cohort)
    if CohortMembership.objects.filter(cohort=cohort, user=user).exists():
        raise MemberCannotOwn(username, cohort)
    cohort.owners.add(user)
    return user


def assignment_create(
    *,
    cohort: Cohort,
    quiz: Quiz,
    mode: str,
    due_at: datetime.datetime,
    opens_at: datetime.datetime | None = None,
    assigned_by: User,
) -> Assignment:
    """Set the cohort a quiz, due at `due_at`, counting attempts that end from `opens_at` (or from now)."""
    if mode == Attempt.Mode.EXAM and not quiz.offers_exam:
        raise ExamNotOffered(quiz)
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                cohort=cohort,
                quiz=quiz,
                mode=mode,
                opens_at=opens_at,
                due_at=due_at,
                assigned_at=timezone.now(),
                assigned_by=assigned_by,
            )
    except IntegrityError:
        if Assignment.objects.filter(cohort=cohort, quiz=quiz).exists():
            raise AlreadyAssigned(quiz, cohort) from None
        raise


def assignment_update(
    *, assignment: Assignment, mode: str, due_at: datetime.datetime, opens_at: datetime.datetime | None
) -> Assignment:
    """Change when it opens, when it is due and its mode: every member's status follows at once, since
    statuses are read from the attempts, never stored."""
    if mode == Attempt.Mode.EXAM and not assignment.quiz.offers_exam:
        raise ExamNotOffered(assignment.quiz)
    assignment.mode, assignment.due_at, assignment.opens_at = mode, due_at, opens_at
    assignment.save(update_fields=["mode", "due_at", "opens_at"])
    return assignment


def assignment_delete(*, assignment: Assignment) -> None:
    """Take the assignment away. The attempts made for it stay: they are the trainees' own."""
    assignment.delete()
