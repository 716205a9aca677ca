"""Builds the DATABASES setting: SQLite by default, PostgreSQL when DATABASE_URL is set."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def database_from_url(url: str) -> dict:
    """Translate postgres://user:password@host:port/name into a Django database dict."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// or postgresql://, not {parts.scheme}://")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://host/quizsite")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Reusing connections saves a connect per request.
        "CONN_MAX_AGE": 60,
        # No health check: it costs a SELECT 1 round trip before every request's first query, to catch a
        # reused connection that died (the server restarted, a proxy dropped it). Without it that rare
        # connection fails the one request that finds it, and Django then closes it (a connection that
        # raised is tested and discarded when its request ends), so the next request connects afresh.
        "CONN_HEALTH_CHECKS": False,
    }


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on
            # the busy timeout instead of failing with "database is locked" on lock upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers carry on while one connection writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
