"""Settings for every environment, read from environment variables with safe local defaults."""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from quizsite.database import database_from_url, sqlite_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for local development.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    # The tasks backend that keeps its queue in the site's own database (docs/deployment.md).
    "django_tasks_db",
    "quizzes",
]

# Background work (large bank imports: quizzes/tasks.py) is queued in the database and run by
# `manage.py db_worker`, the same on SQLite and PostgreSQL: no other server is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL connections persist between requests (CONN_MAX_AGE) without a health-check query on each:
# quizsite/database.py says why.
DATABASES = {
    "default": (
        database_from_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else sqlite_database(Path(os.environ.get("DJANGO_SQLITE_PATH", BASE_DIR / "db.sqlite3")))
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "quizzes.User"
# The axes backend refuses a log-in while its username or address is locked out, before any
# password is checked; the model backend then does the checking.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Dublin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Behind nginx, media can be sent by the proxy after the view's access check (X-Accel-Redirect to
# this internal location, e.g. /protected-media/); empty means the view sends the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("DJANGO_MEDIA_ACCEL_REDIRECT_PREFIX", "")
# In development whitenoise serves straight from the apps' static folders; production collects.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The only script the site runs is its own, from its own host, with a per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

# Rate-limit counters must be shared by every server process, so production uses Redis; the
# local-memory cache counts per process, which is enough for one developer and for tests.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Short socket timeouts: a Redis that drops packets must cost a request half a second, not the
# operating system's TCP timeout.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CACHES = {
    "default": (
        {
            "BACKEND": "quizsite.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "quizsite",
            "OPTIONS": REDIS_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Per signed-in user, "count/seconds". Nobody reads and answers 30 questions in a minute, nor has
# more than 10 problems with questions to report in ten minutes, nor mistypes a cohort's join code
# 20 times in ten minutes (more is guessing codes).
RATE_LIMITS = {
    "answer": os.environ.get("DJANGO_RATE_LIMIT_ANSWER", "30/60s"),
    "report": os.environ.get("DJANGO_RATE_LIMIT_REPORT", "10/600s"),
    "join": os.environ.get("DJANGO_RATE_LIMIT_JOIN", "20/600s"),
}
# How many proxies in front of the site append to X-Forwarded-For (nginx: 1). Client addresses,
# for log-in lockouts, are read from there only when this says the header can be trusted.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Failed log-ins, counted in the database by django-axes. A username is locked after so many
# failures from anywhere, and an address after so many failures for any usernames; both
# unlock on their own after the cool-off. Trainees behind one hospital NAT share an address,
# hence a limit above the handful one person mistypes.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "quizzes.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "quizzes.ratelimit.login_lockout_response"
# Successful log-ins are in the session table already; axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
