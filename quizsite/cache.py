"""The Redis cache that holds sessions, made so that losing Redis costs speed, not the site."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class SessionCache(RedisCache):
    """For the cached_db session engine, which keeps the database as the record: when Redis cannot be
    reached, a read is a miss (the session comes from the database) and a write is skipped. Without
    this, every signed-in request and every log-in is a 500 while Redis is down."""

    def _unavailable(self, operation: str) -> None:
        log.warning("Session cache %s skipped: Redis is unavailable", operation, exc_info=True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            self._unavailable("read")
            return default

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            self._unavailable("lookup")
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            self._unavailable("write")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            self._unavailable("write")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            self._unavailable("delete")
            return False
