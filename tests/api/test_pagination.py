import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import renditions
from articles.api.pagination import ApiPaginator
from articles.models import Article, Relation, TagState
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    OrganisationFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    TopicFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def many(db):
    """25 live articles, one a minute, the last three sharing a publication time."""
    articles = [ArticleFactory(published_at=NOW - datetime.timedelta(minutes=n))
                for n in range(1, 23)]
    same = NOW - datetime.timedelta(minutes=30)
    articles += [ArticleFactory(published_at=same) for _ in range(3)]
    return articles


def newest_first(articles):
    return [a.slug for a in sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)]


class TestPageNumbers:
    def test_twenty_a_page_with_links(self, api, many):
        first = api.get("/api/v1/articles/").json()
        assert (first["count"], len(first["results"])) == (25, 20)
        assert first["previous"] is None
        assert first["next"] == "http://testserver/api/v1/articles/?page=2"
        second = api.get(first["next"]).json()
        assert len(second["results"]) == 5 and second["next"] is None
        assert second["previous"] == "http://testserver/api/v1/articles/"

    def test_page_size(self, api, many):
        response = api.get("/api/v1/articles/?page_size=100").json()
        assert len(response["results"]) == 25

    @pytest.mark.parametrize("size", ["101", "0", "-1", "ten", "2.5"])
    def test_a_page_size_out_of_range_is_400_not_clamped(self, api, many, size):
        response = api.get(f"/api/v1/articles/?page_size={size}")
        assert response.status_code == 400
        assert response.json() == {
            "page_size": [f"Give a whole number from 1 to 100, not '{size}'."]}

    @pytest.mark.parametrize("page, problem", [
        ("3", "That page contains no results"),
        ("0", "That page number is less than 1"),
        ("two", "That page number is not an integer"),
        ("99999999999999999999999", "That page contains no results"),
    ])
    def test_a_page_that_does_not_exist_is_400(self, api, many, page, problem):
        response = api.get(f"/api/v1/articles/?page={page}")
        assert response.status_code == 400
        assert response.json() == {"page": [f"There is no page {page}: {problem}."]}

    def test_an_empty_list_has_a_first_page(self, api, db):
        assert api.get("/api/v1/articles/").json() == {
            "count": 0, "count_exact": True, "next": None, "previous": None, "results": []}

    def test_counts_stop_at_the_cap_and_say_so(self, api, many, monkeypatch):
        monkeypatch.setattr(ApiPaginator, "cap", 10)
        body = api.get("/api/v1/articles/?page_size=4").json()
        assert (body["count"], body["count_exact"], len(body["results"])) == (10, False, 4)
        assert api.get("/api/v1/articles/?page=3&page_size=4").json()["count_exact"] is False
        # Numbered pages stop at the cap; the cursor goes on to the end.
        assert api.get("/api/v1/articles/?page=4&page_size=4").status_code == 400
        cursor = api.get("/api/v1/articles/?pagination=cursor&page_size=4").json()
        assert (cursor["count"], cursor["count_exact"]) == (10, False)

    def test_counts_under_the_cap_are_exact(self, api, many, monkeypatch):
        monkeypatch.setattr(ApiPaginator, "cap", 25)
        body = api.get("/api/v1/articles/").json()
        assert (body["count"], body["count_exact"]) == (25, True)

    def test_other_lists_are_paginated_the_same_way(self, api, db):
        for n in range(3):
            PersonTagFactory(person=PersonFactory(name=f"Person {n}"))
        response = api.get("/api/v1/people/?page_size=2").json()
        assert (response["count"], len(response["results"])) == (3, 2)
        assert api.get("/api/v1/people/?page=3&page_size=2").status_code == 400


class TestCursor:
    def crawl(self, api, url):
        seen, pages = [], 0
        while url:
            response = api.get(url)
            assert response.status_code == 200, response.json()
            body = response.json()
            seen += [a["slug"] for a in body["results"]]
            url, pages = body["next"], pages + 1
        return seen, pages, body

    def test_a_crawl_sees_every_article_once_in_order(self, api, many):
        seen, pages, last = self.crawl(api, "/api/v1/articles/?pagination=cursor&page_size=4")
        assert seen == newest_first(many)
        assert pages == 7
        assert last["count"] == 25

    def test_previous_links_walk_back(self, api, many):
        first = api.get("/api/v1/articles/?pagination=cursor&page_size=10").json()
        assert first["previous"] is None
        second = api.get(first["next"]).json()
        back = api.get(second["previous"]).json()
        assert [a["slug"] for a in back["results"]] == [a["slug"] for a in first["results"]]
        assert back["previous"] is None

    def test_articles_published_during_a_crawl_neither_repeat_nor_vanish(self, api, many):
        first = api.get("/api/v1/articles/?pagination=cursor&page_size=10").json()
        ArticleFactory(published_at=NOW)  # newer than everything: before the cursor
        rest, _, _ = self.crawl(api, first["next"])
        assert [a["slug"] for a in first["results"]] + rest == newest_first(many)

    def test_the_cursor_combines_with_filters(self, api, many):
        person = PersonFactory(name="Chosen One")
        chosen = many[::5]
        for article in chosen:
            PersonTagFactory(article=article, person=person)
        seen, _, _ = self.crawl(api, "/api/v1/articles/?person=chosen-one&cursor=&page_size=2"
                                .replace("cursor=&", "pagination=cursor&"))
        assert seen == newest_first(chosen)

    def test_editors_crawl_drafts_too(self, as_editor, many):
        drafts = [ArticleFactory(status="draft", published_at=None) for _ in range(3)]
        seen, _, _ = self.crawl(as_editor, "/api/v1/articles/?pagination=cursor&page_size=2"
                                           "&status=draft&status=published")
        assert seen == newest_first(many) + [d.slug for d in sorted(drafts, key=lambda d: -d.pk)]

    @pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4IiwxLDBd", "WzEsMiwzLDRd",
                                        "WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwxLDBd", "%00"])
    def test_a_broken_cursor_is_400(self, api, many, cursor):
        response = api.get(f"/api/v1/articles/?pagination=cursor&cursor={cursor}")
        assert response.status_code == 400
        assert list(response.json()) == ["cursor"]

    def test_cursor_pagination_orders_by_publication_time_only(self, api, many):
        response = api.get("/api/v1/articles/?pagination=cursor&ordering=headline")
        assert response.status_code == 400
        assert list(response.json()) == ["ordering"]

    def test_page_numbers_and_cursors_do_not_mix(self, api, many):
        assert list(api.get("/api/v1/articles/?pagination=cursor&page=2").json()) == ["page"]
        assert list(api.get("/api/v1/articles/?pagination=page&cursor=x").json()) == ["cursor"]
        assert list(api.get("/api/v1/articles/?pagination=scroll").json()) == ["pagination"]


def tag_everything(article, n):
    PersonTagFactory(article=article, person=PersonFactory(), relation=Relation.ABOUT)
    PersonTagFactory(article=article, person=PersonFactory(), state=TagState.SUGGESTED)
    article.organisation_tags.create(organisation=OrganisationFactory(), state=TagState.ACCEPTED)
    article.place_tags.create(place=PlaceFactory(), state=TagState.ACCEPTED)
    parent = TopicFactory()
    TopicTagFactory(article=article, topic=TopicFactory(parent=TopicFactory(parent=parent)))
    DateMentionFactory(article=article)
    article.byline_set.create(person=PersonFactory())
    article.corrections.create(text=f"Correction {n}")


def queries(client, url) -> tuple[int, object]:
    """The queries one request costs, from a cold page cache (so that every
    measurement pays the same cache bookkeeping), and its response."""
    from articles.cache import local

    cache.clear()
    local.forget()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured), response


class TestQueryBudget:
    """The number of queries does not grow with the page: everything shown is
    fetched by select_related and prefetches of accepted tags, so 1 item and
    100 cost exactly the same. The ceiling: a count, the page (and from the
    facet index, the articles without a rendition apart), bylines, five kinds
    of tag, topic ancestors, the page cache's check for scheduled articles,
    and for staff the token and their permissions."""

    BUDGET = 13
    LISTS = ["/api/v1/articles/?", "/api/v1/articles/?pagination=cursor&",
             "/api/v1/articles/?person={person}&topic={topic}&",
             "/api/v1/articles/?person={person}&pagination=cursor&",
             "/api/v1/dates/?", "/api/v1/dates/?person={person}&topic={topic}&",
             "/api/v1/people/?", "/api/v1/topics/?", "/api/v1/places/?",
             "/api/v1/organisations/?", "/api/v1/sources/?"]

    @pytest.mark.parametrize("rendered", [False, True], ids=["unrendered", "rendered"])
    def test_every_list_costs_the_same_for_1_or_100_items(self, api, as_editor, rendered):
        """Rendered: the articles have their stored renditions."""
        articles = ArticleFactory.create_batch(100)
        for n, article in enumerate(articles):
            tag_everything(article, n)
        person = PersonFactory(name="In Every Article")
        topic = TopicFactory(name="Everywhere", parent=TopicFactory(name="Above"))
        for article in articles:
            PersonTagFactory(article=article, person=person)
            TopicTagFactory(article=article, topic=topic)
        if rendered:
            renditions.build(Article.objects.values_list("pk", flat=True))
        for client, lists in [(api, self.LISTS),
                              (as_editor, ["/api/v1/articles/?status=published&",
                                           "/api/v1/people/?"])]:
            for url in lists:
                url = url.format(person=person.slug, topic=topic.slug)
                counts = {}
                for size in (1, 100):
                    page = ""
                    if size == 1 and url.startswith("/api/v1/topics/"):
                        # The tree's first topic is a root, and a page of roots alone
                        # needs no ancestor lookup: measure one with ancestors.
                        page = "page=2&"
                    counts[size], response = queries(client, f"{url}{page}page_size={size}")
                    assert len(response.json()["results"]) == size, (url, size)
                    if page:
                        assert response.json()["results"][0]["path"], "not a sub-topic"
                assert counts[1] == counts[100] <= self.BUDGET, (url, counts)

    def test_a_heavily_tagged_article_costs_what_a_lightly_tagged_one_does(self, api, as_editor):
        light, heavy = ArticleFactory(), ArticleFactory()
        tag_everything(light, 0)
        for n in range(30):
            tag_everything(heavy, n)
        for client in (api, as_editor):
            light_count, _ = queries(client, f"/api/v1/articles/{light.slug}/")
            heavy_count, response = queries(client, f"/api/v1/articles/{heavy.slug}/")
            assert len(response.json()["people"]) == 30
            assert light_count == heavy_count <= self.BUDGET, (light_count, heavy_count)
        # The curation list: the token, permissions, the article, and each kind's
        # tags with their records and deciders.
        light_count, _ = queries(as_editor, f"/api/v1/articles/{light.slug}/tags/")
        heavy_count, _ = queries(as_editor, f"/api/v1/articles/{heavy.slug}/tags/")
        assert light_count == heavy_count <= 16, (light_count, heavy_count)


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="SQLite's planner: PostgreSQL ranges its index scans by every bound")
def test_a_deep_cursor_page_starts_its_index_scan_at_the_position(db):
    """A cursor page deep in the archive must cost what the first page costs:
    the index scan starts at the cursor's publication time, not at today.
    Measured in SQLite virtual-machine steps (a progress handler), which do
    not depend on the machine's speed."""
    from articles.api.pagination import NEWEST_FIRST, ArticlePagination, after
    from articles.models import Article

    source = ArticleFactory().source
    Article.objects.bulk_create(
        Article(headline=f"Story {n}", slug=f"story-{n}", body="Text.", source=source,
                status=Article.Status.PUBLISHED, published_at=NOW - datetime.timedelta(hours=n + 1))
        for n in range(1500))
    live = Article.objects.live()
    deep = live.order_by(*NEWEST_FIRST)[1450]
    position = (deep.published_at, deep.pk)
    assert ArticlePagination.decode(ArticlePagination(), ArticlePagination.encode(
        deep, backwards=False)) == (position, False)

    def steps(queryset):
        connection.ensure_connection()
        ticks = [0]

        def tick():
            ticks[0] += 1
            return 0

        connection.connection.set_progress_handler(tick, 100)
        try:
            list(queryset.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:21])
        finally:
            connection.connection.set_progress_handler(None, 100)
        return ticks[0]

    first_page = steps(live)
    deep_page = steps(live.filter(after(*position)))
    assert deep_page <= 3 * first_page + 10, (first_page, deep_page)
