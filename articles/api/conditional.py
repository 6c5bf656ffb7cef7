"""
Conditional requests.

Reads: anonymous requests go through articles.cache.public_cache (ETag and
Last-Modified of the public generation, 304, a shared cache); everyone
else's responses get an ETag of their content and a 304 when it matches.
The anonymous throttle runs before the cache: a cached page is still a
request, and a client must not get around its rate by asking for one URL.

Writes: an article's ETag is "v<version>-<digest>". The version is what
optimistic locking compares (edits and tag decisions change it); the digest
makes the ETag change whenever the representation does, so a conditional
read never answers 304 over a changed tag. PATCH requires If-Match with that
ETag, or just the version number, and answers 412 if someone saved since.
"""

import functools
import hashlib
import json
import math
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from rest_framework.exceptions import Throttled, ValidationError

from articles.cache import is_anonymous, public_cache

from .exceptions import PreconditionRequired
from .throttling import AnonymousRateThrottle

ENTITY_TAG = re.compile(r'^(?:W/)?"?v?(?P<version>[0-9]{1,9})(?:-[0-9a-f]*)?"?$')


def conditional_reads(view):
    """Decorate a DRF view function (as_view()'s): the anonymous throttle,
    then the page cache, then the view."""
    cached = public_cache(decorator_from_middleware(ConditionalGetMiddleware)(view))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and is_anonymous(request):
            refusal = throttle(request)
            if refusal is not None:
                return refusal
        return cached(request, *args, **kwargs)

    return wrapper


def throttle(request) -> JsonResponse | None:
    """The 429 answer if the anonymous client is over its rate, as DRF's
    exception handler would give it; None (the request counted) otherwise.
    The throttle keeps its history in the cache: no SQL."""
    limiter = AnonymousRateThrottle()
    if limiter.allow_request(request, None):
        AnonymousRateThrottle.mark_counted(request)
        return None
    wait = limiter.wait()
    refusal = Throttled(wait)
    response = JsonResponse({"detail": str(refusal.detail), "code": refusal.default_code},
                            status=refusal.status_code)
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def article_etag(article, data) -> str:
    content = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    digest = hashlib.sha256(content).hexdigest()[:16]
    return f'"v{article.version}-{digest}"'


def expected_version(request, *, required: bool = True) -> int | None:
    """The article version the client's If-Match names: 428 if it sends none
    (when required), 400 if it is not an ETag of ours or a version number."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise PreconditionRequired()
        return None
    if header == "*":
        raise PreconditionRequired(
            "If-Match: * does not protect against lost updates; send the article's ETag."
        )
    match = ENTITY_TAG.match(header)
    if match is None:
        raise ValidationError({"If-Match": [
            "Send the article's ETag (as in the ETag response header) or its version number."
        ]})
    return int(match["version"])
