"""Request limits kept in the cache: a flood of answers from one account gets a 429, not a write."""

import functools
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse

log = logging.getLogger(__name__)

RATE_FORMAT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*s\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "30/60s" means at most 30 requests in each 60-second window."""
        match = RATE_FORMAT.match(text)
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise ValueError(f"A rate looks like '30/60s' (count/seconds), not {text!r}")
        return cls(count=int(match[1]), seconds=int(match[2]))


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (each proxy appends the address it saw); otherwise the socket's address.

    Entries further left are whatever the client chose to send, so they are never trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_hit(*, scope: str, identity: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one request; None if it is within the rate, else the seconds until the window ends.

    A fixed window per identity, counted atomically, so concurrent requests cannot both slip under.
    """
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"ratelimit:{scope}:{identity}:{window}"
    try:
        count = counted(key, timeout=rate.seconds + 1)
    except Exception:
        # A cache outage must not stop trainees answering: limiting is a guard, not a gate.
        log.warning("Rate limit for %s not applied: the cache is unavailable", scope, exc_info=True)
        return None
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def counted(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout` seconds to live); its count now."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: creating the counter if it is missing and adding one, in a MULTI/EXEC
        # pipeline, so both happen at once for every process sharing Redis. Through the cache's own
        # client (quizsite/cache.py reuses it) and its key, so the cache API reads the same counter.
        name = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(write=True).pipeline(transaction=True)
        pipeline.set(name, 0, ex=timeout, nx=True)
        pipeline.incr(name)
        _created, count = pipeline.execute()
        return count
    # The local-memory cache (one process: development and tests): `add` and `incr`, each atomic.
    backend.add(key, 0, timeout=timeout)
    try:
        return backend.incr(key)
    except ValueError:  # Evicted between add and incr: this request starts the window again.
        backend.set(key, 1, timeout=timeout)
        return 1


def rate_limited(scope: str, *, back_to: str, region: str = "question"):
    """Limit a view per signed-in user to settings.RATE_LIMITS[scope]; wrap it inside login_required.

    Over the limit the view does not run: the answer is a 429 page, or for htmx a fragment that
    replaces the element whose id is `region` (by default #question, the region the answer form swaps;
    formatted with the view's URL arguments, as in "report-{question_id}") and links back to `back_to`,
    a URL name that takes the view's own URL arguments.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            rate = Rate.parse(settings.RATE_LIMITS[scope])
            retry_after = rate_limit_hit(scope=scope, identity=str(request.user.pk), rate=rate)
            if retry_after is None:
                return view(request, *args, **kwargs)
            log.info("Rate limit %s reached by user %s", scope, request.user.pk)
            context = {
                "retry_after": retry_after,
                "back_url": reverse(back_to, args=args, kwargs=kwargs),
                "scope": scope,
                "region": region.format(**kwargs),
            }
            if getattr(request, "htmx", False):
                response = render(request, "quizzes/429.html#limited", context, status=429)
                # htmx swaps a 429 because base.html's responseHandling says so; these headers pick
                # the region, whatever element sent the request.
                response["HX-Retarget"] = f"#{context['region']}"
                response["HX-Reswap"] = "outerHTML"
            else:
                response = render(request, "quizzes/429.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response

        return wrapper

    return decorator


def login_lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this once a username or address has failed to log in too often."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "lockout": True,
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    response = render(request, "quizzes/429.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
