"""Uploaded question (and matching stem) images: served only to people who may see the question, and only as images."""

from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

from quizzes.models import Question, QuestionVersion

# Uploads are re-encoded by Pillow to these formats; anything else under MEDIA_ROOT is not ours to serve.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# Even if a file were not the image its name says, the browser may neither sniff it into HTML nor
# run anything in it.
MEDIA_CSP = "default-src 'none'; img-src 'self'; sandbox"


@require_safe
def question_image(request: HttpRequest, path: str) -> HttpResponse:
    content_type = IMAGE_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("Not an image")
    # A question's own image and thumbnail, an image an earlier version named (kept for the answers given to
    # that version), or the image of one of its matching stems.
    earlier = QuestionVersion.objects.filter(image=path).values("question")
    questions = Question.objects.filter(
        Q(image=path) | Q(thumbnail=path) | Q(pk__in=earlier) | Q(match_stems__image=path)
    )
    if not request.user.is_staff:
        # Draft quizzes and questions are for their authors: their images are as unlisted as they are.
        questions = questions.published()
    if not questions.exists():
        raise Http404("No such image")
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        # The proxy sends the file itself from an internal location once this check has passed.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + path
    else:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
        response["Content-Type"] = content_type
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600" if request.user.is_staff else "public, max-age=86400"
    return response
