import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from django.utils import timezone
from hypothesis import strategies as st

from articles import search
from articles.api.pagination import NEWEST_FIRST
from articles.models import Article, TagState
from articles.search import facets, parse, search_articles, snippets
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    PersonFactory,
    PersonTagFactory,
    TopicFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 index")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL tsvector column")


def found(q, queryset=None):
    return [a.headline for a in search_articles(Article.objects.all() if queryset is None else queryset, q)]


class TestMatching:
    def test_matches_headline_standfirst_and_body(self):
        ArticleFactory(headline="Kamikawa arrives", standfirst="", body="Nothing else.")
        ArticleFactory(headline="Second", standfirst="Kamikawa meets Hun Manet.", body="Nothing.")
        ArticleFactory(headline="Third", standfirst="", body="Talks with Kamikawa went well.")
        ArticleFactory(headline="Unrelated", standfirst="", body="Rice exports.")
        assert sorted(found("kamikawa")) == ["Kamikawa arrives", "Second", "Third"]

    def test_ranked_by_relevance_headline_first(self):
        ArticleFactory(headline="Rice exports grow", body="A note on the harbour.")
        ArticleFactory(headline="Harbour opens", body="The harbour at Ream is open.")
        results = list(search_articles(Article.objects.all(), "harbour"))
        assert [a.headline for a in results] == ["Harbour opens", "Rice exports grow"]
        assert isinstance(results[0].rank, float) and results[0].rank > results[1].rank > 0

    def test_every_word_is_required_and_quotes_make_a_phrase(self):
        ArticleFactory(headline="One", body="Prime Minister Hun Manet met the delegation.")
        ArticleFactory(headline="Two", body="Hun Sen met Prime Minister Kishida.")
        assert sorted(found("Hun Kishida")) == ["Two"]
        assert sorted(found('"Prime Minister Hun"')) == ["One"]
        assert sorted(found("prime minister")) == ["One", "Two"]

    def test_words_match_their_inflections(self):
        ArticleFactory(headline="Visits", body="The minister visited the port twice.")
        assert found("visit") == ["Visits"] and found("visiting") == ["Visits"]

    def test_filters_the_queryset_it_is_given(self):
        ArticleFactory(headline="Live ferry story", body="ferry")
        DraftFactory(headline="Draft ferry story", body="ferry")
        assert found("ferry", Article.objects.live()) == ["Live ferry story"]

    @pytest.mark.parametrize("q", ["", "   ", "!!!", '"', '""', "*", "()", "-", ":", "^", "' OR 1=1 --",
                                   "AND", "NEAR(", '"unterminated', "a:b", "{col}: x", "\x00"])
    def test_user_input_never_breaks_the_query(self, q):
        ArticleFactory(headline="Anything", body="AND NEAR OR NOT a b col x")
        list(search_articles(Article.objects.all(), q))  # no error

    def test_punctuation_only_finds_nothing(self):
        ArticleFactory(headline="Punctuation: everywhere!")
        assert found("?!.,;:") == [] and found("") == []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(q=st.text(max_size=40))
    def test_any_text_is_a_valid_query(self, q):
        assert isinstance(list(search_articles(Article.objects.all(), q)), list)

    def test_parse_keeps_word_characters_only(self):
        assert parse('Hun "Prime  Minister" -Sen* NEAR(x)') == ["Hun", "Prime Minister", "Sen", "NEAR", "x"]
        assert parse('"*"') == [] and parse("") == []


class TestIndexFollowsTheArticles:
    def test_an_edit_is_searchable_at_once(self):
        article = ArticleFactory(headline="Before", body="The old word is platypus.")
        article.body = "The new word is wombat."
        article.save()
        assert found("wombat") == ["Before"] and found("platypus") == []
        article.headline = "Aftermath"
        article.save(update_fields=["headline"])
        assert found("aftermath") == ["Aftermath"]

    def test_a_deleted_article_leaves_the_index(self):
        article = ArticleFactory(body="Ephemeral kangaroo.")
        article.delete()
        assert found("kangaroo") == []

    def test_a_status_change_is_not_a_reindex_but_search_follows_the_queryset(self):
        article = ArticleFactory(body="Published koala.")
        Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
        assert found("koala", Article.objects.live()) == []
        assert len(found("koala")) == 1


class TestComposition:
    """The searched queryset is still an ordinary queryset of articles."""

    def test_count_slices_and_further_filters(self):
        articles = [ArticleFactory(headline=f"Ferry {i}", body="ferry") for i in range(5)]
        ArticleFactory(headline="Bus", body="bus")
        results = search_articles(Article.objects.live(), "ferry")
        assert results.count() == 5 and len(results[1:3]) == 2
        chosen = [articles[0].pk, articles[3].pk]
        assert {a.pk for a in results.filter(pk__in=chosen)} == set(chosen)
        assert results.filter(pk__in=chosen).count() == 2
        assert results.exists() and not results.filter(headline="Bus").exists()

    def test_as_a_subquery_of_another_query(self):
        article = ArticleFactory(headline="Ferry", body="ferry")
        ArticleFactory(headline="Bus", body="bus")
        results = search_articles(Article.objects.live(), "ferry")
        assert list(Article.objects.filter(pk__in=results.values("pk")[:10])) == [article]
        assert list(Article.objects.filter(pk__in=results.values("pk"))) == [article]

    def test_ranked_then_newest_first_in_the_api_order(self):
        day = datetime.timedelta(days=1)
        old = ArticleFactory(headline="Ferry", body="x", published_at=timezone.now() - 3 * day)
        new = ArticleFactory(headline="Ferry", body="x", published_at=timezone.now() - day)
        best = ArticleFactory(headline="Ferry ferry ferry", body="ferry", published_at=old.published_at)
        results = search_articles(Article.objects.live(), "ferry")
        assert [a.pk for a in results] == [best.pk, new.pk, old.pk]
        assert [a.pk for a in results.order_by("-rank", *NEWEST_FIRST)] == [best.pk, new.pk, old.pk]
        assert [a.pk for a in results.order_by(*NEWEST_FIRST)] == [new.pk, best.pk, old.pk]


class TestRankedAmongTheNewest:
    """by_relevance(): a search with more than RANKED matches is ranked among
    the RANKED most recently added of them, after every other filter."""

    @pytest.fixture
    def ranked(self, monkeypatch):
        monkeypatch.setattr(search, "RANKED", 3)
        # Added oldest first: the best match is the oldest.
        return [ArticleFactory(headline="Ferry ferry ferry", body="ferry")] + [
            ArticleFactory(headline=f"Note {i}", body=f"A ferry, once. {i}") for i in range(4)]

    def test_more_matches_than_ranked_are_ranked_among_the_newest(self, ranked):
        results = list(search.by_relevance(search_articles(Article.objects.live(), "ferry")))
        assert set(results) == set(ranked[2:]) and ranked[0] not in results

    def test_as_many_as_ranked_are_all_ranked(self, ranked, monkeypatch):
        monkeypatch.setattr(search, "RANKED", 5)
        results = list(search.by_relevance(search_articles(Article.objects.live(), "ferry")))
        assert results == list(search_articles(Article.objects.live(), "ferry"))
        assert results[0] == ranked[0]

    def test_the_newest_are_counted_after_the_other_filters(self, ranked):
        # Not live: the newest match is not one of those ranked among.
        Article.objects.filter(pk=ranked[-1].pk).update(status=Article.Status.ARCHIVED)
        person = PersonFactory()
        for article in ranked[:3]:
            PersonTagFactory(article=article, person=person)
        by_person = Article.objects.live().for_person(person)
        results = list(search.by_relevance(search_articles(by_person, "ferry")))
        assert results[0] == ranked[0] and set(results) == set(ranked[:3])
        live = list(search.by_relevance(search_articles(Article.objects.live(), "ferry")))
        assert set(live) == set(ranked[1:4])

    @pytest.mark.parametrize("window", [1, 2, 4, 1000])
    def test_the_newest_are_found_alike_whatever_the_window(self, ranked, monkeypatch, window):
        # PostgreSQL looks among the last `window` ids first, then among all.
        monkeypatch.setattr(search, "WINDOW", window)
        ArticleFactory(body="no match")  # the last id is not a match
        matches = search_articles(Article.objects.live(), "ferry")
        pks = sorted(a.pk for a in ranked)
        assert search.newest_ranked(matches) == pks[-3]
        assert search.newest_ranked(matches.filter(pk__lt=pks[-1])) == pks[-4]
        assert search.newest_ranked(matches.filter(pk__in=[a.pk for a in ranked[:2]])) is None

    def test_the_api_ranks_so_after_its_filters(self, client, ranked):
        person = PersonFactory(slug="ferryman")
        for article in ranked[:3]:
            PersonTagFactory(article=article, person=person)
        slugs = [a["slug"] for a in client.get("/api/v1/articles/?q=ferry").json()["results"]]
        assert ranked[0].slug not in slugs and len(slugs) == 3
        slugs = [a["slug"] for a in client.get("/api/v1/articles/?q=ferry&person=ferryman").json()["results"]]
        assert slugs[0] == ranked[0].slug and len(slugs) == 3
        slugs = [a["slug"] for a in client.get("/api/v1/articles/?q=ferry&ordering=-published_at")
                 .json()["results"]]
        assert len(slugs) == 5  # ordered otherwise, every match

    def test_the_search_page_too(self, client, ranked):
        page = client.get("/search/?q=ferry").content.decode()
        assert ranked[0].headline not in page and ranked[-1].headline in page


class TestSnippets:
    def test_marks_the_words_and_escapes_everything_else(self):
        article = ArticleFactory(body='Before <script>alert(1)</script> the "ferry" & the port. ' * 3)
        html = snippets(Article.objects.filter(pk=article.pk), "ferry")[article.pk]
        assert "<mark>ferry</mark>" in html
        # PostgreSQL's ts_headline drops what looks like a tag; SQLite keeps it, escaped.
        assert "<script>" not in html and "&amp;" in html and "&quot;" in html

    def test_from_the_standfirst_when_only_it_matches(self):
        article = ArticleFactory(standfirst="The heron lands.", body="Nothing relevant here.")
        assert "<mark>heron</mark>" in snippets([article], "heron")[article.pk]

    def test_one_query_for_a_page_of_results(self):
        articles = [ArticleFactory(body=f"Story {i} about a lighthouse.") for i in range(10)]
        with CaptureQueriesContext(connection) as queries:
            result = snippets(articles, "lighthouse")
        assert len(queries) == 1 and set(result) == {a.pk for a in articles}

    def test_marks_smuggled_into_the_text_cannot_open_elements(self):
        article = ArticleFactory(body=f"Stray {search.START} mark and \ue001 another, ferry.")
        html = snippets([article], "ferry")[article.pk]
        assert search.START not in html and "\ue001" not in html
        assert html.count("<mark>") == html.count("</mark>")


class TestTheIndexIsUsed:
    @sqlite_only
    def test_sqlite_queries_go_through_fts5(self):
        sql, params = search_articles(Article.objects.live(), "ferry").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "articles_article_fts VIRTUAL TABLE INDEX" in plan

    @sqlite_only
    def test_sqlite_joins_the_fts_table_once_and_ranks_in_the_same_pass(self):
        ArticleFactory(headline="Ferry", body="ferry")
        with CaptureQueriesContext(connection) as queries:
            results = list(search_articles(Article.objects.live(), "ferry")[:20])
        [sql] = [q["sql"] for q in queries]
        assert len(results) == 1
        assert sql.count(search.FTS_TABLE) == 4  # FROM, MATCH, rowid = id, bm25()
        assert sql.count("MATCH") == 1 and sql.count("SELECT") == 1  # no correlated sub-select
        person = PersonFactory()
        for articles in (Article.objects.live(),
                         Article.objects.live().for_person(person).select_related("source")):
            sql, params = search_articles(articles, "ferry")[:20].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = [str(row[-1]) for row in cursor.fetchall()]
            # The full-text query drives the join, once (":M", no "=": not
            # probed by rowid); each match is then looked up by primary key.
            assert plan[0].startswith(f"SCAN {search.FTS_TABLE} VIRTUAL TABLE INDEX 0:M"), plan
            assert [step for step in plan if search.FTS_TABLE in step] == [plan[0]], plan
            assert plan[1] == "SEARCH articles_article USING INTEGER PRIMARY KEY (rowid=?)", plan

    @postgresql_only
    def test_postgresql_stores_the_document_in_a_generated_indexed_column(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type, is_generated FROM information_schema.columns "
                "WHERE table_name = 'articles_article' AND column_name = 'search_document'"
            )
            assert cursor.fetchall() == [("tsvector", "ALWAYS")]
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_article'")
            indexes = dict(cursor.fetchall())
        assert "USING gin (search_document)" in indexes["articles_article_search_document_idx"]
        assert "articles_article_search_idx" not in indexes  # the expression index it replaces

    @postgresql_only
    def test_postgresql_filters_and_ranks_on_the_stored_document(self):
        # On a near-empty table the planner prefers any other index; with the
        # alternatives out of play it must use the GIN index of the column.
        sql, params = search_articles(Article.objects.all(), "ferry").query.sql_with_params()
        assert "to_tsvector" not in sql  # no document is parsed at query time
        assert '"articles_article".search_document @@ (websearch_to_tsquery(' in sql
        assert 'ts_rank("articles_article".search_document, ' in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "articles_article_search_document_idx" in plan

    @postgresql_only
    def test_postgresql_rank_is_the_one_of_the_weighted_document(self):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        ArticleFactory(headline="Ferry news", standfirst="A ferry.", body="The ferry left. " * 30)
        ArticleFactory(headline="Other", standfirst="", body="One ferry.")
        document = (SearchVector("headline", weight="A", config="english")
                    + SearchVector("standfirst", weight="B", config="english")
                    + SearchVector("body", weight="C", config="english"))
        query = SearchQuery('"ferry"', search_type="websearch", config="english")
        expected = dict(Article.objects.annotate(rank=SearchRank(document, query)).values_list("pk", "rank"))
        ranked = dict(search_articles(Article.objects.all(), "ferry").values_list("pk", "rank"))
        assert ranked == pytest.approx(expected) and len(ranked) == 2

    @postgresql_only
    def test_postgresql_document_follows_edits(self):
        article = ArticleFactory(headline="Before", body="platypus")
        Article.objects.filter(pk=article.pk).update(body="wombat")
        assert found("wombat") == ["Before"] and found("platypus") == []

    @sqlite_only
    def test_the_sync_triggers_survive_the_whole_migration_history(self):
        # 0006_tagging copies articles_article into a new table on SQLite,
        # which drops its triggers; the post_migrate repair puts them back.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
        assert set(search.SQLITE_TRIGGERS) <= triggers

    @sqlite_only
    def test_dropped_triggers_are_recreated_and_the_index_rebuilt(self):
        article = ArticleFactory(body="Before the table was copied.")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER articles_article_fts_au")
        Article.objects.filter(pk=article.pk).update(body="An albatross flew by.")
        assert found("albatross") == []
        assert search.ensure_sqlite_index() is True
        assert found("albatross") == [article.headline]
        assert search.ensure_sqlite_index() is False

    @sqlite_only
    def test_each_index_is_merged_into_one_segment(self):
        from articles import facets as facet_index

        tables = (search.FTS_TABLE, facet_index.FTS_TABLE)
        with connection.cursor() as cursor:
            for table in tables:  # a segment whenever FTS5 holds 64 bytes
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', 64)")
            words = " ".join(f"word{n}" for n in range(300))  # a few pages of index each
            articles = [ArticleFactory(headline=f"Ferry {i}", body=f"An albatross flew by. {words} w{i}")
                        for i in range(12)]
            for article in articles:
                PersonTagFactory(article=article)

            def segments(table):
                cursor.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx")
                return cursor.fetchone()[0]

            before = {table: segments(table) for table in tables}
            assert min(before.values()) > 1
            steps = []
            merged = search.merge_sqlite_indexes(pages=1, progress=lambda *step: steps.append(step))
            assert dict(merged) == before
            assert [segments(table) for table in tables] == [1, 1]
            # A step at a time, each in its own transaction (the search index's
            # bodies take several one-page steps, the facets' few tokens one).
            written = {table: [pages for name, pages, _ in steps if name == table] for table in tables}
            assert len(written[search.FTS_TABLE]) > 1 and len(written[facet_index.FTS_TABLE]) >= 1
            assert all(pages == sorted(pages) for pages in written.values())
        assert sorted(found("albatross")) == sorted(article.headline for article in articles)


class TestFacets:
    def test_people_and_topics_most_tagged_among_the_matches_with_their_counts(self):
        often, once = PersonFactory(name="Often Named"), PersonFactory(name="Once Named")
        topic = TopicFactory(name="Shipping")
        for i in range(3):
            article = ArticleFactory(headline=f"Ferry {i}", body="ferry")
            PersonTagFactory(article=article, person=often)
            TopicTagFactory(article=article, topic=topic)
        PersonTagFactory(article=article, person=once)
        PersonTagFactory(article=ArticleFactory(body="bus"), person=once)  # not a match
        people, topics = facets(search_articles(Article.objects.live(), "ferry"))
        assert [(p.name, p.n_matches) for p in people] == [("Often Named", 3), ("Once Named", 1)]
        assert [(t.name, t.n_matches) for t in topics] == [("Shipping", 3)]

    def test_only_accepted_tags_of_live_articles(self):
        live = ArticleFactory(body="ferry")
        PersonTagFactory(article=live, person__name="Accepted")
        PersonTagFactory(article=live, person__name="Suggested", state=TagState.SUGGESTED)
        PersonTagFactory(article=live, person__name="Rejected", state=TagState.REJECTED)
        TopicTagFactory(article=live, topic__name="Suggested topic", state=TagState.SUGGESTED)
        draft = DraftFactory(body="ferry")
        PersonTagFactory(article=draft, person__name="In a draft only")
        TopicTagFactory(article=draft, topic__name="Draft topic")
        # Even given every article, the facets show what the public sees.
        people, topics = facets(search_articles(Article.objects.all(), "ferry"))
        assert [p.name for p in people] == ["Accepted"] and topics == []

    def test_counted_among_the_best_matches_only(self):
        best = ArticleFactory(headline="Ferry ferry", body="ferry")
        PersonTagFactory(article=best, person__name="In the best")
        worse = ArticleFactory(headline="Other", body="ferry")
        PersonTagFactory(article=worse, person__name="In a worse one")
        people, _ = facets(search_articles(Article.objects.live(), "ferry"), sample=1)
        assert [p.name for p in people] == ["In the best"]

    def test_at_most_size_of_each_most_frequent_first(self):
        articles = [ArticleFactory(body="ferry") for _ in range(4)]
        for i in range(5):
            person = PersonFactory(name=f"Person {i}")
            for article in articles[: i % 4 + 1]:
                PersonTagFactory(article=article, person=person)
        people, _ = facets(search_articles(Article.objects.live(), "ferry"), size=3)
        assert [(p.name, p.n_matches) for p in people] == [("Person 3", 4), ("Person 2", 3), ("Person 1", 2)]
        # Persons 0 and 4 tie for the last place: the name decides.
        people, _ = facets(search_articles(Article.objects.live(), "ferry"), size=4)
        assert [(p.name, p.n_matches) for p in people][-1] == ("Person 0", 1)
        assert facets(search_articles(Article.objects.live(), "ferry"), size=0)[0] == []

    def test_a_topic_counts_the_articles_of_the_topics_below_it_as_narrowing_by_it_finds_them(self):
        defence = TopicFactory(name="Defence")
        peacekeeping = TopicFactory(name="Peacekeeping", parent=defence)
        TopicTagFactory(article=ArticleFactory(body="ferry"), topic=peacekeeping)
        TopicTagFactory(article=ArticleFactory(body="ferry"), topic=defence)
        _, topics = facets(search_articles(Article.objects.live(), "ferry"))
        assert [(t.name, t.n_matches) for t in topics] == [("Defence", 2), ("Peacekeeping", 1)]
        assert search_articles(Article.objects.live().for_topic(defence), "ferry").count() == 2

    def test_three_queries_whatever_the_number_of_matches_none_without(self):
        for n in (1, 30):
            for i in range(n):
                article = ArticleFactory(body=f"walrus{n}")
                PersonTagFactory(article=article)
                TopicTagFactory(article=article)
            with CaptureQueriesContext(connection) as queries:
                people, topics = facets(search_articles(Article.objects.live(), f"walrus{n}"))
            assert len(queries) == 3 and len(people) == min(n, 12) and len(topics) == min(n, 12)
        with CaptureQueriesContext(connection) as queries:
            assert facets(search_articles(Article.objects.live(), "!!!")) == ([], [])
        assert len(queries) == 0
