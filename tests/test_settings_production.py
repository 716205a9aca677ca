"""Production settings: they refuse to start half-configured, pass check --deploy, and what they
serve carries the security headers, secure cookies and hashed, compressed static files.

Each test runs Django in a fresh process, because settings load once per process and the test
suite's own process runs the test settings.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "production-test-secret-key-5c3e1f0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e"


def run_production(code: str = "", *, args=None, env=None, tmp_path=None) -> subprocess.CompletedProcess:
    """Run `code` (or manage.py `args`) under the production settings with `env` on top."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL", "GUNICORN_"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "quiz.example.org",
    }
    if tmp_path is not None:
        environment |= {"DJANGO_STATIC_ROOT": str(tmp_path / "static"), "DJANGO_MEDIA_ROOT": str(tmp_path / "media")}
    environment |= {key: value for key, value in (env or {}).items() if value is not None}
    for key, value in (env or {}).items():
        if value is None:
            environment.pop(key, None)
    command = [sys.executable, "manage.py", *args] if args else [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def production_settings(env=None) -> dict:
    result = run_production(
        """
        import json
        import django
        from django.conf import settings
        django.setup()
        names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
                 "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                 "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_CSP", "STORAGES", "ALLOWED_HOSTS",
                 "CACHES", "SESSION_ENGINE", "SESSION_CACHE_ALIAS", "TRUSTED_PROXY_COUNT"]
        print(json.dumps({name: getattr(settings, name, None) for name in names}, default=str))
        """,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "unset, named",
    [
        (["DJANGO_SECRET_KEY"], "without DJANGO_SECRET_KEY."),
        (["DJANGO_ALLOWED_HOSTS"], "without DJANGO_ALLOWED_HOSTS."),
        (["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"], "without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS."),
    ],
)
def test_production_refuses_to_start_without_a_secret_key_or_allowed_hosts(unset, named):
    result = run_production(args=["check"], env={name: None for name in unset})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Production settings refuse to start " + named in result.stderr
    assert "docs/deployment.md" in result.stderr


def test_production_refuses_to_start_with_a_blank_secret_key():
    result = run_production(args=["check"], env={"DJANGO_SECRET_KEY": "   "})

    assert result.returncode != 0 and "without DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_run_in_debug_mode():
    result = run_production(args=["check"], env={"DJANGO_DEBUG": "1"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG is on, but production settings never run in debug mode" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_production(args=["check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_hsts_is_switched_off():
    # The CI step relies on --fail-level WARNING turning a weakened setting into a failure.
    result = run_production(
        args=["check", "--deploy", "--fail-level", "WARNING"], env={"DJANGO_SECURE_HSTS_SECONDS": "0"}
    )

    assert result.returncode != 0 and "security.W004" in result.stderr


def test_production_uses_secure_cookies_hsts_and_hashed_compressed_static_files():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["ALLOWED_HOSTS"] == ["quiz.example.org"]
    assert values["TRUSTED_PROXY_COUNT"] == 1


def test_hsts_and_the_proxy_are_configured_from_the_environment():
    values = production_settings(
        {
            "DJANGO_SECURE_HSTS_SECONDS": "3600",
            "DJANGO_SECURE_HSTS_PRELOAD": "1",
            "DJANGO_TRUSTED_PROXY_COUNT": "0",
            "DJANGO_ALLOWED_HOSTS": "quiz.example.org, www.quiz.example.org",
        }
    )

    assert values["SECURE_HSTS_SECONDS"] == 3600 and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None and values["TRUSTED_PROXY_COUNT"] == 0
    assert values["ALLOWED_HOSTS"] == ["quiz.example.org", "www.quiz.example.org"]


def test_with_redis_the_cache_and_sessions_use_it():
    values = production_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"})

    assert values["CACHES"]["default"]["BACKEND"] == "quizsite.cache.RedisCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["CACHES"][values["SESSION_CACHE_ALIAS"]]["BACKEND"] == "quizsite.cache.SessionCache"


def test_a_non_numeric_hsts_value_is_refused_by_name():
    result = run_production(args=["check"], env={"DJANGO_SECURE_HSTS_SECONDS": "a year"})

    assert result.returncode != 0 and "DJANGO_SECURE_HSTS_SECONDS must be a whole number" in result.stderr


def test_production_responses_carry_the_csp_nonce_secure_cookies_and_cached_static_files(tmp_path):
    collected = run_production(args=["collectstatic", "--noinput", "--verbosity", "0"], tmp_path=tmp_path)
    assert collected.returncode == 0, collected.stderr

    result = run_production(
        """
        import json, re
        import django
        django.setup()
        from django.test import Client

        client = Client(HTTP_HOST="quiz.example.org")
        plain = client.get("/accounts/login/")
        page = client.get("/accounts/login/", secure=True)
        html = page.content.decode()
        csp = page["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        scripts = re.findall(r"<script[^>]*>", html)
        htmx_script = next(tag for tag in scripts if "htmx" in tag)
        static = re.search(r'src="(/static/django_htmx/htmx[^"]+)"', html).group(1)
        asset = client.get(static, secure=True, HTTP_ACCEPT_ENCODING="gzip")
        health = client.get("/healthz")
        print(json.dumps({
            "plain_status": plain.status_code, "plain_location": plain.get("Location"),
            "template_comment_leaked": "{#" in html or "#}" in html,
            "status": page.status_code, "csp": csp, "nonce": nonce, "scripts": scripts, "htmx_script": htmx_script,
            "hsts": page.get("Strict-Transport-Security"), "nosniff": page.get("X-Content-Type-Options"),
            "frame": page.get("X-Frame-Options"), "cookie": page.cookies["csrftoken"].output(),
            "static": static, "asset_status": asset.status_code, "asset_cache": asset.get("Cache-Control"),
            "asset_encoding": asset.get("Content-Encoding"),
            "health": [health.status_code, b"".join(health).decode()],
        }))
        """,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain_status"] == 301 and seen["plain_location"] == "https://quiz.example.org/accounts/login/"
    assert seen["status"] == 200
    assert not seen["template_comment_leaked"]  # {# #} spans one line only; a longer one is printed
    assert "'unsafe-inline'" not in seen["csp"] and "'unsafe-eval'" not in seen["csp"]
    assert "script-src 'self' 'nonce-" in seen["csp"]
    assert f'nonce="{seen["nonce"]}"' in seen["htmx_script"]
    # Every other script is a file from the site itself ('self'); none is inline.
    assert all('src="/static/' in tag for tag in seen["scripts"])
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert seen["nosniff"] == "nosniff" and seen["frame"] == "DENY"
    assert "Secure" in seen["cookie"] and "HttpOnly" in seen["cookie"] and "SameSite=Lax" in seen["cookie"]
    # Hashed names, so they can be cached for ever; whitenoise serves the gzipped copy.
    assert seen["static"].count(".") >= 2 and seen["asset_status"] == 200
    assert "max-age=315360000" in seen["asset_cache"] and "immutable" in seen["asset_cache"]
    assert seen["asset_encoding"] == "gzip"
    assert seen["health"] == [200, "ok"]
