"""Template filters for rendering quiz content."""

from datetime import timedelta

from django import template

from quizzes.rich_text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def duration(value: timedelta | None) -> str:
    """A timedelta as "4 min 05 s" (or "35 s")."""
    if value is None:
        return "–"
    seconds = max(0, int(value.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
