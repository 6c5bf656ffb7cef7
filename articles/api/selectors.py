"""
What each user may read, and everything a response shows fetched in a fixed
number of queries. Visibility is derived from ArticleQuerySet.live() and
TagQuerySet.public(), never restated.
"""

import orjson
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.reverse import preserve_builtin_query_params
from rest_framework.settings import api_settings

from articles import facets, renditions
from articles.records import attnames
from articles.statements import Statement

from articles.models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    Correction,
    DateMention,
    Organisation,
    Person,
    Place,
    Role,
    Source,
    Topic,
    has_live_byline,
    kept_live_count,
    live_article_count,
)

from .pagination import NEWEST_FIRST
from .permissions import is_staff, sees_unpublished


def articles_for(user):
    """Every article for editors with the view permission; live ones for everyone else."""
    return Article.objects.all() if sees_unpublished(user) else Article.objects.live()


class VisibleArticles:
    """articles_for(user), built when first asked for (all(), as a
    FilterSet asks): a list the facet index serves (articles.facets) reads
    no queryset, and building live()'s conditions costs a quarter of a
    millisecond, a twentieth of such a list."""

    model = Article

    def __init__(self, user):
        self.user = user

    def all(self):
        return articles_for(self.user)


def with_listing(articles):
    """What a list item shows: accepted tags only, whoever asks."""
    return articles.select_related("source").prefetch_related(
        Prefetch("byline_set", queryset=Byline.objects.select_related("person")),
        Prefetch("person_tags", to_attr="accepted_people", queryset=ArticlePerson.objects.accepted()
                 .select_related("person").order_by("person__sort_name", "person__name")),
        Prefetch("organisation_tags", to_attr="accepted_organisations",
                 queryset=ArticleOrganisation.objects.accepted()
                 .select_related("organisation").order_by("organisation__name")),
        Prefetch("place_tags", to_attr="accepted_places", queryset=ArticlePlace.objects.accepted()
                 .select_related("place").order_by("place__name")),
        Prefetch("topic_tags", to_attr="accepted_topics", queryset=ArticleTopic.objects.accepted()
                 .select_related("topic").order_by("topic__path")),
        Prefetch("date_mentions", to_attr="accepted_dates",
                 queryset=DateMention.objects.accepted_of_articles().order_by("date_from", "date_to", "id")),
    )


def with_renditions(articles):
    """A list's articles with their stored renditions (articles.renditions);
    what an item shows is prefetched for those without one only."""
    return with_listing(articles).with_renditions("api")


# The API's list with no filter: every live article, newest first, as stored items.
NEWEST_ITEMS = renditions.live_statement("api", NEWEST_FIRST)


def newest_live():
    """Every live article, newest first: the unfiltered list, for a Paginator."""
    return renditions.prepared_list(NEWEST_ITEMS, lambda: with_listing(Article.objects.live()))


def facet_list(query, *, oldest_first=False):
    """The live articles of a facet index query (articles.facets), newest
    first unless `oldest_first`, as list items for a Paginator."""
    return renditions.rendered(facets.FacetList(query, "api", oldest_first=oldest_first),
                               lambda: with_listing(Article.objects.live()))


def listing_items(page, request) -> list:
    """The list items of `page` (articles fetched by with_renditions(), or
    the items of newest_live()), with absolute URLs for this request: from
    their renditions, and those without a current one serialized here.
    A rendition is written out as it is stored (an orjson Fragment), its
    paths made URLs; with ?format= (which DRF carries over into API links)
    it is read and its link rewritten."""
    from .serializers import ArticleSerializer

    base = request.build_absolute_uri("/")[:-1]
    carry_format = api_settings.URL_FORMAT_OVERRIDE in request.query_params
    items, unrendered = [], []
    for article in page:
        stored = article if isinstance(article, str) else renditions.fresh(article)
        if stored is None:
            items.append(None)
            unrendered.append(article)
        elif carry_format:
            item = orjson.loads(stored if isinstance(stored, str) else stored.api)
            item["url"] = base + item["url"]
            item["api_url"] = preserve_builtin_query_params(base + item["api_url"], request)
            items.append(item)
        else:
            items.append(orjson.Fragment(with_host(stored if isinstance(stored, str) else stored.api, base)))
    if unrendered:
        serialized = iter(ArticleSerializer(unrendered, many=True, context={"request": request}).data)
        items = [item if item is not None else next(serialized) for item in items]
    return items


def with_host(item: str, base: str) -> bytes:
    """A stored item's url and api_url, paths, made URLs of `base`. They are
    its second and third keys, after the slug (no quotes in a slug): the
    first match of each is theirs."""
    return (item.encode().replace(b'"url":"/', b'"url":"' + base.encode() + b"/", 1)
            .replace(b'"api_url":"/', b'"api_url":"' + base.encode() + b"/", 1))


def with_detail(articles):
    return with_listing(articles).select_related("dateline").prefetch_related(
        Prefetch("corrections", queryset=Correction.objects.order_by("created_at", "id")),
    )


def records_for(model, user, now=None):
    """People, organisations, places or topics a user may see: the whole authority
    list for staff; for the public, the records that appear in live coverage
    (an accepted tag of a live article; for people also a byline, for places
    also a dateline), so that a name first seen in an embargoed draft does not
    leak through the API before the story does. Topics: those whose subtree
    has live coverage, as the topic pages show them. Sources: those of live
    articles. `now`: the time to judge by (a prepared statement's)."""
    records = model.objects.all()
    if is_staff(user):
        return records
    if model is Topic:
        return records.with_live_coverage(now)
    if model is Source:
        return records.filter(Exists(Article.objects.live(now).filter(source=OuterRef("pk"))))
    # Live coverage as the kept counts give it (two index lookups a record),
    # as for topics: an EXISTS through the tags to the articles cost
    # PostgreSQL more to plan, on every request, than to run.
    records = records.alias(live_kept=kept_live_count(model._meta.model_name, now))
    shown = Q(live_kept__gt=0)
    if model is Person:
        shown |= Q(has_live_byline(now))
    if model is Place:
        shown |= Q(Exists(Article.objects.live(now).filter(dateline=OuterRef("pk"))))
    return records.filter(shown)


# The record a filter names, by its slug, among those the public may see:
# one statement per kind, prepared once (articles.statements).
PUBLIC_RECORD = {
    model: Statement(lambda now, slug, model=model: records_for(model, None, now).filter(slug=slug)
                     .values_list(*attnames(model)), params={"slug": str})
    for model in (Person, Organisation, Place, Topic, Source)
}


def record_named(model, slug: str, user):
    """The record of `model` with this slug that `user` may see, or None."""
    if is_staff(user):
        return model.objects.filter(slug=slug).first()
    found = PUBLIC_RECORD[model].instances(timezone.now(), slug=slug)
    return found[0] if found else None


def with_live_counts(records):
    return records.annotate(live_articles=live_article_count(records.model))


def people_for(user):
    return with_live_counts(records_for(Person, user)).prefetch_related(
        "aliases",
        Prefetch("roles", queryset=Role.objects.select_related("organisation", "country")
                 .order_by("start_date", "id")),
    )


def organisations_for(user):
    return with_live_counts(records_for(Organisation, user)).prefetch_related("aliases")


def places_for(user):
    return (with_live_counts(records_for(Place, user))
            .select_related("parent").prefetch_related("aliases"))


def topics_for(user):
    """The whole tree for staff; for the public, the topics the site shows
    (those whose subtree has live coverage), so that a topic created for an
    unpublished story does not leak before it."""
    shown = Topic.objects.annotate_live_articles() if is_staff(user) else Topic.objects.with_live_counts()
    return shown.select_related("parent").prefetch_related(
        Prefetch("children", queryset=shown.order_by("name"))
    )


def sources_for(user):
    """Every source for staff; for the public, the sources of live articles,
    as for the other records (a publication first used by an embargoed story
    is not announced by the API before the story)."""
    live = Article.objects.live().filter(source=OuterRef("pk"))
    count = live.order_by().values("source").annotate(n=Count("pk")).values("n")
    return records_for(Source, user).annotate(
        live_articles=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    )


def timeline():
    """Accepted date mentions of live articles, in the order of the dates."""
    return (DateMention.objects.public().select_related("article")
            .order_by("date_from", "date_to", "article__published_at", "id"))


def tags_of(article) -> dict:
    """Every tag of the article, of every state, by kind (the kinds of the URLs)."""
    from articles.curation import TAG_MODEL_BY_KIND

    record = {"people": "person", "organisations": "organisation", "places": "place",
              "topics": "topic", "dates": None}
    tags = {}
    for kind, model in TAG_MODEL_BY_KIND.items():
        related = ["decided_by", record[kind]] if record[kind] else ["decided_by"]
        tags[kind] = model.objects.filter(article=article).select_related(*related).order_by("pk")
    return tags
