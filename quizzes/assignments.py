"""When a trainee's assignment is done, done late, in progress or overdue, and how its due date reads
("due in 2 days"): one rule for the home page, the header's count, a cohort's results, its CSV and the
scoring page.

Which attempt counts for an assignment is read in the database (quizzes/querysets.py:
assignment_progress): the trainee's first attempt at the quiz itself, in the assignment's mode or in
exam mode, that ends after the assignment opened. This module says what that attempt's end means.
"""

import datetime
from dataclasses import dataclass

from quizzes.querysets import local_date

# Due soon: not done, open, and due today or within this many days (the header's count, the home page).
DUE_SOON_DAYS = 2

DONE = "done"
DONE_LATE = "done_late"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
LABELS = {DONE: "Done", DONE_LATE: "Done late", IN_PROGRESS: "In progress", NOT_STARTED: "Not started"}


def due_phrase(due_at: datetime.datetime, now: datetime.datetime) -> str:
    """ "overdue" from the due moment on; before it, by calendar days in the site's time zone."""
    if now >= due_at:
        return "overdue"
    days = (local_date(due_at) - local_date(now)).days
    if days == 0:
        return "due today"
    return "due tomorrow" if days == 1 else f"due in {days} days"


@dataclass(frozen=True)
class Progress:
    """One trainee's standing on one assignment as of `now`, from the attempt that counts for it."""

    opened_at: datetime.datetime
    due_at: datetime.datetime
    done_at: datetime.datetime | None  # when the first attempt that counts ended
    in_progress: bool  # an attempt that would count is still open
    now: datetime.datetime
    started_at: datetime.datetime | None = None  # when that attempt started, where it was read

    @property
    def time_taken(self) -> datetime.timedelta | None:
        if self.done_at is None or self.started_at is None:
            return None
        return self.done_at - self.started_at

    @property
    def status(self) -> str:
        """Done by the due moment, or done late (recorded as late, never refused); else in progress or
        not started."""
        if self.done_at is not None:
            return DONE_LATE if self.done_at > self.due_at else DONE
        return IN_PROGRESS if self.in_progress else NOT_STARTED

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_open(self) -> bool:
        return self.opened_at <= self.now

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.now >= self.due_at

    @property
    def is_due_soon(self) -> bool:
        """Not done, open, and overdue or due within DUE_SOON_DAYS calendar days: what the header counts."""
        if self.is_done or not self.is_open:
            return False
        return (local_date(self.due_at) - local_date(self.now)).days <= DUE_SOON_DAYS

    @property
    def due_phrase(self) -> str:
        return due_phrase(self.due_at, self.now)
