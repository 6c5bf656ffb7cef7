"""
Sitemaps of live content only: articles, and the people, topics,
organisations and places with live coverage; plus a Google News sitemap of
the articles of the last two days (templates/sitemaps/news.xml).

/sitemap.xml is an index of the sections (/sitemap-<section>.xml), each cut
into pages of at most LIMIT URLs (the protocol allows 50,000 per file).
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from .models import Article, Organisation, Person, Place, Topic
from .views import with_live_coverage

NEWS_WINDOW = datetime.timedelta(days=2)
LIMIT = 50_000


class SectionSitemap(Sitemap):
    limit = LIMIT


class ArticleSitemap(SectionSitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.live().only("slug", "updated_at").order_by("-published_at", "-pk")

    def lastmod(self, article):
        return article.updated_at


class RecordSitemap(SectionSitemap):
    changefreq = "weekly"
    model = None

    def items(self):
        return with_live_coverage(self.model.objects.all()).order_by("pk")


class PersonSitemap(RecordSitemap):
    model = Person


class OrganisationSitemap(RecordSitemap):
    model = Organisation


class PlaceSitemap(RecordSitemap):
    model = Place


class TopicSitemap(SectionSitemap):
    changefreq = "weekly"

    def items(self):
        return Topic.objects.with_live_coverage().order_by("path")


class PagesSitemap(SectionSitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "topics", "people", "organisations", "places", "timeline", "archive"]

    def location(self, name):
        return reverse(f"articles:{name}")


class NewsSitemap(Sitemap):
    """Google News: at most 1,000 articles from the last two days."""

    limit = 1000

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (Article.objects.live().filter(published_at__gte=since)
                .only("slug", "headline", "published_at").order_by("-published_at", "-pk"))


SITEMAPS = {
    "pages": PagesSitemap,
    "articles": ArticleSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "organisations": OrganisationSitemap,
    "places": PlaceSitemap,
}
NEWS_SITEMAPS = {"news": NewsSitemap}
