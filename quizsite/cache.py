"""The Redis caches: one client reused for every operation, and for sessions, losing Redis costs speed,
not the site."""

import logging

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class ReusedClients(django_redis.RedisCacheClient):
    """Django's Redis cache client, keeping the redis.Redis client it makes for a connection pool instead
    of making a new one for every operation: building one costs about as much as a round trip to Redis,
    and a signed-in request reads its session from here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients


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
