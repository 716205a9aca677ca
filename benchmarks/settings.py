"""The production settings as benchmarks/answer.py serves them: unchanged but for two additions that
measure, in benchmarks/site.py. A constant view for a signed-in trainee (the floor every page stands on:
the same middleware, the session and the user, nothing else), and a Server-Timing header on every reply
saying what the request cost the worker, so one interleaved run can tell the endpoints' costs apart.
Nothing else ever uses this module."""

from quizsite.settings.production import *  # noqa: F403
from quizsite.settings.production import MIDDLEWARE

ROOT_URLCONF = "benchmarks.site"
# Outermost, so the time includes every other middleware.
MIDDLEWARE = ["benchmarks.site.server_timing", *MIDDLEWARE]
