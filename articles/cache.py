"""
The cache of public pages, invalidated by a "public generation".

Every cached page is keyed by the generation current when it was rendered.
Any change that may alter public content bumps the generation (workflow
transitions and curation send `public_content_changed`; admin edits and
deletions are caught by post_save/post_delete), so all earlier pages become
unreachable at once and simply expire. Nothing needs to know which pages
showed what.

Publishing needs no write when it happens: a scheduled article or a lifted
embargo goes live when the clock passes its time. The generation therefore
remembers the next such moment and bumps itself once it has passed.

With the local-memory cache each process has its own generation; production
with several workers sets CACHE_URL=redis://... so that a bump reaches all.

A hit in a shared cache still costs network round trips (the generation,
then the page). Each process therefore keeps a first level: the generation
it last read, trusted for PUBLIC_CACHE_LOCAL_SECONDS (1 s; 0 turns the first
level off) and never past the next scheduled go-live, and the last
PUBLIC_CACHE_LOCAL_PAGES pages it served (pages are immutable under their
generation's key, so keeping them is always safe). A bump in this process
forgets both at once; other processes see it within that second.
"""

import datetime
import functools
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .signals import public_content_changed

GENERATION_KEY = "public:generation"
BUMPED_AT_KEY = "public:bumped-at"
NEXT_CHANGE_KEY = "public:next-change"
NO_SCHEDULED_CHANGE = 0.0
CACHEABLE_STATUSES = {200, 410}


def page_timeout() -> int:
    return getattr(settings, "PUBLIC_CACHE_TIMEOUT", 600)


@dataclass(frozen=True)
class Generation:
    number: int | None  # None when the cache keeps nothing (DummyCache)
    bumped_at: float | None


def local_seconds() -> float:
    return getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 1.0)


def local_pages_max() -> int:
    return getattr(settings, "PUBLIC_CACHE_LOCAL_PAGES", 500)


class LocalLevel:
    """The process's first level: a generation trusted until a moment, and
    the latest pages served (least recently used out first)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.generation, self.until = None, 0.0
        self.pages = OrderedDict()

    def get_generation(self, now: float):
        generation = self.generation
        return generation if generation is not None and now < self.until else None

    def set_generation(self, generation, until: float) -> None:
        with self.lock:
            if generation != self.generation:
                self.pages.clear()  # every page kept is of an older generation
            self.generation, self.until = generation, until

    def get_page(self, key):
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def set_page(self, key, entry) -> None:
        limit = local_pages_max()
        if limit <= 0:
            return
        with self.lock:
            self.pages[key] = entry
            while len(self.pages) > limit:
                self.pages.popitem(last=False)


local = LocalLevel()


def bump(**kwargs) -> None:
    """Make every cached public page stale. Usable as a signal receiver."""
    local.forget()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Start from the clock, not from 1: pages cached under small numbers
        # before the counter was evicted must not become reachable again.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    cache.set(BUMPED_AT_KEY, timezone.now().timestamp(), timeout=None)
    cache.delete(NEXT_CHANGE_KEY)


def bump_now_and_on_commit(**kwargs) -> None:
    """Receiver for model signals. The bump on commit matters: a reader
    between the immediate bump and the commit may cache the old content under
    the new generation. The immediate one covers writes outside transactions
    that never commit from our point of view (tests) and is harmless otherwise."""
    bump()
    transaction.on_commit(bump)


def next_scheduled_change(after: float) -> float:
    """When the next published article goes live by the clock alone, after
    the moment `after` (a timestamp); NO_SCHEDULED_CHANGE if none will."""
    from .models import Article

    moment = datetime.datetime.fromtimestamp(after, tz=datetime.timezone.utc)
    times = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        published=Min("published_at", filter=Q(published_at__gt=moment)),
        embargo=Min("embargo_until", filter=Q(embargo_until__gt=moment)),
    )
    future = [t.timestamp() for t in times.values() if t is not None]
    return min(future) if future else NO_SCHEDULED_CHANGE


def current_generation() -> Generation:
    """The generation pages are cached under now (from the first level when
    it is fresh); bumps it first if an article went live by the clock since
    the last bump."""
    now = timezone.now().timestamp()
    generation = local.get_generation(now)
    if generation is not None:
        return generation
    generation, next_change = shared_generation()
    seconds = local_seconds()
    if seconds > 0 and generation.number is not None:
        until = now + seconds
        if next_change not in (None, NO_SCHEDULED_CHANGE):
            until = min(until, next_change)
        local.set_generation(generation, until)
    return generation


def shared_generation() -> tuple[Generation, float | None]:
    """current_generation() read from the shared cache, with the moment of
    the next scheduled change (None when unknown)."""
    for _ in range(3):  # a bump sets the next change after now: one more pass suffices
        values = cache.get_many([GENERATION_KEY, BUMPED_AT_KEY, NEXT_CHANGE_KEY])
        if GENERATION_KEY not in values or BUMPED_AT_KEY not in values:
            bump()
            values = cache.get_many([GENERATION_KEY, BUMPED_AT_KEY])
            if GENERATION_KEY not in values:
                return Generation(None, None), None
        next_change = values.get(NEXT_CHANGE_KEY)
        if next_change is None:
            # Relative to the bump, not to now: a page cached under this
            # generation may predate an article that has gone live since.
            next_change = next_scheduled_change(values[BUMPED_AT_KEY])
            cache.set(NEXT_CHANGE_KEY, next_change, timeout=None)
        if next_change == NO_SCHEDULED_CHANGE or next_change > timezone.now().timestamp():
            return Generation(values[GENERATION_KEY], values[BUMPED_AT_KEY]), next_change
        bump()
    values = cache.get_many([GENERATION_KEY, BUMPED_AT_KEY])
    return Generation(values.get(GENERATION_KEY), values.get(BUMPED_AT_KEY)), None


# --- The view decorator ------------------------------------------------------


def is_anonymous(request) -> bool:
    # A token-authenticated API request has an anonymous request.user until
    # the API view authenticates it: the header alone rules caching out.
    user = getattr(request, "user", None)
    return (user is None or not user.is_authenticated) and "HTTP_AUTHORIZATION" not in request.META


def page_key(generation: Generation, request) -> str:
    url = request.build_absolute_uri()
    return f"public:page:{generation.number}:{hashlib.sha256(url.encode()).hexdigest()}"


def etag_for(generation: Generation, request, content: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{generation.number}\n{request.get_full_path()}\n".encode())
    digest.update(content)
    return f'"{digest.hexdigest()[:32]}"'


def is_cacheable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code in CACHEABLE_STATUSES
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _entry(response, etag) -> dict:
    headers = {k: v for k, v in response.items() if k.lower() not in {"set-cookie", "vary"}}
    return {"status": response.status_code, "content": response.content, "headers": headers,
            "etag": etag}


def _response(entry):
    from django.http import HttpResponse

    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    return response


def _conditional(request, response, etag, last_modified):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if response.status_code != 200:
        return response
    return get_conditional_response(
        request, etag=etag, last_modified=int(last_modified) if last_modified else None,
        response=response,
    )


def public_cache(view):
    """Serve anonymous GET/HEAD requests of `view` from the cache, with ETag
    and Last-Modified, answering conditional requests with 304. Requests by
    signed-in users (or carrying credentials) bypass the cache entirely.

    Works on a view function or, through method_decorator, a method; for a
    view whose response is rendered late (TemplateResponse, DRF), the entry is
    stored once it is rendered. For DRF, wrap the as_view() function (or
    dispatch) so that the response is finalized when it is rendered."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not is_anonymous(request):
            response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                patch_cache_control(response, private=True)
            return response

        generation = current_generation()
        key = page_key(generation, request) if generation.number is not None else None
        entry = None
        if key:
            entry = local.get_page(key)
            if entry is None:
                entry = cache.get(key)
                if entry is not None:
                    local.set_page(key, entry)
        if entry is not None:
            return _conditional(request, _response(entry), entry["etag"], generation.bumped_at)

        response = view(request, *args, **kwargs)

        def finish(response):
            if not is_cacheable(response):
                return response
            etag = etag_for(generation, request, response.content)
            if key:
                entry = _entry(response, etag)
                cache.set(key, entry, page_timeout())
                local.set_page(key, entry)
            return _conditional(request, response, etag, generation.bumped_at)

        if getattr(response, "is_rendered", True) is False:
            response.add_post_render_callback(finish)
            return response
        return finish(response)

    return wrapper


# --- What invalidates --------------------------------------------------------


def watched_models():
    from . import models

    return (
        models.Article, *models.tag_models(), models.Correction, models.Collection,
        models.CollectionItem, models.Byline, models.Person, models.Organisation,
        models.Place, models.Topic, models.Role, models.Source,
    )


def connect_receivers() -> None:
    public_content_changed.connect(bump, dispatch_uid="articles.cache.bump")
    for model in watched_models():
        uid = f"articles.cache.bump.{model._meta.label_lower}"
        post_save.connect(bump_now_and_on_commit, sender=model, dispatch_uid=uid)
        post_delete.connect(bump_now_and_on_commit, sender=model, dispatch_uid=uid)
