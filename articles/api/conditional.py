"""
Conditional requests.

Reads: anonymous requests go through articles.cache.public_cache (ETag and
Last-Modified of the public generation, 304, a shared cache); everyone
else's responses get an ETag of their content and a 304 when it matches.

Writes: an article's ETag is "v<version>-<digest>". The version is what
optimistic locking compares (tag curation does not change it); the digest
makes the ETag change whenever the representation does, so a conditional
read never answers 304 over a changed tag. PATCH requires If-Match with that
ETag, or just the version number, and answers 412 if someone saved since.
"""

import hashlib
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from rest_framework.exceptions import ValidationError

from articles.cache import public_cache

from .exceptions import PreconditionRequired

ENTITY_TAG = re.compile(r'^(?:W/)?"?v?(?P<version>[0-9]{1,9})(?:-[0-9a-f]*)?"?$')


def conditional_reads(view):
    """Decorate a view (or, with method_decorator, a DRF view's dispatch)."""
    return public_cache(decorator_from_middleware(ConditionalGetMiddleware)(view))


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
