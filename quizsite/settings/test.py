"""Settings for the test suite: the base settings with a throwaway key and fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-real-site")

from quizsite.settings.base import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Hashing passwords properly is slow on purpose; tests make many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not pytest-django's default in-memory database, so that tests with several threads
    # get real concurrent connections with WAL and IMMEDIATE transactions, as in production. The
    # process id keeps two runs in one work tree apart.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"quizsite-test-{os.getpid()}.sqlite3")
    }

# Rate-limit counters outlive a test in the process-wide cache, and browser tests answer whole
# quizzes quickly; tests of the limit itself set their own rate and clear the cache.
RATE_LIMITS = {"answer": "100000/60s", "report": "100000/60s", "join": "100000/60s"}

# Tasks run at once, in the test's own thread and transaction: a background import finishes before
# the request that queued it returns (once its transaction commits).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
