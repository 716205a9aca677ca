"""Production settings: the base settings, hardened, for serving behind a TLS-terminating proxy.

Every value still comes from the environment; docs/deployment.md lists the variables.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings load, so the message names everything production needs at
# once instead of the first thing the base settings happen to trip over.
_NEEDED = {
    "DJANGO_SECRET_KEY": "a long random value, e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    "DJANGO_ALLOWED_HOSTS": "the site's host names, comma-separated, e.g. quiz.example.org",
}
_missing = [name for name in _NEEDED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings refuse to start without {' and '.join(_missing)}. Set "
        + "; ".join(f"{name} to {_NEEDED[name]}" for name in _missing)
        + ". See docs/deployment.md."
    )
if os.environ.get("DJANGO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is on, but production settings never run in debug mode: it shows settings and "
        "code to anyone who triggers an error. Unset DJANGO_DEBUG."
    )

from quizsite.settings.base import *  # noqa: E402,F403
from quizsite.settings.base import env_flag, env_int  # noqa: E402

DEBUG = False

# Production runs behind one proxy (nginx, a load balancer) unless told otherwise. The proxy
# terminates TLS and says so in X-Forwarded-Proto, appends the client's address to
# X-Forwarded-For, and must overwrite X-Forwarded-Proto when a client sends one. With no proxy in
# front (DJANGO_TRUSTED_PROXY_COUNT=0) neither header is trusted.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
# The proxy's health check talks plain HTTP to the backend.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise to browsers that is slow to take back, so it is opted into, not a default;
    # check --deploy would otherwise warn about its absence on every run.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# htmx gets the token from the page (hx-headers on <body>), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True

# Collected, compressed (gzip and Brotli where available) and content-hashed, so whitenoise can
# let browsers cache them for a year.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

if REDIS_URL:  # noqa: F405
    # Sessions are read on every signed-in request: from Redis, with the database as the record. Their
    # cache treats an unreachable Redis as a miss (quizsite/cache.py), so an outage slows sessions
    # down to the database instead of failing every signed-in request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
    CACHES["sessions"] = {  # noqa: F405
        "BACKEND": "quizsite.cache.SessionCache",
        "LOCATION": REDIS_URL,  # noqa: F405
        "KEY_PREFIX": "quizsite",
        "OPTIONS": REDIS_OPTIONS,  # noqa: F405
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Every 4xx would otherwise be logged as a warning with its path: noise at this level.
        "django.request": {"level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "ERROR")},
    },
}
