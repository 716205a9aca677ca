"""WSGI entry point for the quiz site."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings.base")

application = get_wsgi_application()
