"""The header's count of a trainee's assignments that are due soon or overdue."""

from django import template

from quizzes.views.cohorts import due_soon_count

register = template.Library()


@register.simple_tag(takes_context=True)
def assignments_due_count(context) -> int:
    """One query per request, shared with the home page (quizzes/views/cohorts.py: my_assignments)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return due_soon_count(request)
