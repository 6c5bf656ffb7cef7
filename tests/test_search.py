import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import search
from articles.models import Article
from articles.search import parse, search_articles, snippets
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 index")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL GIN index")


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

    @postgresql_only
    def test_postgresql_queries_use_the_gin_expression_index(self):
        # On a near-empty table the planner prefers any other index; with the
        # alternatives out of play it must find the expression in the GIN index.
        sql, params = search_articles(Article.objects.all(), "ferry").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "articles_article_search_idx" in plan

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
