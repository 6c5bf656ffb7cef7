"""
The timeline's statements and entries (articles/timeline.py): the ORM's
public mentions, counted from either side alike, drawn as the template drew
them, with the links {% querystring %} writes.
"""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone

from articles import timeline
from articles.models import DateMention, TagState
from tests.factories import ArticleFactory, DateMentionFactory, DraftFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def year_mention(article, year, **extra):
    return DateMentionFactory(article=article, value=str(year), precision="year", text=str(year),
                              date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31),
                              **extra)


@pytest.fixture
def mentions():
    now = timezone.now()
    live, scheduled = ArticleFactory(published_at=now - HOUR), ArticleFactory(published_at=now + HOUR)
    shown = [year_mention(live, year) for year in (1999, 2001, 2001, 2003)]
    year_mention(scheduled, 2002)
    year_mention(DraftFactory(), 2000)
    year_mention(live, 1998, state=TagState.SUGGESTED)
    return shown


def test_the_statements_list_and_count_the_public_mentions(mentions):
    now = timezone.now()
    expected = list(timeline.rows(DateMention.objects.public()))
    assert [row[0] for row in expected] == [m.pk for m in mentions]
    assert timeline.EVERY.rows(now, 10, 0) == expected
    assert timeline.EVERY.rows(now, 2, 1) == expected[1:3]
    assert timeline.EVERY_COUNT.rows(now, 100) == [(4,)]
    assert timeline.EVERY_COUNT.rows(now, 3) == [(3,)]
    assert timeline.EVERY_COUNT.rows(now + 2 * HOUR, 100) == [(5,)]  # the scheduled article's
    span = {"start": datetime.date(2001, 1, 1), "end": datetime.date(2001, 12, 31)}
    assert [row[0] for row in timeline.OF_YEAR.rows(now, 10, 0, **span)] == [m.pk for m in mentions[1:3]]
    assert timeline.OF_YEAR_COUNT.rows(now, 100, **span) == [(2,)]
    assert timeline.FIRST.rows(now) == [(datetime.date(1999, 1, 1),)]
    assert timeline.LAST.rows(now) == [(datetime.date(2003, 1, 1),)]


def test_entries_are_grouped_under_their_year_or_decade_and_escaped():
    article = ArticleFactory(headline="<b>Ties</b> & more", slug="ties")
    year_mention(article, 1994, label="Talks <i>begin</i>")
    DateMentionFactory(article=article, value="199", precision="decade", text="the 1990s",
                       date_from=datetime.date(1990, 1, 1), date_to=datetime.date(1999, 12, 31))
    rows = list(timeline.rows(DateMention.objects.public()))
    (decade, (first,)), (year, (second,)) = timeline.periods(rows)
    assert (decade, year) == ("The 1990s", "1994")
    assert '<span class="date-phrase">the 1990s</span>' in first
    assert '<time datetime="1994" class="date-phrase">1994</time>' in second
    assert "(precise to the year)" in second
    assert '<span class="label">Talks &lt;i&gt;begin&lt;/i&gt;</span>' in second
    assert '<a href="/articles/ties/">&lt;b&gt;Ties&lt;/b&gt; &amp; more</a>' in second
    assert "<b>" not in first + second


@pytest.mark.parametrize("query", ["", "page=3", "year=2001", "person=a-b&year=2001&page=2",
                                   "topic=x&page=2&q=%3Cscript%3E", "year=2001&year=2002&z=1"])
def test_the_years_links_are_those_querystring_writes(query):
    request = RequestFactory().get(f"/timeline/?{query}")
    template = Template('{% for y in years %}<li><a href="{% querystring year=y page=None %}"'
                        '{% if y == year %} aria-current="page"{% endif %}>{{ y }}</a></li>{% endfor %}')
    years = range(1999, 2003)
    expected = template.render(RequestContext(request, {"years": years, "year": 2001}))
    assert timeline.year_items(QueryDict(query), years, 2001) == expected


@pytest.mark.parametrize("fetched", [0, 10**6], ids=["walking", "fetching"])
def test_a_records_timeline_is_the_ORMs_either_way(client, settings, monkeypatch, fetched):
    """A record's mentions, read by either plan (its articles' ids from the
    facet index, or the date index walked), are the ORM's: the same page,
    the same API answer."""
    from articles.models import Article
    from tests.factories import PersonFactory, PersonTagFactory, TopicFactory, TopicTagFactory

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    now = timezone.now()
    person, parent = PersonFactory(), TopicFactory(name="Defence")
    child = TopicFactory(name="Peacekeeping", parent=parent)
    for i in range(12):
        article = (ArticleFactory(published_at=now - i * HOUR) if i % 5 else
                   ArticleFactory(published_at=now + HOUR))  # scheduled: not yet shown
        if i % 2:
            PersonTagFactory(article=article, person=person, state=TagState.ACCEPTED if i % 3 else "rejected")
        TopicTagFactory(article=article, topic=child if i % 3 else parent)
        year_mention(article, 1990 + i)
        year_mention(article, 2000 + i % 4, state=TagState.ACCEPTED if i % 4 else TagState.SUGGESTED)
    expected = {
        record: [row[0] for row in timeline.rows(DateMention.objects.public().filter(
            article__in=Article.objects.for_record(record)))]
        for record in (person, parent, child)}
    monkeypatch.setattr(timeline, "FETCHED_ARTICLES", fetched)
    for record, pks in expected.items():
        found = timeline.of_record(DateMention.objects.public(now), record, now)
        assert [row[0] for row in timeline.rows(found)] == pks and pks
    pages = {url: client.get(url).content for url in ("/timeline/?person=" + person.slug,
                                                      "/timeline/?topic=" + parent.slug)}
    monkeypatch.setattr(timeline, "FETCHED_ARTICLES", 10**6 - fetched)
    assert {url: client.get(url).content for url in pages} == pages


def test_a_page_of_the_timeline_is_read_in_the_date_index_order_without_a_sort(mentions):
    """The date index holds the whole order (date_from, date_to, id): the
    mentions of one date (an anniversary in thousands of articles at a
    million) are not gathered and sorted to show the first fifty. Sorting
    disabled, the planner sorts only where no index gives the order."""
    from django.db import transaction

    sql, params = timeline.rows(DateMention.objects.public(timezone.now()))[:50].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off; "
                           "SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "date_mention_range_idx" in plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_its_pages_and_counts_are_never_prepared_on_postgresql(mentions, client, settings):
    """A prepared statement may be given a generic plan, one for any
    parameters: for a page of the timeline, not knowing the LIMIT, it joins
    every mention to its article and sorts them (500 ms against 0.5 at
    100,000 articles). Its first and last dates are prepared."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for url in ("/timeline/", "/timeline/?year=2001"):
        assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    on_mentions = [statement for statement in prepared if "articles_datemention" in statement]
    assert on_mentions and all("LIMIT 1" in statement for statement in on_mentions)
