"""Cohorts: creating one, its join code, joining and leaving, adding trainees and co-owners, assigning
quizzes; every refusal changes nothing, and the database holds the invariants."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from quizzes.models import Assignment, Attempt, Cohort, CohortMembership
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
from quizzes.services.cohorts import (
    assignment_create,
    assignment_update,
    cohort_code_close,
    cohort_code_save,
    cohort_create,
    cohort_join,
    cohort_member_add,
    cohort_member_remove,
    cohort_owner_add,
)
from tests.factories import make_cohort, make_educator, make_quiz, make_user

pytestmark = pytest.mark.django_db
TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def educator():
    return make_educator()


@pytest.fixture
def cohort(educator):
    return make_cohort(owner=educator, name="First-years 2026")


def test_a_new_cohort_is_owned_by_its_creator_and_open_with_a_fresh_code(educator):
    today = timezone.localdate()
    cohort = cohort_create(created_by=educator, name="Rotation", description="", starts_on=today, ends_on=today)

    assert list(cohort.owners.all()) == [educator] and cohort.created_by == educator
    assert len(cohort.join_code) == 8 and set(cohort.join_code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_joining_with_the_code_as_typed_makes_a_member(cohort, trainee):
    typed = f" {cohort.join_code[:4].lower()}-{cohort.join_code[4:]} "

    assert cohort_join(user=trainee, code=typed) == cohort
    assert CohortMembership.objects.filter(cohort=cohort, user=trainee).exists()


def test_a_wrong_code_is_refused_and_changes_nothing(cohort, trainee):
    with pytest.raises(JoinCodeNotOpen, match="No cohort is open to join with the code “NOPE2345”"):
        cohort_join(user=trainee, code="NOPE2345")

    assert not CohortMembership.objects.exists()


def test_a_closed_code_is_refused_as_a_wrong_one_is(cohort, trainee):
    code = cohort.join_code
    cohort_code_close(cohort=cohort)

    with pytest.raises(JoinCodeNotOpen):
        cohort_join(user=trainee, code=code)
    with pytest.raises(JoinCodeNotOpen):
        cohort_join(user=trainee, code="")
    assert Cohort.objects.get(pk=cohort.pk).join_code is None
    assert not CohortMembership.objects.exists()


def test_a_new_code_replaces_the_old_one(cohort, trainee):
    old = cohort.join_code
    cohort_code_save(cohort=cohort)

    assert cohort.join_code != old
    with pytest.raises(JoinCodeNotOpen):
        cohort_join(user=trainee, code=old)
    assert cohort_join(user=trainee, code=cohort.join_code) == cohort


def test_joining_twice_says_so_and_keeps_one_membership(cohort, trainee):
    cohort_join(user=trainee, code=cohort.join_code)

    with pytest.raises(AlreadyMember, match="You are already a member of “First-years 2026”"):
        cohort_join(user=trainee, code=cohort.join_code)
    assert CohortMembership.objects.filter(user=trainee).count() == 1


def test_an_owner_cannot_join_their_own_cohort(cohort, educator):
    with pytest.raises(OwnerCannotJoin):
        cohort_join(user=educator, code=cohort.join_code)
    assert not CohortMembership.objects.exists()


def test_the_database_keeps_one_membership_per_trainee(cohort, trainee):
    CohortMembership.objects.create(cohort=cohort, user=trainee)

    with pytest.raises(IntegrityError):
        CohortMembership.objects.create(cohort=cohort, user=trainee)


def test_leaving_ends_the_membership_and_keeps_the_attempts(cohort, trainee, quiz):
    cohort_join(user=trainee, code=cohort.join_code)
    Attempt.objects.create(user=trainee, quiz=quiz)

    assert cohort_member_remove(cohort=cohort, user=trainee)
    assert not CohortMembership.objects.exists()
    assert Attempt.objects.filter(user=trainee).count() == 1
    assert not cohort_member_remove(cohort=cohort, user=trainee)  # leaving twice: nothing to do


def test_an_owner_adds_a_trainee_by_username(cohort):
    ada = make_user(username="ada")

    assert cohort_member_add(cohort=cohort, username="ada") == ada
    with pytest.raises(AlreadyMember, match="“ada” is already a member"):
        cohort_member_add(cohort=cohort, username="ada")
    with pytest.raises(NoSuchUser):
        cohort_member_add(cohort=cohort, username="nobody")
    assert CohortMembership.objects.filter(cohort=cohort).count() == 1


def test_co_owners_must_be_educators_and_not_trainees_of_the_cohort(cohort, educator, trainee):
    colleague = make_educator(username="colleague")
    make_user(username="just-a-trainee")
    cohort_member_add(cohort=cohort, username=trainee.username)

    assert cohort_owner_add(cohort=cohort, username="colleague") == colleague
    with pytest.raises(AlreadyOwner):
        cohort_owner_add(cohort=cohort, username="colleague")
    with pytest.raises(NotAnEducator):
        cohort_owner_add(cohort=cohort, username="just-a-trainee")
    with pytest.raises(NoSuchUser):
        cohort_owner_add(cohort=cohort, username="nobody")
    promoted = make_educator()
    CohortMembership.objects.create(cohort=cohort, user=promoted)
    with pytest.raises(MemberCannotOwn):
        cohort_owner_add(cohort=cohort, username=promoted.username)
    assert set(cohort.owners.all()) == {educator, colleague}


def test_a_cohort_cannot_end_before_it_starts(educator):
    today = timezone.localdate()

    with pytest.raises(IntegrityError):
        cohort_create(created_by=educator, name="Backwards", description="", starts_on=today, ends_on=today - TOMORROW)


def test_assigning_a_quiz_in_exam_mode_needs_a_quiz_that_offers_it(cohort, educator):
    tutor_only = make_quiz(questions=1)
    due = timezone.now() + TOMORROW

    with pytest.raises(ExamNotOffered, match="can only be assigned in tutor mode"):
        assignment_create(cohort=cohort, quiz=tutor_only, mode="exam", due_at=due, assigned_by=educator)
    assert not Assignment.objects.exists()

    assignment = assignment_create(cohort=cohort, quiz=tutor_only, mode="tutor", due_at=due, assigned_by=educator)
    with pytest.raises(ExamNotOffered):
        assignment_update(assignment=assignment, mode="exam", due_at=due, opens_at=None)
    assert Assignment.objects.get().mode == "tutor"


def test_a_quiz_is_assigned_once_per_cohort(cohort, educator, quiz):
    due = timezone.now() + TOMORROW
    assignment_create(cohort=cohort, quiz=quiz, mode="tutor", due_at=due, assigned_by=educator)

    with pytest.raises(AlreadyAssigned):
        assignment_create(cohort=cohort, quiz=quiz, mode="tutor", due_at=due, assigned_by=educator)
    assert Assignment.objects.count() == 1


def test_an_assignment_opens_before_it_is_due(cohort, educator, quiz):
    due = timezone.now() + TOMORROW

    with pytest.raises(IntegrityError):
        assignment_create(cohort=cohort, quiz=quiz, mode="tutor", due_at=due, opens_at=due, assigned_by=educator)
