"""URL routes of the quiz site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from quizzes.views import health, media

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Uploaded images go through a view in every environment, so the access check and the
    # inert-image headers are the same in development, in tests and in production.
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", media.question_image, name="media"),
    path("", include("quizzes.urls")),
]
