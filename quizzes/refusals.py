"""Refusals: why an answer (or a change to one) is not recorded, in words for the trainee, and the one
rule that says when each applies.

Services raise these; views show their message (409 for htmx, a message and a redirect for a page).
A view asks the same rule before it looks at the form, so a trainee on a finished exam is told the
exam is finished rather than what was wrong with the form; the service asks it again inside its
transaction, so nothing gets past it between the two.
"""

import datetime

from quizzes.models import Attempt, Cohort, Quiz, User


class AnswerRefused(Exception):
    """The answer was not recorded; the message says why, in words for the trainee."""


class AlreadyAnswered(AnswerRefused):
    def __init__(self):
        super().__init__("You have already answered this question; your first answer stands.")


class AttemptAlreadyFinished(AnswerRefused):
    def __init__(self):
        super().__init__("This attempt is finished, so it takes no more answers.")


class QuestionNotOpenYet(AnswerRefused):
    def __init__(self):
        # In a case vignette, answering ahead would reveal a later stage's feedback early.
        super().__init__("Questions are answered in order, and this one is not open yet.")


class TimeIsUp(AnswerRefused):
    def __init__(self):
        super().__init__("Time is up: this exam has finished, and answers given after its time limit are not recorded.")


class ExamAnswersElsewhere(AnswerRefused):
    def __init__(self):
        super().__init__(
            "This attempt is an exam: save answers on its exam pages, where they can change until you submit."
        )


class NotAnExam(AnswerRefused):
    def __init__(self):
        super().__init__(
            "This attempt is in tutor mode: answer on its question page, where feedback follows each answer."
        )


class CountedAttemptOpen(Exception):
    """No other attempt at the quiz starts while this one is open: answers read in one attempt could be
    copied into the one that counts."""

    def __init__(self, attempt: Attempt):
        self.attempt = attempt
        what = "exam" if attempt.is_exam else "attempt that counts for the leaderboard"
        super().__init__(
            f"Your {what} at “{attempt.quiz.title}” is still open: finish it before you start another attempt "
            "at this quiz."
        )


class ModeNotOffered(Exception):
    def __init__(self, quiz: Quiz):
        super().__init__(f"“{quiz.title}” has no exam mode: take it in tutor mode.")


def tutor_answer_refusal(attempt: Attempt) -> AnswerRefused | None:
    """Why the attempt takes no tutor answer at all, or None if it takes one."""
    if attempt.is_exam:
        return ExamAnswersElsewhere()
    if attempt.is_finished:
        return AttemptAlreadyFinished()
    return None


def attempt_start_refusal(user: User, quiz: Quiz) -> CountedAttemptOpen | None:
    """Why no new attempt at the quiz starts for the user now (an exam still in its time, or the
    unfinished attempt that counts), or None if one may."""
    open_attempt = Attempt.objects.owned_by(user).counted_open().filter(quiz=quiz).select_related("quiz").first()
    return CountedAttemptOpen(open_attempt) if open_attempt else None


def exam_change_refusal(attempt: Attempt, now: datetime.datetime | None = None) -> AnswerRefused | None:
    """Why the exam takes no more changes (saving, clearing or flagging an answer), or None if it does.

    An exam past its deadline, or finished by it, says the time is up; one the trainee submitted says
    it is finished.
    """
    if not attempt.is_exam:
        return NotAnExam()
    if attempt.ran_out_of_time or (not attempt.is_finished and attempt.is_past_deadline(now)):
        return TimeIsUp()
    if attempt.is_finished:
        return AttemptAlreadyFinished()
    return None


class CohortRefused(Exception):
    """A change to a cohort (joining it, adding someone, assigning a quiz) that was not made; the message
    says why, in words for the person who asked. Nothing was changed."""


class JoinCodeNotOpen(CohortRefused):
    def __init__(self, code: str):
        # Wrong and closed codes read alike: a code that no longer works tells nobody which cohort it was.
        super().__init__(
            f"No cohort is open to join with the code “{code.strip()[:40]}”. Check the code with your educator: "
            "a code stops working when the cohort's owner closes it or makes a new one."
        )


class AlreadyMember(CohortRefused):
    def __init__(self, cohort: Cohort, who: str = "You are"):
        self.cohort = cohort
        super().__init__(f"{who} already a member of “{cohort.name}”.")


class OwnerCannotJoin(CohortRefused):
    def __init__(self, cohort: Cohort, who: str = "You own"):
        super().__init__(f"{who} “{cohort.name}”: an owner cannot also be one of its trainees.")


class NoSuchUser(CohortRefused):
    def __init__(self, username: str):
        super().__init__(f"Nobody on the site has the username “{username}”.")


class NotAnEducator(CohortRefused):
    def __init__(self, username: str):
        super().__init__(f"“{username}” is not an educator: only educators can own a cohort.")


class MemberCannotOwn(CohortRefused):
    def __init__(self, username: str, cohort: Cohort):
        super().__init__(
            f"“{username}” is one of the trainees of “{cohort.name}”: remove them from its trainees before "
            "making them an owner."
        )


class AlreadyOwner(CohortRefused):
    def __init__(self, username: str, cohort: Cohort):
        super().__init__(f"“{username}” already owns “{cohort.name}”.")


class AlreadyAssigned(CohortRefused):
    def __init__(self, quiz: Quiz, cohort: Cohort):
        super().__init__(f"“{quiz.title}” is already assigned to “{cohort.name}”: change that assignment instead.")


class ExamNotOffered(CohortRefused):
    def __init__(self, quiz: Quiz):
        super().__init__(f"“{quiz.title}” has no exam mode, so it can only be assigned in tutor mode.")
