"""
Coverage counts: how many live articles each record (and the archive) has
each month, without reading the articles.

A record's page charts its coverage month by month and numbers its pages
from the same counts. Computed from the articles, that is a GROUP BY over
every article of the record: a quarter of the archive for the most covered
person, the slowest statement of the site. Here the counts are kept as the
articles change: each published article's contribution (its month, its
records: the people, organisations and places of its accepted tags, its
topics with every topic above them, and the archive itself) is stored in
ArticleCoverage, and any change an article's contribution depends on takes
the old one off Coverage and adds the new, in the change's own transaction.

What changes it: the article's status, publication time and source (its
save), its accepted tags and date mentions (their saves and deletions, and
Article.objects.record_edit() for the bulk paths), a topic moved in the
tree, the article's deletion. The same contribution holds the article's row
of the facet index (articles.facets), kept by the same changes.

Live is decided at reading time, as everywhere (live_q()): Coverage counts
published articles, and readers take off those whose time has not come (a
later publication time, an embargo), which PendingCoverage lists by record
with the time they are live from. `manage.py build_coverage` recomputes everything (after a bulk
import that bypassed the ORM, or a change of TIME_ZONE, which decides the
months).
"""

import collections
import datetime
import typing

from django.db import connections, router, transaction
from django.db.models import Value
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from . import facets
from .models import (
    Article,
    ArticleCoverage,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Coverage,
    DateMention,
    Organisation,
    PendingCoverage,
    Person,
    Place,
    TagState,
    Topic,
)
from .statements import Statement

KIND = {Person: Coverage.Kind.PERSON, Organisation: Coverage.Kind.ORGANISATION,
        Place: Coverage.Kind.PLACE, Topic: Coverage.Kind.TOPIC}
TAGS = {Coverage.Kind.PERSON: (ArticlePerson, "person_id"),
        Coverage.Kind.ORGANISATION: (ArticleOrganisation, "organisation_id"),
        Coverage.Kind.PLACE: (ArticlePlace, "place_id")}
RECORD_OF_TAG = {model: (kind, field) for kind, (model, field) in TAGS.items()}
RECORD_OF_TAG[ArticleTopic] = (Coverage.Kind.TOPIC, "topic_id")
ARCHIVE = f"{Coverage.Kind.ALL}:0"
BATCH = 2000


def month_of(moment: datetime.datetime) -> datetime.date:
    """The month an article is charted in: of its publication time in the
    site's time zone, as charts.monthly_counts() gives it."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date().replace(day=1)


def key(record) -> str:
    return f"{KIND[type(record)]}:{record.pk}"


def keys_text(keys) -> str:
    """Keys as stored: sorted, separated by spaces ("all:0 person:3")."""
    return " ".join(sorted(keys))


# --- Reading ---------------------------------------------------------------------


# A record's months with published articles, and one row of -1 a month for
# each of its articles not live yet (at `now`): one statement, prepared once
# (articles.statements).
MONTHS = Statement(
    lambda now, kind, record: Coverage.objects.filter(
        kind=kind, record_id=record, articles__gt=0, month__gt=Coverage.TOTAL).values_list("month", "articles")
    .union(PendingCoverage.objects.filter(kind=kind, record_id=record, live_from__gt=now)
           .annotate(less=Value(-1)).values_list("month", "less"), all=True),
    params={"kind": str, "record": int})


def monthly(record=None, now=None) -> dict[datetime.date, int]:
    """{first day of month: live articles} of `record` (a person,
    organisation, place or topic, its sub-topics included), or of the whole
    archive; one query, two index ranges, whatever the number of articles."""
    now = now or timezone.now()
    kind, record_id = (key(record) if record is not None else ARCHIVE).split(":")
    counts = {}
    for month, n in MONTHS.rows(now, kind=kind, record=int(record_id)):
        counts[month] = counts.get(month, 0) + n
    return {month: n for month, n in counts.items() if n > 0}


# The published articles a record has (those not live yet included): one lookup.
TOTAL = Statement(
    lambda kind, record: Coverage.objects.filter(kind=kind, record_id=record, month=Coverage.TOTAL)
    .values_list("articles"),
    params={"kind": str, "record": int})


def published_total(record) -> int:
    """How many published articles `record` has (its sub-topics' included),
    the ones not live yet too: to choose how to read them, not to show."""
    kind, record_id = key(record).split(":")
    found = TOTAL.rows(None, kind=kind, record=int(record_id))
    return found[0][0] if found else 0


# --- Keeping the counts ------------------------------------------------------------


class Contribution(typing.NamedTuple):
    month: datetime.date
    keys: frozenset[str]
    live_from: datetime.datetime
    # The article's row of the facet index (articles.facets).
    position: int
    facets: str


def contributions(article_ids) -> dict[int, Contribution]:
    """What each of these articles adds to Coverage as they are now: the
    published ones."""
    published, live_from, source = {}, {}, {}
    for pk, published_at, embargo_until, source_id in Article.objects.filter(
            pk__in=article_ids, status=Article.Status.PUBLISHED, published_at__isnull=False,
    ).values_list("pk", "published_at", "embargo_until", "source_id"):
        published[pk] = published_at
        live_from[pk] = max(published_at, embargo_until) if embargo_until else published_at
        source[pk] = source_id
    if not published:
        return {}
    ids = list(published)
    keys = {pk: {ARCHIVE} for pk in ids}
    mentions = {pk: [] for pk in ids}
    for article_id, date_from, date_to in (DateMention.objects.accepted_of_articles().filter(article_id__in=ids)
                                           .values_list("article_id", "date_from", "date_to")):
        mentions[article_id].append((date_from, date_to))
    for kind, (model, field) in TAGS.items():
        for article_id, record_id in (model.objects.accepted().filter(article_id__in=ids)
                                      .values_list("article_id", field)):
            keys[article_id].add(f"{kind}:{record_id}")
    for article_id, path in (ArticleTopic.objects.accepted().filter(article_id__in=ids)
                             .values_list("article_id", "topic__path")):
        keys[article_id].update(f"{Coverage.Kind.TOPIC}:{pk}" for pk in path.strip("/").split("/") if pk)
    return {pk: Contribution(
        month_of(published[pk]), frozenset(keys[pk]), live_from[pk], facets.position(published[pk], pk),
        facets.text(facets.tokens(keys=keys[pk], source_id=source[pk], mentions=mentions[pk])),
    ) for pk in ids}


def refresh(article_ids) -> int:
    """Bring Coverage up to date with these articles (ids, or a queryset of
    ids) as they are now, in the current transaction; returns how many
    articles' contributions changed."""
    ids = sorted(set(article_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        changed += _refresh(ids[start:start + BATCH])
    return changed


@transaction.atomic
def _refresh(ids) -> int:
    # The articles' rows first, as every change of them does: two refreshes
    # of one article wait for each other instead of both taking off the
    # same old contribution.
    list(Article.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True)
         .values_list("pk", flat=True))
    old = {pk: Contribution(month, frozenset(keys.split()), live_from, position, tokens)
           for pk, month, keys, live_from, position, tokens in
           ArticleCoverage.objects.filter(article_id__in=ids)
           .values_list("article_id", "month", "keys", "live_from", "position", "facets")}
    new = contributions(ids)
    changed = [pk for pk in ids if old.get(pk) != new.get(pk)]
    if not changed:
        return 0
    delta = collections.Counter()
    for pk in changed:
        if pk in old:
            delta.subtract({(k, old[pk].month): 1 for k in old[pk].keys})
        if pk in new:
            delta.update({(k, new[pk].month): 1 for k in new[pk].keys})
    ArticleCoverage.objects.filter(article_id__in=[pk for pk in changed if pk not in new]).delete()
    PendingCoverage.objects.filter(article_id__in=changed).delete()
    store({pk: new[pk] for pk in changed if pk in new}, replace=True)
    add(delta)
    return len(changed)


def store(found: dict, *, replace: bool = False) -> None:
    """Write what these articles add (ArticleCoverage, and PendingCoverage
    for those not live yet)."""
    now = timezone.now()
    rows = [ArticleCoverage(article_id=pk, month=c.month, keys=keys_text(c.keys), live_from=c.live_from,
                            position=c.position, facets=c.facets)
            for pk, c in found.items()]
    upsert = {"update_conflicts": True, "unique_fields": ["article"],
              "update_fields": ["month", "keys", "live_from", "position", "facets"]} if replace else {}
    ArticleCoverage.objects.bulk_create(rows, batch_size=500, **upsert)
    PendingCoverage.objects.bulk_create(
        [PendingCoverage(article_id=pk, kind=k.split(":")[0], record_id=int(k.split(":")[1]),
                         month=c.month, live_from=c.live_from)
         for pk, c in found.items() if c.live_from > now for k in sorted(c.keys)], batch_size=500)


def add(delta) -> None:
    """Add {(key, month): n} to Coverage, and to each record's total: one
    upsert per row, in a fixed order (concurrent changes lock the rows they
    share in the same order)."""
    totals = collections.Counter()
    for (k, month), n in delta.items():
        totals[(k, Coverage.TOTAL)] += n
    rows = sorted((*k.split(":"), month, n) for (k, month), n in (*delta.items(), *totals.items()) if n)
    if not rows:
        return
    using = router.db_for_write(Coverage)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(Coverage._meta.db_table)
    kind, record, month, articles = (quote(c) for c in ("kind", "record_id", "month", "articles"))
    sql = (f"INSERT INTO {table} ({kind}, {record}, {month}, {articles}) VALUES (%s, %s, %s, %s) "
           f"ON CONFLICT ({kind}, {record}, {month}) "
           f"DO UPDATE SET {articles} = {table}.{articles} + excluded.{articles}")
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(k, int(r), adapt(m), n) for k, r, m, n in rows])


def rebuild(*, progress=None) -> int:
    """Every count again from the articles; returns the number of published
    articles counted. `progress` is called with the number done per batch."""
    with transaction.atomic(), facets.index_deferred():
        PendingCoverage.objects.all().delete()
        ArticleCoverage.objects.all().delete()
        Coverage.objects.all().delete()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        counted = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            found = contributions(chunk)
            store(found)
            delta = collections.Counter()
            for c in found.values():
                delta.update({(k, c.month): 1 for k in c.keys})
            add(delta)
            counted += len(found)
            if progress:
                progress(len(chunk))
    return counted


# --- What changes it --------------------------------------------------------------


def _being_deleted(kwargs) -> bool:
    """A tag deleted with its article: the article's own deletion takes its
    contribution off."""
    origin = kwargs.get("origin")
    model = getattr(origin, "model", type(origin))
    return model is Article


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.pk])


def _article_deleting(sender, instance, **kwargs):
    row = ArticleCoverage.objects.filter(article=instance).values_list("month", "keys").first()
    if row:
        month, keys = row
        add({(k, month): -1 for k in keys.split()})
        ArticleCoverage.objects.filter(article=instance).delete()


def _tag_changed(sender, instance, raw=False, **kwargs):
    if raw or _being_deleted(kwargs):
        return
    if instance.state != TagState.ACCEPTED:
        # Not counted now; and if its record is not in what the article
        # added, it was not counted before either (the tagger's suggestions):
        # nothing to change.
        kind, field = RECORD_OF_TAG[sender]
        record = f"{kind}:{getattr(instance, field)}"
        stored = ArticleCoverage.objects.filter(article_id=instance.article_id).values_list("keys", flat=True).first()
        if stored is None or record not in stored.split():
            return
    refresh([instance.article_id])


def _date_saving(sender, instance, raw=False, **kwargs):
    # Whether the mention was accepted before this save: if so, its dates are
    # in the article's facets, to be taken off.
    instance._was_accepted = bool(
        not raw and instance.pk and instance.state != TagState.ACCEPTED
        and DateMention.objects.filter(pk=instance.pk, state=TagState.ACCEPTED).exists())


def _date_changed(sender, instance, raw=False, **kwargs):
    # A date mention counts in no record's coverage, but in the article's
    # facets (articles.facets), if it is accepted or was: the tagger's
    # suggestions change nothing.
    if raw or _being_deleted(kwargs):
        return
    if instance.state != TagState.ACCEPTED and not getattr(instance, "_was_accepted", False):
        return
    if ArticleCoverage.objects.filter(article_id=instance.article_id).exists():
        refresh([instance.article_id])


def _topic_saving(sender, instance, raw=False, **kwargs):
    instance._coverage_moved = bool(
        not raw and instance.pk
        and Topic.objects.filter(pk=instance.pk).exclude(path=instance.path).exists())


def _topic_saved(sender, instance, created, **kwargs):
    if getattr(instance, "_coverage_moved", False):
        # The articles of its subtree count under other topics above it now.
        refresh(Article.objects.for_topic(instance).values_list("pk", flat=True))


def connect_receivers() -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="coverage.article")
    pre_delete.connect(_article_deleting, sender=Article, dispatch_uid="coverage.article")
    for model in RECORD_OF_TAG:
        uid = f"coverage.{model._meta.label_lower}"
        post_save.connect(_tag_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_tag_changed, sender=model, dispatch_uid=uid)
    pre_save.connect(_date_saving, sender=DateMention, dispatch_uid="coverage.datemention")
    post_save.connect(_date_changed, sender=DateMention, dispatch_uid="coverage.datemention")
    post_delete.connect(_date_changed, sender=DateMention, dispatch_uid="coverage.datemention")
    pre_save.connect(_topic_saving, sender=Topic, dispatch_uid="coverage.topic")
    post_save.connect(_topic_saved, sender=Topic, dispatch_uid="coverage.topic")
