"""
The cache on Redis, as production runs it (CACHE_URL=redis://...): Django's
backend and the public page cache over it, shared by every worker.

These tests need a Redis server on 127.0.0.1:6379 (TEST_REDIS_URL to change
it). Without one they are skipped, except on CI (CI set), where a Redis
server is part of the job: there its absence is a failure. They use their own
database number and a key prefix of their own, and delete their keys after.
"""

import os
import uuid

import pytest
import redis
from django.core.cache import cache, caches

from articles import cache as public
from tests.factories import ArticleFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_server():
    if not redis_answers(REDIS_URL):
        message = f"No Redis server answers at {REDIS_URL}."
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI runs the Redis cache tests: start Redis for the job.")
        pytest.skip(message)
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def redis_cache(redis_server, settings):
    """The default cache on Redis under a key prefix of this test's own;
    every key with that prefix is deleted afterwards (never FLUSHDB)."""
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
    }
    yield prefix
    caches["default"].close()
    keys = list(redis_server.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        redis_server.delete(*keys)


def test_values_are_stored_in_redis_under_the_prefix(redis_cache, redis_server):
    cache.set("greeting", {"text": "hello"}, timeout=60)
    assert cache.get("greeting") == {"text": "hello"}
    assert redis_server.exists(f"{redis_cache}:1:greeting")
    assert 0 < redis_server.ttl(f"{redis_cache}:1:greeting") <= 60


def test_add_incr_many_and_delete(redis_cache):
    assert cache.add("counter", 1) is True
    assert cache.add("counter", 5) is False
    assert cache.incr("counter") == 2
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    cache.delete("a")
    assert cache.get("a") is None
    with pytest.raises(ValueError):
        cache.incr("missing")


@pytest.mark.django_db
def test_a_bump_reaches_every_worker(redis_cache):
    """Two processes are two backend instances on the same server."""
    other_worker = caches.create_connection("default")
    before = public.current_generation().number
    assert other_worker.get(public.GENERATION_KEY) == before
    public.bump()
    assert other_worker.get(public.GENERATION_KEY) == before + 1
    assert public.current_generation().number == before + 1


@pytest.mark.django_db
def test_anonymous_pages_are_served_from_redis(redis_cache, redis_server, client,
                                                django_assert_num_queries):
    ArticleFactory(headline="Served from Redis")
    first = client.get("/")
    assert first.status_code == 200
    assert list(redis_server.scan_iter(match=f"{redis_cache}:1:public:page:*"))
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second.content == first.content and second["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_an_edit_makes_the_cached_pages_stale(redis_cache, client):
    article = ArticleFactory(headline="Before the edit")
    assert b"Before the edit" in client.get("/").content
    article.headline = "After the edit"
    article.save()
    assert b"After the edit" in client.get("/").content
