"""
Stored renditions: each article as every list shows it, rendered when the
article changes instead of twenty times per list request.

A rendition (ArticleRendition) holds the article's API list item, as JSON
with its URLs as paths (the list adds the host), and its HTML card at heading
level 2. It is derived data kept with the article, not a cache: nothing
expires and nothing is guessed. Every change a rendition depends on deletes it
in the change's own transaction, and the article is rendered again once that
transaction commits. A list that finds no rendition, or one of another
`current_format()`, renders that article itself, as before, so a missing
rendition costs time and never shows anything stale.

What a rendition depends on, and what deletes it:
- the article's fields, bylines and tags (every state: a decision changes
  which are shown): their post_save/post_delete, and
  Article.objects.record_edit() for the bulk paths (accept-all, merges);
- the names, slugs and sort order of the records it shows (people,
  organisations, places, topics and the topics above them, its source): a
  change of those on save deletes the renditions of the record's articles.
  A record on more than REBUILD_AT_ONCE articles leaves the rest to
  `manage.py build_renditions --missing`, so that renaming the most-covered
  person does not render a quarter of the archive inside the admin's save;
- the code and settings that render it: `current_format()` digests the card
  template, the API serializers' source, the time zone and the language.
  After a deployment that changes them, `manage.py build_renditions`.

Only accepted tags are rendered (lists show nothing else, whoever asks), and
which articles a list shows is decided by the list's own query (live() for
the public): a rendition says how an article looks, never whether it may be
seen.
"""

import functools
import hashlib
import inspect
import logging
import re
import threading

import orjson
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.template.loader import get_template
from django.utils import timezone

from .models import (
    Article,
    ArticleRendition,
    Byline,
    Organisation,
    Person,
    Place,
    Source,
    Topic,
    tag_models,
)
from .statements import PreparedList, Statement, count_statement

logger = logging.getLogger(__name__)

CARD_TEMPLATE = "includes/article_card.html"
CARD_LEVEL = 2
CARD_HEADING = f'<h{CARD_LEVEL} class="card-title">'
REBUILD_AT_ONCE = 2000
BATCH = 500
VERSION = 1  # raise when what a rendition holds changes shape


@functools.cache
def current_format() -> str:
    """The code and settings renditions are rendered with, as 16 hex digits."""
    from articles.api import serializers

    digest = hashlib.sha256()
    digest.update(f"{VERSION}\n{settings.TIME_ZONE}\n{settings.LANGUAGE_CODE}\n".encode())
    digest.update(get_template(CARD_TEMPLATE).template.source.encode())
    digest.update(inspect.getsource(serializers).encode())
    return digest.hexdigest()[:16]


def fresh(article) -> ArticleRendition | None:
    """The article's rendition if it was fetched with it (select_related:
    never a query here) and is of the current format; None otherwise."""
    try:
        rendition = Article._meta.get_field("rendition").get_cached_value(article)
    except KeyError:
        return None
    return rendition if rendition is not None and rendition.format == current_format() else None


def card_at(card: str, level: int) -> str:
    """A stored card with its heading at `level`. The card's text is
    escaped, so its only heading tags are the title's own."""
    if level == CARD_LEVEL:
        return card
    return (card.replace(CARD_HEADING, f'<h{level} class="card-title">', 1)
            .replace(f"</h{CARD_LEVEL}>", f"</h{level}>", 1))


# A card's standfirst, where a search puts its snippet (the card template
# shows one or the other, right after the title).
_STANDFIRST = re.compile(rf'(</h{CARD_LEVEL}>\n[ \t]*)(<p class="standfirst">[^<]*</p>)?')


def card_with_snippet(card: str, snippet: str) -> str:
    """A stored card as the card template renders it for an article with
    `snippet` (safe HTML, articles.search.snippets()): in place of the
    standfirst, or where it would be. An empty snippet leaves the card."""
    if not snippet:
        return card
    return _STANDFIRST.sub(lambda m: f'{m[1]}<p class="snippet">{snippet}</p>', card, count=1)


def rows_of(ids, part: str, *, using: str | None = None) -> list[tuple]:
    """(id, rendition format, rendition `part`) of these articles, in their
    order, (id, None, None) for one without a rendition: the rows items()
    reads. One statement, without the ORM: lists read it per request."""
    if not ids:
        return []
    connection = connections[using or router.db_for_read(ArticleRendition)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT article_id, format, {quote(part)} FROM {quote(ArticleRendition._meta.db_table)}"
                       f" WHERE article_id IN ({', '.join(['%s'] * len(ids))})", list(ids))
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return [(pk, *found.get(pk, (None, None))) for pk in ids]


# --- Lists read without the ORM's per-request work ---------------------------------

def live_articles(now):
    return Article.objects.live(now=now)


# How many live articles there are, up to a bound given per call.
LIVE_COUNT = count_statement(live_articles)


def live_statement(part: str, order, select=live_articles, params=None) -> Statement:
    """The articles of `select(now, **params)` (every live article, by
    default) in `order` (a list's ORDER BY), a page at a time, as (pk,
    rendition format, rendition `part`): a list's one query."""
    return Statement(lambda now, **values: select(now, **values).order_by(*order)
                     .values_list("pk", "rendition__format", f"rendition__{part}"),
                     template="{sql} LIMIT %s OFFSET %s", params=params)


def prepared_list(statement: Statement, unrendered, count: Statement = LIVE_COUNT,
                  **params) -> PreparedList:
    """The articles of `statement` (with `params`) for a Paginator, counted
    by `count`, as rendered() makes its rows."""
    return rendered(PreparedList(statement, count, timezone.now(), params=params), unrendered)


def rendered(rows_list, unrendered):
    """`rows_list` (a PreparedList or a facets.FacetList, whose slices are
    (pk, rendition format, rendition text) rows) with each item the stored
    text of its rendition or, for an article without a current one, the
    article itself from `unrendered()` (a queryset of live articles with
    what the list shows), fetched for that page's such articles in one go."""
    rows_list.finish = lambda rows: items(rows, unrendered)
    return rows_list


def items(rows, unrendered) -> list:
    """A page's items from its (pk, rendition format, rendition text) rows:
    the stored text of each current rendition or, for an article without
    one, the article itself from `unrendered()`, those fetched in one go
    (an article gone meanwhile is left out)."""
    missing = {pk for pk, format, text in rows if text is None or format != current_format()}
    found = unrendered().in_bulk(missing) if missing else {}
    return [found[pk] if pk in missing else text for pk, format, text in rows
            if pk not in missing or pk in found]


# --- Rendering ----------------------------------------------------------------


class _Paths:
    """Stands in for the request while rendering: URLs stay paths, without
    the ?format= DRF would carry over from a request (the list adds both)."""

    GET: dict = {}

    def build_absolute_uri(self, location=None):
        return location


def _with_everything(articles):
    """What the API item shows, and the card's topics besides."""
    from articles.api.selectors import with_listing
    from articles.views import accepted_topic_tags

    return with_listing(articles).prefetch_related(accepted_topic_tags())


def render(articles) -> list[ArticleRendition]:
    """Renditions of `articles` (fetched by _with_everything)."""
    from articles.api.serializers import ArticleSerializer

    items = ArticleSerializer(articles, many=True, context={"request": _Paths()}).data
    card = get_template(CARD_TEMPLATE)
    return [
        ArticleRendition(article=article, format=current_format(), api=orjson.dumps(item).decode(),
                         card=card.render({"article": article, "level": CARD_LEVEL}).strip())
        for article, item in zip(articles, items)
    ]


def build(article_ids, *, progress=None) -> int:
    """Render these articles again (those that still exist); returns how
    many. `progress` is called with the number done after each batch."""
    ids = sorted(set(article_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        with transaction.atomic():
            # The articles' rows first, then their renditions: the order of
            # every change (it holds the article's row when it deletes the
            # rendition), so a build beside a change cannot deadlock with it.
            # An article a change holds is skipped: that change renders it
            # when it commits (and if it rolls back, the list renders it).
            free = list(Article.objects.filter(pk__in=chunk).order_by("pk")
                        .select_for_update(no_key=True, skip_locked=True)
                        .values_list("pk", flat=True))
            rows = render(list(_with_everything(Article.objects.filter(pk__in=free))))
            ArticleRendition.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["article"],
                update_fields=["format", "api", "card"])
        done += len(rows)
        if progress:
            progress(len(chunk))
    return done


def missing() -> QuerySet:
    """Ids of the articles without a rendition of the current format."""
    current = ArticleRendition.objects.filter(format=current_format()).values("article_id")
    return Article.objects.exclude(pk__in=current).values_list("pk", flat=True)


# --- Invalidation ---------------------------------------------------------------


def invalidate(articles) -> None:
    """Delete the renditions of `articles` (ids, or a queryset of article
    ids) in the current transaction; render them again when it commits."""
    if isinstance(articles, QuerySet):
        ArticleRendition.objects.filter(article_id__in=articles).delete()
        ids = list(articles[:REBUILD_AT_ONCE + 1])
    else:
        ids = list(articles)
        if not ids:
            return
        ArticleRendition.objects.filter(article_id__in=ids).delete()
    if len(ids) > REBUILD_AT_ONCE:
        logger.warning("More than %s articles to render again: run manage.py build_renditions "
                       "--missing (their lists render them meanwhile).", REBUILD_AT_ONCE)
        return
    _build_on_commit(ids)


# The articles to render once the current transaction commits, per thread
# (each thread has its own connection).
_pending = threading.local()


def _build_on_commit(ids) -> None:
    """Render once, whatever the number of changes: the tagger saving twenty
    suggestions registers twenty callbacks, and the first renders the article
    while the others find nothing left to do. Ids left by a rolled-back
    transaction are rendered with the next commit: again as they are."""
    pending = _pending.__dict__.setdefault("ids", set())
    pending.update(ids)
    transaction.on_commit(_build_pending, robust=True)


def _build_pending() -> None:
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    if ids:
        build(ids)


def discard_pending() -> None:
    """Forget what awaits a commit (tests: their transactions never commit)."""
    _pending.ids = set()


def _article_saved(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        invalidate([instance.pk])


def _part_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        invalidate([instance.article_id])


# What each kind of record shows in a rendition, and the articles showing it.
SHOWN_FIELDS = {
    Person: ("name", "slug", "sort_name"),
    Organisation: ("name", "slug"),
    Place: ("name", "slug"),
    Topic: ("name", "slug", "path"),
    Source: ("name", "slug"),
}


def articles_showing(record) -> QuerySet:
    """Ids of the articles whose rendition shows `record`: those it is an
    accepted tag of (a topic: of it or below it, its name being in their
    path), a byline of, or the source of. A tag accepted later renders its
    article then."""
    articles = Article.objects.order_by("pk")
    if isinstance(record, Source):
        shown = articles.filter(source=record)
    else:
        shown = articles.for_record(record)
        if isinstance(record, Person):
            shown |= articles.filter(pk__in=Byline.objects.filter(person=record).values("article_id"))
    return shown.values_list("pk", flat=True)


def _record_saving(sender, instance, **kwargs):
    if kwargs.get("raw") or instance.pk is None:
        instance._rendition_changed = False
        return
    fields = SHOWN_FIELDS[sender]
    before = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    instance._rendition_changed = before != tuple(getattr(instance, f) for f in fields)


def _record_saved(sender, instance, created, **kwargs):
    if not created and getattr(instance, "_rendition_changed", False):
        invalidate(articles_showing(instance))


def connect_receivers() -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="renditions.article")
    for model in (*tag_models(), Byline):
        uid = f"renditions.{model._meta.label_lower}"
        post_save.connect(_part_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_part_changed, sender=model, dispatch_uid=uid)
    for model in SHOWN_FIELDS:
        uid = f"renditions.{model._meta.label_lower}"
        pre_save.connect(_record_saving, sender=model, dispatch_uid=uid)
        post_save.connect(_record_saved, sender=model, dispatch_uid=uid)
