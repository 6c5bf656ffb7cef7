import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import TagState
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceTagFactory,
    TopicFactory,
    TopicTagFactory,
)
from tests.public_helpers import DAY, HOUR

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def locations(response):
    return {loc.text.removeprefix("http://testserver") for loc in ET.fromstring(response.content).iter(f"{SM}loc")}


def sitemap_files(client) -> list[str]:
    """The sitemaps the index at /sitemap.xml points at (with their ?p= pages)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SM}sitemapindex"
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SM}loc")]


def all_locations(client) -> set[str]:
    urls = set()
    for file in sitemap_files(client):
        response = client.get(file)
        assert response.status_code == 200, file
        assert ET.fromstring(response.content).tag == f"{SM}urlset"
        urls |= locations(response)
    return urls


def article_sitemap(client):
    return client.get("/sitemap-articles.xml")


def test_sitemap_lists_live_articles_and_records_with_live_coverage(client):
    live = ArticleFactory(headline="Live")
    draft = DraftFactory(headline="Draft")
    scheduled = ArticleFactory(headline="Scheduled", published_at=timezone.now() + DAY)
    PersonTagFactory(article=live, person=PersonFactory(name="Covered"))
    PersonTagFactory(article=draft, person=PersonFactory(name="Only Draft"))
    PersonTagFactory(article=live, person=PersonFactory(name="Only Pending"), state=TagState.SUGGESTED)
    parent = TopicFactory(name="Parent")
    TopicTagFactory(article=live, topic=TopicFactory(name="Child", parent=parent))
    TopicTagFactory(article=draft, topic=TopicFactory(name="Draft Topic"))
    OrganisationTagFactory(article=live, organisation__name="JICA")
    PlaceTagFactory(article=live, place__name="Ream", state=TagState.REJECTED)
    urls = all_locations(client)
    assert {live.get_absolute_url(), "/people/covered/", "/topics/parent/", "/topics/child/",
            "/organisations/jica/", "/", "/timeline/"} <= urls
    for absent in (draft.get_absolute_url(), scheduled.get_absolute_url(), "/people/only-draft/",
                   "/people/only-pending/", "/topics/draft-topic/", "/places/ream/"):
        assert absent not in urls


def test_article_entries_carry_their_last_modification(client):
    article = ArticleFactory()
    root = ET.fromstring(article_sitemap(client).content)
    entry = next(u for u in root.iter(f"{SM}url") if u.findtext(f"{SM}loc").endswith(article.get_absolute_url()))
    assert entry.findtext(f"{SM}lastmod") == article.updated_at.date().isoformat()


def test_the_index_points_at_one_sitemap_per_section(client):
    ArticleFactory()
    assert sitemap_files(client) == [f"/sitemap-{section}.xml" for section in (
        "pages", "articles", "people", "topics", "organisations", "places")]
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_section_is_paginated_at_its_limit(client, monkeypatch):
    from articles.sitemaps import LIMIT, ArticleSitemap

    assert LIMIT <= 50_000
    assert ArticleSitemap.limit == LIMIT
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = ArticleFactory.create_batch(5)
    files = [f for f in sitemap_files(client) if f.startswith("/sitemap-articles.xml")]
    assert files == ["/sitemap-articles.xml", "/sitemap-articles.xml?p=2",
                     "/sitemap-articles.xml?p=3"]
    pages = [locations(client.get(f)) for f in files]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert set().union(*pages) == {a.get_absolute_url() for a in articles}
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_news_sitemap_has_the_live_articles_of_the_last_two_days(client):
    fresh = ArticleFactory(headline="Fresh <&> news", published_at=timezone.now() - HOUR)
    ArticleFactory(headline="Old news", published_at=timezone.now() - 3 * DAY)
    DraftFactory(headline="Draft news", published_at=timezone.now() - HOUR)
    response = client.get("/sitemap-news.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    urls = root.findall(f"{SM}url")
    assert len(urls) == 1
    news = urls[0].find(f"{NEWS}news")
    assert urls[0].findtext(f"{SM}loc") == f"http://testserver{fresh.get_absolute_url()}"
    assert news.findtext(f"{NEWS}title") == "Fresh <&> news"
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date").startswith(fresh.published_at.strftime("%Y-%m-%dT%H:%M"))


def test_robots_txt_points_at_the_sitemaps_and_keeps_crawlers_out_of_admin_and_preview(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines and "Disallow: /preview/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines


@pytest.mark.parametrize("section", ["pages", "articles", "people", "topics", "organisations",
                                     "places"])
def test_a_section_costs_the_same_queries_for_1_or_30_entries(client, section):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.cache import local

    counts = []
    for n in (1, 30):
        for _ in range(n if not counts else n - 1):
            article = ArticleFactory()
            PersonTagFactory(article=article)
            TopicTagFactory(article=article, topic=TopicFactory(parent=TopicFactory()))
            OrganisationTagFactory(article=article)
            PlaceTagFactory(article=article)
        cache.clear()
        local.forget()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4, counts
