"""A liveness probe for proxies and load balancers, and the baseline the load test compares with."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    # Deliberately touches neither the database nor the session: it answers whether the process
    # serves requests, and its latency is the floor every other page stands on.
    return HttpResponse("ok", content_type="text/plain")
