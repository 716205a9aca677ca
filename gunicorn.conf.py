"""Gunicorn settings for `make serve` and production. Each can be overridden from the environment."""

import os

wsgi_app = "quizsite.wsgi:application"
raw_env = [f"DJANGO_SETTINGS_MODULE={os.environ.get('DJANGO_SETTINGS_MODULE', 'quizsite.settings.production')}"]

# Loopback by default: the proxy in front is what faces the network (docs/deployment.md).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Requests spend most of their time in Python, so processes, not threads, use the cores; a
# couple of extra processes cover the moments one waits on the database. Measured on 2 cores
# in docs/load-testing.md.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes this long is stuck, not slow: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycles workers now and then, so a slow leak never grows large; jitter keeps them from all
# restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500

# Only the local proxy may say which scheme and client a request came with.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request bodies are small forms; Django refuses large ones too (DATA_UPLOAD_MAX_MEMORY_SIZE).
limit_request_line = 4094
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
