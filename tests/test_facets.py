"""
The facet index (articles/facets.py): its pure parts (positions, date
tokens) hold their promises for any input, and its lists are what the ORM's
definitions give, whatever happens to the articles.
"""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from articles import coverage, curation, facets, search
from articles.models import Article, ArticleCoverage, ArticlePerson, DateMention, TagState
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    DraftFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceTagFactory,
    SourceFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)
UTC = datetime.UTC

moments = st.datetimes(min_value=datetime.datetime(1000, 1, 1), max_value=datetime.datetime(2999, 12, 31),
                       timezones=st.just(UTC)).map(lambda moment: moment.replace(microsecond=0))
ids = st.integers(min_value=1, max_value=facets.ID_MASK)
days = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


# --- Positions -------------------------------------------------------------------


@given(st.tuples(moments, ids), st.tuples(moments, ids))
def test_positions_keep_the_newest_first_order(first, second):
    assert (facets.position(*first) < facets.position(*second)) == (first < second)
    assert facets.published_and_id(facets.position(*first)) == first


@given(moments, ids, st.datetimes(min_value=datetime.datetime(1001, 1, 1),
                                  max_value=datetime.datetime(2998, 12, 31), timezones=st.just(UTC)))
def test_position_bounds_are_the_publication_time_bounds(published_at, pk, moment):
    at = facets.position(published_at, pk)
    assert (at >= facets.first_position(moment)) == (published_at >= moment)
    assert (at <= facets.last_position(moment)) == (published_at <= moment)


def test_ids_and_times_beyond_the_index_are_refused():
    now = timezone.now()
    with pytest.raises(OverflowError, match="bits"):
        facets.position(now, facets.ID_MASK + 1)
    with pytest.raises(OverflowError, match="beyond"):
        facets.position(datetime.datetime(3001, 1, 1, tzinfo=UTC), 1)


# --- Date tokens -------------------------------------------------------------------


def ranges(draw_days):
    return st.tuples(draw_days, draw_days).map(sorted)


short = st.tuples(days, st.integers(0, 400)).map(lambda p: (p[0], min(p[0] + p[1] * DAY,
                                                                     datetime.date(2100, 12, 31))))
any_range = st.one_of(short, ranges(days))


@settings(max_examples=400)
@given(any_range, any_range)
def test_date_tokens_find_every_overlapping_mention(mention, query):
    """Complete: a mention overlapping the range shares a token with it; and
    when the tokens say they are exact, sound too (x excepted)."""
    found, exact = facets.range_tokens(*query)
    overlaps = mention[0] <= query[1] and mention[1] >= query[0]
    if found is None:
        return
    shared = facets.mention_tokens(*mention) & set(found)
    if overlaps:
        assert shared, (mention, query)
    if exact and shared and shared != {facets.VERY_WIDE}:
        assert overlaps, (mention, query)


def test_date_tokens_of_common_mentions():
    d = datetime.date
    assert facets.mention_tokens(d(2024, 7, 5), d(2024, 7, 6)) == {
        "y2024", "m202407", "d20240705", "d20240706"}
    assert facets.mention_tokens(d(2024, 7, 1), d(2024, 7, 31)) == {"y2024", "m202407", "n202407"}
    assert facets.mention_tokens(d(2024, 1, 1), d(2024, 12, 31)) == {"y2024", "w2024"}
    assert facets.mention_tokens(d(1990, 1, 1), d(1999, 12, 31)) == {
        *(f"y{y}" for y in range(1990, 2000)), *(f"w{y}" for y in range(1990, 2000))}
    assert facets.mention_tokens(d(1800, 1, 1), d(1999, 12, 31)) == {"x"}
    # Whole years are exact; whole months by their months; days by their days.
    assert facets.range_tokens(d(2018, 1, 1), d(2019, 12, 31)) == (["y2018", "y2019", "x"], True)
    assert facets.range_tokens(d(2018, 7, 1), d(2018, 7, 31)) == (["m201807", "w2018", "x"], False)
    assert facets.range_tokens(d(2018, 7, 10), d(2018, 7, 11)) == (
        ["d20180710", "d20180711", "n201807", "w2018", "x"], False)
    assert facets.range_tokens(datetime.date.min, datetime.date.max) == (None, False)


# --- The index follows the articles -------------------------------------------------


def expected(query_filter=lambda articles: articles):
    """The live articles the ORM's definitions give, newest first."""
    return list(query_filter(Article.objects.live()).order_by("-published_at", "-pk")
                .values_list("pk", flat=True))


def listed(query: facets.Query, *, oldest_first=False, limit=1000) -> list[int]:
    found = facets.FacetList(query, "api", oldest_first=oldest_first)
    return [pk for pk, _, _ in found[0:limit]]


def assert_index_right(world):
    """Every kind of query gives what the ORM gives, and the index holds
    exactly the published articles' tokens."""
    person, topic, source = world["person"], world["topic"], world["source"]
    assert listed(facets.Query()) == expected()
    assert listed(facets.Query(), oldest_first=True) == expected()[::-1]
    assert facets.FacetList(facets.Query(), "api").count_at_most(1000) == len(expected())
    query = facets.Query().require(facets.record_token("person", person.pk))
    assert listed(query) == expected(lambda a: a.for_person(person))
    query = facets.Query().require(facets.record_token("topic", topic.pk))
    assert listed(query) == expected(lambda a: a.for_topic(topic))
    query = facets.Query().require(facets.source_token(source.pk))
    assert listed(query) == expected(lambda a: a.filter(source=source))
    july = (datetime.date(2024, 7, 1), datetime.date(2024, 7, 31))
    query = facets.Query().require(facets.record_token("person", person.pk)).mentioning(*july)
    assert listed(query) == expected(lambda a: a.for_person(person).mentioning_dates(*july))
    stored = dict(ArticleCoverage.objects.values_list("article_id", "facets"))
    assert stored == {pk: c.facets for pk, c in coverage.contributions(list(stored)).items()}
    assert set(stored) == set(Article.objects.filter(status=Article.Status.PUBLISHED)
                              .values_list("pk", flat=True))


@pytest.fixture
def world(db):
    now = timezone.now()
    person, other = PersonFactory(), PersonFactory()
    parent = TopicFactory(name="Defence")
    topic = TopicFactory(name="Peacekeeping", parent=parent)
    source = SourceFactory()
    articles = [ArticleFactory(published_at=now - (30 * i + 1) * DAY, source=source if i % 2 else None)
                for i in range(8)]
    for i, article in enumerate(articles):
        PersonTagFactory(article=article, person=person if i % 3 else other)
        TopicTagFactory(article=article, topic=topic if i % 2 else parent)
        DateMentionFactory(article=article, date_from=datetime.date(2024, 7, 1 + i),
                           date_to=datetime.date(2024, 7, 1 + i))
    return {"person": person, "other": other, "topic": topic, "parent": parent, "source": source,
            "articles": articles}


@pytest.mark.django_db
def test_the_index_follows_every_kind_of_change(world):
    person, articles = world["person"], world["articles"]
    user = UserFactory(is_superuser=True)
    assert_index_right(world)

    # Tags and date mentions suggested, accepted, rejected, corrected, deleted.
    tag = PersonTagFactory(article=articles[0], person=person, state=TagState.SUGGESTED)
    assert_index_right(world)
    curation.accept(tag, user=user)
    assert_index_right(world)
    curation.reject(tag, user=user)
    assert_index_right(world)
    mention = DateMention.objects.filter(article=articles[3]).first()
    mention.date_from = mention.date_to = datetime.date(2023, 1, 1)
    mention.save()
    assert_index_right(world)
    mention.state, mention.date_from = TagState.REJECTED, datetime.date(2022, 12, 31)
    mention.save()  # rejected and moved at once: its old dates are taken off
    assert_index_right(world)
    DateMention.objects.filter(article=articles[4]).delete()
    assert_index_right(world)
    DateMentionFactory(article=articles[5], state=TagState.SUGGESTED)
    assert_index_right(world)

    # Withdrawn, republished, rescheduled, embargoed, another source, a draft.
    articles[1].status = Article.Status.ARCHIVED
    articles[1].save()
    assert_index_right(world)
    articles[1].status, articles[1].published_at = Article.Status.PUBLISHED, timezone.now() - 999 * DAY
    articles[1].save()
    assert_index_right(world)
    articles[2].published_at = timezone.now() + 3 * DAY
    articles[2].save()
    articles[6].embargo_until = timezone.now() + DAY
    articles[6].save()
    assert_index_right(world)
    articles[7].source = world["source"] if articles[7].source is None else None
    articles[7].save()
    assert_index_right(world)
    PersonTagFactory(article=DraftFactory(), person=person)
    assert_index_right(world)

    # A topic moved; people merged; an article deleted.
    world["topic"].parent = None
    world["topic"].save()
    assert_index_right(world)
    curation.merge_people(survivor=person, duplicate=world["other"], user=user)
    assert_index_right(world)
    articles[0].delete()
    assert_index_right(world)


@pytest.mark.django_db
def test_the_index_stays_right_under_random_changes(world):
    rng = random.Random(11)
    articles, topics = world["articles"], [world["topic"], world["parent"]]
    people = [world["person"], world["other"]]
    for _ in range(80):
        article = rng.choice(articles)
        action = rng.randrange(6)
        if action == 0:
            article.status = rng.choice([Article.Status.PUBLISHED, Article.Status.ARCHIVED])
            article.published_at = timezone.now() - rng.randrange(-3, 900) * DAY
            article.save()
        elif action == 1:
            tag, _ = ArticlePerson.objects.get_or_create(article=article, person=rng.choice(people))
            tag.state = rng.choice(list(TagState))
            tag.save()
        elif action == 2:
            for mention in DateMention.objects.filter(article=article):
                mention.state = rng.choice(list(TagState))
                mention.date_from = mention.date_to = datetime.date(2024, 7, rng.randrange(1, 31))
                mention.save()
        elif action == 3:
            day = datetime.date(2024, rng.randrange(6, 9), rng.randrange(1, 29))
            DateMentionFactory(article=article, date_from=day, date_to=day + rng.randrange(0, 40) * DAY,
                               state=rng.choice(list(TagState)))
        elif action == 4:
            OrganisationTagFactory(article=article)
            PlaceTagFactory(article=article, state=TagState.SUGGESTED)
        else:
            TopicTagFactory(article=article, topic=TopicFactory(parent=rng.choice(topics)))
    assert_index_right(world)


@pytest.mark.django_db
def test_a_suggested_date_on_a_published_article_changes_nothing(world):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        DateMentionFactory(article=world["articles"][0], state=TagState.SUGGESTED)
    assert not [q for q in queries if "articlecoverage" in q["sql"].lower()]


@pytest.mark.django_db
def test_publication_times_are_kept_to_the_second():
    article = ArticleFactory(published_at=datetime.datetime(2024, 7, 5, 9, 30, 15, 999_999, tzinfo=UTC))
    article.refresh_from_db()
    assert article.published_at == datetime.datetime(2024, 7, 5, 9, 30, 15, tzinfo=UTC)


@pytest.mark.django_db
def test_a_publication_time_beyond_the_archive_is_a_form_error():
    article = DraftFactory.build(published_at=datetime.datetime(3100, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert error.value.message_dict["published_at"] == [
        "Give a publication time between the years 1000 and 2999."]


@pytest.mark.django_db
def test_very_wide_mentions_are_checked_exactly():
    article = ArticleFactory()
    DateMentionFactory(article=article, date_from=datetime.date(1800, 1, 1), date_to=datetime.date(1850, 1, 1))
    assert facets.mention_tokens(datetime.date(1800, 1, 1), datetime.date(1850, 1, 1)) == {"x"}
    inside = facets.Query().mentioning(datetime.date(1820, 1, 1), datetime.date(1820, 12, 31))
    outside = facets.Query().mentioning(datetime.date(1900, 1, 1), datetime.date(1900, 12, 31))
    assert listed(inside) == [article.pk] and listed(outside) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers are SQLite's")
def test_dropped_facet_triggers_are_recreated_and_the_index_rebuilt():
    person = PersonFactory()
    with connection.cursor() as cursor:  # as a copy of the table by a migration would
        for name in facets.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    article = ArticleFactory()
    PersonTagFactory(article=article, person=person)
    query = facets.Query().require(facets.record_token("person", person.pk))
    assert listed(query) != [article.pk]
    assert search.ensure_sqlite_index() is True
    assert listed(query) == [article.pk]
    assert search.ensure_sqlite_index() is False


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_a_rebuilt_index_is_one_segment(world):
    """FTS5 reads a token's articles from every segment: the rebuild after a
    bulk load merges them into one."""
    table = facets.FTS_TABLE
    with connection.cursor() as cursor:
        # A segment whenever FTS5 holds 64 bytes (a megabyte unless told).
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', 64)")
        with facets.index_deferred():
            pass
        cursor.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx")
        assert cursor.fetchone() == (1,)
    assert_index_right(world)


@pytest.mark.django_db
def test_counting_everything_again_builds_the_index_again(world):
    from django.core.management import call_command

    ArticleCoverage.objects.update(facets="a")  # as a stale index would be
    call_command("build_coverage")
    assert_index_right(world)
    # And it follows changes again.
    newcomer = PersonTagFactory(article=world["articles"][0]).person
    query = facets.Query().require(facets.record_token("person", newcomer.pk))
    assert listed(query) == [world["articles"][0].pk]


@pytest.mark.django_db
def test_both_plans_of_a_page_give_the_same_rows(world):
    """PostgreSQL reads a page of few matches through GIN, others from the
    posting lists (SQLite has one plan): the same rows either way, for every
    shape of query, both orders, any offset."""
    person, topic, source = world["person"], world["topic"], world["source"]
    articles = world["articles"]
    articles[5].embargo_until = timezone.now() + DAY  # published, not live: left out
    articles[5].save()
    DateMentionFactory(article=articles[2], date_from=datetime.date(1800, 1, 1),
                       date_to=datetime.date(1900, 1, 1))  # very wide: checked exactly
    july = (datetime.date(2024, 7, 1), datetime.date(2024, 7, 31))
    queries = [
        facets.Query(),
        facets.Query().require(facets.record_token("person", person.pk)),
        facets.Query().require(facets.record_token("person", person.pk))
        .require(facets.record_token("topic", topic.pk)),
        facets.Query().mentioning(*july),
        facets.Query().mentioning(datetime.date(2024, 7, 2), datetime.date(2024, 7, 4)),
        facets.Query().mentioning(datetime.date(1850, 1, 1), datetime.date(1850, 12, 31)),
        facets.Query().require(facets.source_token(source.pk)).mentioning(datetime.date(2024, 1, 1),
                                                                           datetime.date(2024, 12, 31)),
        facets.Query().published_from(timezone.now() - 100 * DAY)
        .published_before(timezone.now() - 20 * DAY),
    ]
    for query in queries:
        found = facets.FacetList(query, "api")
        for oldest_first in (False, True):
            pages = {few: [[row[0] for row in found.index.page(query, found.now, "api", 3, offset, few=few,
                                                             oldest_first=oldest_first)]
                           for offset in (0, 3, 6)]
                     for few in (False, True)}
            assert pages[False] == pages[True], (query.__dict__, oldest_first)
        everything = [row[0] for row in found.index.page(query, found.now, "api", 100, 0, few=False)]
        assert len(everything) == found.count_at_most(100)
    assert [row[0] for row in facets.FacetList(queries[5], "api")[0:10]] == [articles[2].pk]


@pytest.mark.django_db
def test_pages_after_a_count_are_the_pages_without_one(world):
    """The count keeps the positions it found (in order on SQLite and from one
    PostgreSQL posting list; a PostgreSQL conjunction's in no order, all of
    them when fewer than its bound) and the pages within them are read from
    those (no second walk: one statement of the renditions by id); every
    page, both orders, renditions present or not, equals the page read
    without a count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles import renditions
    from articles.models import ArticleRendition

    renditions.build([a.pk for a in world["articles"][:5]])
    ArticleRendition.objects.filter(article=world["articles"][1]).delete()  # one unrendered
    person, topic = world["person"], world["topic"]
    conjunction = (facets.Query().require(facets.record_token("person", person.pk))
                   .require(facets.record_token("topic", topic.pk)))
    for query in (facets.Query(), facets.Query().require(facets.record_token("person", person.pk)),
                  conjunction):
        for oldest_first in (False, True):
            for part in ("api", "card", None):
                plain = facets.FacetList(query, part, oldest_first=oldest_first)
                total = len(plain[0:100])
                for offset in range(0, total + 3, 3):
                    counted = facets.FacetList(query, part, oldest_first=oldest_first)
                    assert counted.count_at_most(100) == total
                    with CaptureQueriesContext(connection) as statements:
                        rows = counted[offset:offset + 3]
                    assert rows == plain[offset:offset + 3], (query.__dict__, oldest_first, part, offset)
                    assert counted.positions == plain.positions
                    # Fewer than the count's bound: every match's position is known.
                    assert not any(facets.FTS_TABLE in s["sql"] or facets.POSTINGS in s["sql"]
                                   or ArticleCoverage._meta.db_table in s["sql"]
                                   for s in statements.captured_queries)
    # Beyond the positions counted (more matches than the count's bound), the
    # index is walked; a conjunction's (PostgreSQL: counted in no order) too.
    for query in (facets.Query(), facets.Query().require(facets.record_token("topic", topic.pk))
                  .require(facets.record_token("topic", world["parent"].pk))):
        for oldest_first in (False, True):
            beyond = facets.FacetList(query, "api", oldest_first=oldest_first)
            assert beyond.count_at_most(2) == 2
            assert beyond[0:4] == facets.FacetList(query, "api", oldest_first=oldest_first)[0:4]
