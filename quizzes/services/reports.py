"""Problem reports: a trainee reports a problem with a question; an educator resolves it."""

from django.db import transaction
from django.utils import timezone

from quizzes.models import Attempt, ProblemReport, Question, Response, User


def problem_report_create(
    *, reporter: User, attempt: Attempt, question: Question, reason: str, note: str
) -> ProblemReport:
    """Record the report against the question, the attempt it was made from and, if the trainee had
    answered, their answer. `attempt` must be the reporter's and `question` one of its questions."""
    if attempt.user_id != reporter.pk:
        raise ValueError("A trainee reports from their own attempt.")
    if not attempt.items.filter(question=question).exists():
        raise ValueError("The question must be one of the attempt's questions.")
    response = Response.objects.filter(attempt=attempt, question=question).first()
    return ProblemReport.objects.create(
        reporter=reporter,
        attempt=attempt,
        question=question,
        response=response,
        # The version the trainee saw: the one answered, else the question as it is now.
        question_version=response.question_version if response else question.version,
        reason=reason,
        note=note.strip(),
    )


def problem_reports_resolve(*, reports, educator: User, reply: str = "") -> int:
    """Mark the open reports among `reports` resolved by `educator` (with an optional reply to the
    trainee); returns how many were open. Resolved ones keep their first resolution."""
    with transaction.atomic():
        fields = {"status": ProblemReport.Status.RESOLVED, "resolved_by": educator, "resolved_at": timezone.now()}
        if reply:
            fields["reply"] = reply
        return reports.filter(status=ProblemReport.Status.OPEN).update(**fields)
