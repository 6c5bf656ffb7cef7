"""
The public site. Every view starts from Article.objects.live() (through
public_articles()) and accepted tags only; each runs a fixed number of
queries whatever the number of articles or tags.
"""

import datetime

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import (
    ArchiveIndexView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from . import coverage, records, renditions, timeline
from .charts import coverage_chart
from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    Collection,
    DateMention,
    Organisation,
    Person,
    Place,
    Role,
    TagState,
    Topic,
    in_live_coverage,
    live_article_count,
)
from .pagination import NEWEST_FIRST, CappedPaginator
from .statements import PreparedList
from .search import FACET_SAMPLE, SearchResults, by_relevance, facets_of, search_articles

PAGE_SIZE = 20
INDEX_PAGE_SIZE = 60
TIMELINE_PAGE_SIZE = 50
RELATED_COUNT = 5
RELATED_CANDIDATES = 50


# --- Shared selectors --------------------------------------------------------


def accepted_tags(model, record_field, order):
    return model.objects.accepted().select_related(record_field).order_by(order)


def accepted_topic_tags():
    """An article's accepted topic tags, in tree order (cards and the article page)."""
    return Prefetch("topic_tags", queryset=accepted_tags(ArticleTopic, "topic", "topic__path"))


def with_listing_data(articles):
    """`articles` with everything an article card shows, in a fixed number of queries."""
    return articles.select_related("source").prefetch_related(
        Prefetch("byline_set", queryset=Byline.objects.select_related("person")), accepted_topic_tags(),
    )


def public_articles():
    """Live articles with everything a listing shows, in a fixed number of queries."""
    return with_listing_data(Article.objects.live())


def article_page_data(articles):
    """`articles` with what the article page shows: every kind of accepted
    tag and the corrections."""
    return articles.select_related("source", "dateline").prefetch_related(
        Prefetch("byline_set", queryset=Byline.objects.select_related("person")),
        Prefetch("person_tags", queryset=accepted_tags(ArticlePerson, "person", "person__sort_name")),
        Prefetch("organisation_tags",
                 queryset=accepted_tags(ArticleOrganisation, "organisation", "organisation__name")),
        Prefetch("place_tags", queryset=accepted_tags(ArticlePlace, "place", "place__name")),
        accepted_topic_tags(),
        Prefetch("date_mentions", queryset=DateMention.objects.accepted_of_articles().order_by("date_from", "date_to")),
        "corrections",
    )


def with_live_coverage(records):
    """People, organisations or places with live coverage (an accepted tag
    on a live article)."""
    return records.filter(in_live_coverage(records.model))


def with_live_counts(records):
    """The records of with_live_coverage(), annotated with `n_articles`:
    those the kept counts (articles.coverage) give live articles."""
    return records.annotate(n_articles=live_article_count(records.model)).filter(n_articles__gt=0)


def related_articles(article, limit=RELATED_COUNT):
    """Live articles sharing the most accepted tags with `article` (its
    prefetched tags), newest first among equals; one query.

    Candidates are, for each of the article's tags, the RELATED_CANDIDATES
    latest articles carrying it (an index range per tag), so that a tag on a
    quarter of the archive does not make every one of those articles a
    candidate; each candidate is then scored on all the shared tags."""
    kinds = [
        (ArticlePerson, "person", {t.person_id for t in article.person_tags.all()}),
        (ArticleOrganisation, "organisation", {t.organisation_id for t in article.organisation_tags.all()}),
        (ArticlePlace, "place", {t.place_id for t in article.place_tags.all()}),
        (ArticleTopic, "topic", {t.topic_id for t in article.topic_tags.all()}),
    ]
    shared, parts, params = Value(0), [], []
    for model, field, ids in kinds:
        if not ids:
            continue
        tags = model.objects.accepted().filter(**{f"{field}_id__in": ids})
        count = (tags.filter(article=OuterRef("pk")).order_by().values("article")
                 .annotate(n=Count("pk")).values("n"))
        shared = shared + Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
        table, column = model._meta.db_table, model._meta.get_field(field).column
        for record_id in sorted(ids):
            parts.append(
                f"SELECT article_id FROM (SELECT article_id FROM {table} WHERE {column} = %s "
                f"AND state = %s AND article_id <> %s ORDER BY article_id DESC "
                f"LIMIT {RELATED_CANDIDATES}) AS c{len(parts)}")
            params += [record_id, TagState.ACCEPTED, article.pk]
    if not parts:
        return []
    return list(
        Article.objects.live().filter(pk__in=RawSQL(" UNION ".join(parts), params))
        .annotate(shared=shared).order_by("-shared", "-published_at", "-pk")
        .only("headline", "slug", "published_at")[:limit]
    )


def absolute(request, path):
    return request.build_absolute_uri(path)


def article_jsonld(request, article) -> dict:
    """schema.org NewsArticle for the article page."""

    def thing(kind, record):
        return {"@type": kind, "name": record.name, "url": absolute(request, record.get_absolute_url())}

    about, mentions = [], []
    for tags, field, kind in ((article.person_tags.all(), "person", "Person"),
                              (article.organisation_tags.all(), "organisation", "Organization"),
                              (article.place_tags.all(), "place", "Place")):
        for tag in tags:
            (about if tag.relation == "about" else mentions).append(thing(kind, getattr(tag, field)))
    about += [thing("Thing", tag.topic) for tag in article.topic_tags.all()]
    url = absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.standfirst,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "author": [thing("Person", b.person) for b in article.byline_set.all()
                   if b.role == Byline.Role.AUTHOR],
        "publisher": {"@type": "Organization", "name": "Newsroom", "url": absolute(request, "/")},
        "about": about,
        "mentions": mentions,
        "inLanguage": "en",
    }
    if article.source:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.source.name}
    if article.original_url:
        data["isBasedOn"] = article.original_url
    if article.dateline:
        data["contentLocation"] = {"@type": "Place", "name": article.dateline.name}
    return data


# --- Articles ----------------------------------------------------------------

# The home page's list: every live article, newest first, as stored cards.
NEWEST_CARDS = renditions.live_statement("card", NEWEST_FIRST)


class HomeView(ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    extra_context = {"more_url": reverse_lazy("articles:archive"),
                     "more_label": "Older articles: the archive, by month"}

    def get_queryset(self):
        return renditions.prepared_list(NEWEST_CARDS, public_articles)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        featured = None
        if context["page_obj"].number == 1:
            featured = Collection.objects.filter(featured=True).first()
        if featured:
            context["featured"] = featured
            context["featured_articles"] = (
                public_articles().with_renditions("card").filter(collection_items__collection=featured)
                .order_by("collection_items__position", "collection_items__id")
            )
        return context


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"
    preview = False

    def get_queryset(self):
        return article_page_data(Article.objects.all() if self.preview else Article.objects.live())

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            notice = (Article.objects.filter(slug=kwargs["slug"], status=Article.Status.KILLED)
                      .values_list("kill_notice", flat=True).first())
            if notice is None:
                raise
            return TemplateResponse(request, "articles/gone.html", {"notice": notice}, status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context.update(
            preview=self.preview,
            related=related_articles(article),
            canonical_url=absolute(self.request, article.get_absolute_url()),
            jsonld=article_jsonld(self.request, article),
        )
        return context


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """Any article in any state, as it would read; for signed-in staff."""

    preview = True

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


# --- People, topics, organisations, places -----------------------------------


class RecordIndexView(ListView):
    """Every record of one kind with live coverage, with its count."""

    record_model = None
    template_name = "articles/record_index.html"
    context_object_name = "records"
    paginate_by = INDEX_PAGE_SIZE

    def get_queryset(self):
        return with_live_counts(self.record_model.objects.all()).order_by(
            *self.record_model._meta.ordering, "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            kind=self.record_model._meta.verbose_name,
            kind_plural=self.record_model._meta.verbose_name_plural, **kwargs)


class PersonIndexView(RecordIndexView):
    record_model = Person

    def get_queryset(self):
        current_roles = Role.objects.filter(end_date__isnull=True).select_related("organisation", "country")
        return super().get_queryset().prefetch_related(Prefetch("roles", queryset=current_roles))


class TopicIndexView(TemplateView):
    template_name = "articles/topic_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=topic_tree(Topic.objects.with_live_counts()), **kwargs)


def topic_tree(topics):
    """Nest topics (ordered by path) under their parents: [(topic, children)]."""
    nodes, roots = {}, []
    for topic in topics:
        node = (topic, [])
        nodes[topic.pk] = node
        parent = nodes.get(topic.parent_id)
        (parent[1] if parent else roots).append(node)
    return roots


class RecordDetailView(ListView):
    """A record's page: its live articles (paginated) and their coverage
    over time. Records without live coverage have no public page. What it
    reads is prepared once per process (articles.records)."""

    record_model = None
    template_name = "articles/record_detail.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    feed_name = None

    @property
    def page(self) -> records.RecordPage:
        return records.PAGES[self.record_model]

    def get_queryset(self):
        self.now = timezone.now()
        self.record = self.page.get(self.kwargs["slug"], self.now)
        if self.record is None:
            raise Http404(f"No {self.record_model._meta.verbose_name} with a public page here.")
        # The kept counts give the chart and the exact number of pages.
        self.monthly = self.record.monthly
        self.total = sum(self.monthly.values())
        return self.page.articles(self.record, public_articles, self.now)

    def get_paginator(self, *args, **kwargs):
        return CappedPaginator(*args, known_count=self.total, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            record=self.record,
            kind=self.record_model._meta.verbose_name,
            chart=coverage_chart(self.monthly),
            **kwargs,
        )
        if self.feed_name:
            context["feed_url"] = reverse(self.feed_name, kwargs={"slug": self.record.slug})
        return context


class PersonDetailView(RecordDetailView):
    record_model = Person
    feed_name = "articles:feed_person"

    def get_context_data(self, **kwargs):
        return super().get_context_data(roles=self.page.roles_of(self.record), written=self.record.written,
                                        **kwargs)


class TopicDetailView(RecordDetailView):
    record_model = Topic
    template_name = "articles/topic_detail.html"
    feed_name = "articles:feed_topic"

    def get_context_data(self, **kwargs):
        return super().get_context_data(ancestors=self.page.ancestors_of(self.record),
                                        subtopics=self.page.subtopics_of(self.record, self.now), **kwargs)


class OrganisationDetailView(RecordDetailView):
    record_model = Organisation


class PlaceDetailView(RecordDetailView):
    record_model = Place


# --- Timeline, archive, search -----------------------------------------------


def filter_by_record(request, articles):
    """Apply ?person=<slug> and ?topic=<slug> (sub-topics included); returns
    (articles, chosen records). Unknown or non-public records are a 404."""
    chosen = {}
    if request.GET.get("person"):
        chosen["person"] = get_object_or_404(with_live_coverage(Person.objects.all()),
                                             slug=request.GET["person"])
        articles = articles.for_person(chosen["person"])
    if request.GET.get("topic"):
        chosen["topic"] = get_object_or_404(Topic.objects.with_live_coverage(), slug=request.GET["topic"])
        articles = articles.for_topic(chosen["topic"])
    return articles, chosen


class TimelineView(ListView):
    """Every accepted date mention of live articles, in time order; by year
    with ?year=YYYY (the years run from the first date mentioned to the
    last). Its entries are drawn by articles.timeline."""

    template_name = "articles/timeline.html"
    paginate_by = TIMELINE_PAGE_SIZE
    paginator_class = CappedPaginator

    def get_queryset(self):
        self.now = timezone.now()
        self.chosen = {}
        if self.request.GET.get("person") or self.request.GET.get("topic"):
            _, self.chosen = filter_by_record(self.request, Article.objects.none())
        self.year = self.request.GET.get("year", "")
        if self.year and not (self.year.isdigit() and 1 <= int(self.year) <= 9999):
            raise Http404("No such year.")
        span = {"start": datetime.date(int(self.year), 1, 1),
                "end": datetime.date(int(self.year), 12, 31)} if self.year else {}
        if not self.chosen:  # the statements prepared for it
            if span:
                return PreparedList(timeline.OF_YEAR, timeline.OF_YEAR_COUNT, self.now, params=span)
            return PreparedList(timeline.EVERY, timeline.EVERY_COUNT, self.now)
        self.mentions = DateMention.objects.public(self.now)
        for record in self.chosen.values():
            self.mentions = timeline.of_record(self.mentions, record, self.now)
        return timeline.rows(timeline.in_year(self.mentions, **span) if span else self.mentions)

    def get_context_data(self, **kwargs):
        if self.chosen:
            # The first and the last dates: two walks of the date index that
            # stop at the first live mention (MIN/MAX over a join would read them all).
            dates = self.mentions.order_by().values_list("date_from", flat=True)
            first, last = dates.order_by("date_from").first(), dates.order_by("-date_from").first()
        else:
            first, last = (next(iter(s.rows(self.now)), (None,))[0] for s in (timeline.FIRST, timeline.LAST))
        years = range(first.year, last.year + 1) if first else range(0)
        context = super().get_context_data(chosen=self.chosen, years=years,
                                           year=int(self.year) if self.year else None, **kwargs)
        context["periods"] = timeline.periods(context["object_list"])
        context["year_items"] = timeline.year_items(self.request.GET, years, context["year"])
        return context


class ArchiveMixin:
    date_field = "published_at"
    allow_future = False
    paginate_by = PAGE_SIZE
    context_object_name = "articles"

    def get_queryset(self):
        # Bare: the views also look up the previous and next periods with it.
        return Article.objects.live()

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(with_listing_data(queryset).with_renditions("card"), page_size)

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The years (of the archive) or months (of a year) with live
        articles, from the kept counts (articles.coverage) rather than a
        DISTINCT over every article. The days of a month: none, as its page
        lists its articles and not its days (Django's DISTINCT over the
        month's articles took 17 ms of a month's 19 at a million articles;
        an empty month is already a 404, from get_dated_queryset())."""
        date_type = date_type or self.get_date_list_period()
        if date_type == "day":
            return []
        months = sorted(coverage.monthly())
        if date_type == "month":
            year = int(self.get_year())
            months = [m for m in months if m.year == year]
        periods = sorted({m if date_type == "month" else m.replace(month=1) for m in months},
                         reverse=ordering == "DESC")
        if not periods and not self.get_allow_empty():
            raise Http404("No articles available.")
        zone = timezone.get_current_timezone()
        return [datetime.datetime(p.year, p.month, 1, tzinfo=zone) for p in periods]


class ArchiveView(ArchiveMixin, ArchiveIndexView):
    paginator_class = CappedPaginator
    template_name = "articles/archive.html"
    allow_empty = True


class YearArchive(ArchiveMixin, YearArchiveView):
    paginator_class = CappedPaginator
    template_name = "articles/archive_year.html"
    make_object_list = True


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    month_format = "%m"


class SearchView(ListView):
    """Live articles matching ?q=, narrowed by ?person= and ?topic=; beside
    them the people and topics most present among the matches (facets), to
    narrow further. The results are ranked once (articles.search.SearchResults):
    the count, the page and the facets read them."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    facet_sample = FACET_SAMPLE

    def get_queryset(self):
        self.q = self.request.GET.get("q", "").strip()[:200]
        articles, self.chosen = filter_by_record(self.request, Article.objects.live())
        if not self.q:
            return articles.none()
        return SearchResults(by_relevance(search_articles(articles, self.q)), self.q, public_articles,
                             limit=self.paginator_class.cap + 1)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people, topics = [], []
        if self.q:
            people, topics = facets_of(self.object_list.tokens(self.facet_sample))
        context.update(
            q=self.q,
            chosen=self.chosen,
            # The chosen ones are shown apart, with a link to remove them.
            people=[person for person in people if person != self.chosen.get("person")],
            topics=[topic for topic in topics if topic != self.chosen.get("topic")],
            facet_sample=self.facet_sample,
        )
        return context


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute(request, reverse('articles:sitemap'))}",
        f"Sitemap: {absolute(request, reverse('articles:sitemap_news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
