"""
Prepared statements (articles/statements.py): the ORM's SQL compiled once,
giving the ORM's rows, with each call's `now` in place of the time it was
compiled with.
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import renditions
from articles.api import selectors
from articles.models import Article
from articles.pagination import CappedPaginator
from articles.statements import PreparedList, Statement, prepared_cursor
from articles.views import NEWEST_CARDS
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def newest(now):
    return Article.objects.live(now=now).values_list("pk", "published_at", "headline")


@pytest.fixture
def articles():
    now = timezone.now()
    return {
        "old": ArticleFactory(published_at=now - 48 * HOUR),
        "recent": ArticleFactory(published_at=now - HOUR),
        "scheduled": ArticleFactory(published_at=now + 2 * HOUR),
        "embargoed": ArticleFactory(published_at=now - 3 * HOUR, embargo_until=now + 5 * HOUR),
        "draft": DraftFactory(),
    }


def test_rows_are_the_orms_rows_converted_as_the_orm_converts_them(articles):
    now = timezone.now()
    rows = Statement(newest).rows(now)
    assert rows == list(newest(now))
    assert {pk for pk, _, _ in rows} == {articles["old"].pk, articles["recent"].pk}
    assert all(isinstance(published, datetime.datetime) for _, published, _ in rows)


def test_each_call_is_judged_at_its_own_time_and_the_sql_is_built_once(articles):
    built = []
    statement = Statement(lambda now: built.append(now) or newest(now))
    now = timezone.now()
    later = {pk for pk, _, _ in statement.rows(now + 3 * HOUR)}
    assert articles["scheduled"].pk in later and articles["embargoed"].pk not in later
    latest = {pk for pk, _, _ in statement.rows(now + 6 * HOUR)}
    assert articles["embargoed"].pk in latest
    assert {pk for pk, _, _ in statement.rows(now)} == {articles["old"].pk, articles["recent"].pk}
    assert len(built) == 3  # the model once, two instants to find `now`; then never again


def test_a_statement_without_now_is_refused():
    with pytest.raises(ImproperlyConfigured, match="now"):
        Statement(lambda now: Article.objects.values_list("pk")).rows(timezone.now())


def test_a_statement_whose_sql_changes_with_the_time_is_refused():
    def varying(now):
        articles = Article.objects.live(now=now).values_list("pk")
        return articles.filter(pk__gt=0) if now.year == 2002 else articles

    with pytest.raises(ImproperlyConfigured):
        Statement(varying).rows(timezone.now())


def test_the_templates_parameters_follow_the_querysets(articles):
    limited = Statement(lambda now: Article.objects.live(now=now).order_by("-published_at")
                        .values_list("pk"), template="{sql} LIMIT %s OFFSET %s")
    assert limited.rows(timezone.now(), 1, 1) == [(articles["old"].pk,)]


def by_slug(now, slug):
    return Article.objects.live(now=now).filter(slug=slug).values_list("pk", "slug")


class TestParameters:
    def test_are_bound_per_call_and_the_sql_is_built_once(self, articles):
        built = []
        statement = Statement(lambda now, slug: built.append(slug) or by_slug(now, slug),
                              params={"slug": str})
        now = timezone.now()
        for article in (articles["old"], articles["recent"]):
            assert statement.rows(now, slug=article.slug) == list(by_slug(now, article.slug))
        assert statement.rows(now, slug=articles["scheduled"].slug) == []
        assert statement.rows(now + 3 * HOUR, slug=articles["scheduled"].slug) != []
        assert len(built) == 3  # the model once, two samples; then never again

    def test_of_every_declared_type(self, articles):
        article = articles["recent"]
        statement = Statement(
            lambda now, pk, slug, day: Article.objects.live(now=now)
            .filter(pk=pk, slug=slug, published_at__date__gte=day).values_list("pk"),
            params={"pk": int, "slug": str, "day": datetime.date})
        day = article.published_at.date()
        now = timezone.now()
        assert statement.rows(now, pk=article.pk, slug=article.slug, day=day) == [(article.pk,)]
        assert statement.rows(now, pk=article.pk, slug=article.slug,
                              day=day + datetime.timedelta(days=1)) == []
        # A statement without `now` does not depend on the time.
        plain = Statement(lambda pk: Article.objects.filter(pk=pk).values_list("slug"), params={"pk": int})
        assert plain.rows(None, pk=articles["draft"].pk) == [(articles["draft"].slug,)]

    def test_must_be_given_as_declared(self, articles):
        statement = Statement(by_slug, params={"slug": str})
        with pytest.raises(TypeError, match="slug"):
            statement.rows(timezone.now())
        with pytest.raises(TypeError):
            statement.rows(timezone.now(), slug="x", pk=1)
        with pytest.raises(ImproperlyConfigured, match="type"):
            Statement(by_slug, params={"slug": list})

    @pytest.mark.parametrize("build", [
        # The ORM makes "%x%" of it: not the value itself.
        lambda now, slug: Article.objects.live(now=now).filter(slug__contains=slug).values_list("pk"),
        # Never used.
        lambda now, slug: Article.objects.live(now=now).values_list("pk"),
        # It shapes the SQL.
        lambda now, slug: Article.objects.live(now=now).filter(pk__in=[1] * len(slug)).values_list("pk"),
    ], ids=["transformed", "unused", "shaping"])
    def test_that_are_not_plain_parameters_of_the_sql_are_refused(self, build):
        with pytest.raises(ImproperlyConfigured):
            Statement(build, params={"slug": str}).rows(timezone.now(), slug="x")


def test_instances_are_the_orms_whatever_the_order_of_their_fields(articles):
    article = articles["recent"]
    statement = Statement(lambda now, pk: Article.objects.live(now=now).filter(pk=pk)
                          .values_list("headline", "id", "published_at", "slug"), params={"pk": int})
    (found,) = statement.instances(timezone.now(), pk=article.pk)
    assert isinstance(found, Article) and found.pk == article.pk
    assert (found.slug, found.headline, found.published_at) == (
        article.slug, article.headline, article.published_at)
    assert found.get_deferred_fields() >= {"body", "status"}
    with pytest.raises(ImproperlyConfigured, match="Not fields"):
        Statement(lambda now: Article.objects.live(now=now).values_list("source__name")).instances(
            timezone.now())


class TestPreparedList:
    def listed(self):
        return renditions.prepared_list(selectors.NEWEST_ITEMS,
                                        lambda: selectors.with_listing(Article.objects.live()))

    def test_pages_as_the_queryset_does_and_counts_within_a_bound(self, articles):
        ArticleFactory.create_batch(5)
        listed = self.listed()
        live = Article.objects.live()
        assert listed.count_at_most(100) == live.count() == 7
        assert listed.count_at_most(3) == 3
        expected = list(live.order_by("-published_at", "-id").values_list("pk", flat=True))
        seen = [item.pk for page in (listed[0:4], listed[4:8]) for item in page]
        assert seen == expected
        assert listed[7:7] == [] and listed[20:30] == []

    def test_is_read_by_slices_only(self):
        with pytest.raises(TypeError):
            self.listed()[0]
        with pytest.raises(TypeError):
            self.listed()[0:4:2]

    def test_gives_stored_renditions_and_fetches_the_articles_without_one(self, articles):
        renditions.build([articles["old"].pk])
        with CaptureQueriesContext(connection) as queries:
            items = self.listed()[0:10]
        recent, old = items
        assert isinstance(recent, Article) and recent.pk == articles["recent"].pk
        assert isinstance(old, str) and f'"slug":"{articles["old"].slug}"' in old
        assert len(queries) == 1 + 1 + 6  # the page; the article without one and its tags

    def test_an_article_gone_between_the_page_and_its_fetch_is_left_out(self, articles):
        listed = self.listed()
        original = listed.finish

        def withdraw_then_finish(rows):
            Article.objects.filter(pk=articles["recent"].pk).update(status=Article.Status.ARCHIVED)
            return original(rows)

        listed.finish = withdraw_then_finish
        assert [item.pk for item in listed[0:10]] == [articles["old"].pk]

    def test_is_paged_by_the_capped_paginator(self, articles):
        ArticleFactory.create_batch(3)
        paginator = CappedPaginator(self.listed(), 2)
        paginator.cap = 4
        assert paginator.count == 4 and paginator.capped and paginator.num_pages == 2
        assert len(paginator.page(2)) == 2

    def test_is_judged_at_the_time_it_was_made(self, articles):
        at = timezone.now() + 3 * HOUR
        with mock.patch("django.utils.timezone.now", return_value=at):
            listed = renditions.prepared_list(NEWEST_CARDS, lambda: Article.objects.live(now=at))
        assert articles["scheduled"].pk in {item.pk for item in listed[0:10]}


def test_a_plain_paginator_cannot_count_it():
    # Only the bounded count is offered: nothing counts the whole archive.
    listed = PreparedList(selectors.NEWEST_ITEMS, renditions.LIVE_COUNT, timezone.now())
    with pytest.raises(TypeError):
        Paginator(listed, 2).count


@pytest.mark.parametrize("url", ["/", "/api/v1/articles/"])
def test_a_scheduled_article_joins_the_busiest_lists_when_its_time_comes(client, articles, url):
    renditions.build(Article.objects.values_list("pk", flat=True))
    slug = articles["scheduled"].slug.encode()
    assert slug not in client.get(url).content
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + 3 * HOUR):
        assert slug in client.get(url).content


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")


def prepared_on_the_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@postgresql_only
class TestOnPostgreSQL:
    def test_a_statements_sql_is_prepared_once_on_the_server(self, articles):
        statement = Statement(newest)
        for _ in range(3):
            rows = statement.rows(timezone.now())
            assert {pk for pk, _, _ in rows} == {articles["old"].pk, articles["recent"].pk}
        sql = statement._compiled["default"].sql
        prepared = [text for text in prepared_on_the_server() if "articles_article" in text]
        assert len(prepared) == 1 and prepared[0].startswith(sql.split("%s")[0])

    def test_with_its_generic_plan_from_the_first_run(self, articles):
        """Planned once, for any parameters: the server does not plan it
        again for each run's (plan_cache_mode, set by settings)."""
        statement = Statement(newest)
        for hours in range(3):
            statement.rows(timezone.now() + hours * HOUR)
        with connection.cursor() as cursor:
            cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                           "WHERE statement LIKE %s", ["%articles_article%"])
            assert cursor.fetchall() == [(3, 0)]

    def test_and_counted_as_any_query(self, articles):
        statement = Statement(newest)
        statement.rows(timezone.now())
        with CaptureQueriesContext(connection) as queries:
            statement.rows(datetime.datetime(2031, 5, 6, tzinfo=datetime.UTC))
        assert len(queries) == 1 and "articles_article" in queries[0]["sql"]
        assert "2031-05-06" in queries[0]["sql"]  # logged with its parameters

    def test_not_without_prepared_statements(self, articles, monkeypatch):
        connection.ensure_connection()
        monkeypatch.setattr(connection.connection, "prepare_threshold", None)
        Statement(newest).rows(timezone.now())
        assert not [text for text in prepared_on_the_server() if "articles_article" in text]

    def test_django_s_own_queries_are_not_prepared(self, articles):
        for _ in range(10):
            list(Article.objects.live().values_list("pk"))
        assert not [text for text in prepared_on_the_server() if "articles_article" in text]


def test_the_preparing_cursor_is_a_plain_cursor_elsewhere():
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchall() == [(1,)]
    assert (type(prepared_cursor(connection).cursor) is type(connection.cursor().cursor)) == (
        connection.vendor != "postgresql")
