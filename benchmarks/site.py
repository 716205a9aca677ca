"""What benchmarks/settings.py adds to the site: the URL of a constant view for a signed-in trainee, and
a middleware that reports each request's cost in a Server-Timing header."""

import os
import time
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from benchmarks.profiling import AnswerProfiler
from quizsite.urls import urlpatterns as site_urlpatterns


@require_safe
@never_cache
@login_required
def constant(request: HttpRequest) -> HttpResponse:
    # login_required reads the session and loads the user, as every trainee's page does; the reply is
    # a constant, so this is the cost of a signed-in request before the page does anything.
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("benchmark/constant/", constant, name="benchmark_constant"), *site_urlpatterns]


def server_timing(get_response):
    """Server-Timing: cpu (the worker's CPU time) and app (its wall time) in milliseconds. gunicorn's sync
    workers serve one request at a time, so the process's CPU time over the request is the request's.
    With BENCHMARK_PROFILE_DIR set (benchmarks/answer.py --profile), answers are profiled too."""
    folder = os.environ.get("BENCHMARK_PROFILE_DIR")
    profiler = AnswerProfiler(Path(folder)) if folder else None

    def middleware(request: HttpRequest) -> HttpResponse:
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler and profiler.wants(request):
            response = profiler.served(get_response, request)
        else:
            response = get_response(request)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        response["Server-Timing"] = f"cpu;dur={cpu * 1000:.3f}, app;dur={wall * 1000:.3f}"
        return response

    return middleware
