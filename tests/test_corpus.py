import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from articles import cache, corpus
from articles.models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    DateMention,
    Person,
    TagState,
    Topic,
    tag_models,
)
from articles.search import FTS_TABLE, search_articles
from articles.tagging.cleaning import clean_text, content_hash

END = datetime.datetime(2026, 11, 23)
SPEC = corpus.Spec(people=400, reporters=20, organisations=80)


def generate(n, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_articles", n, "--end", "2026-11-23", stdout=out, stderr=err,
                 **{"seed": 7, "workers": 0, **options})
    return out.getvalue(), err.getvalue()


def generated(n, **options):
    """What generate_articles n writes, undone afterwards."""
    with transaction.atomic():
        generate(n, **options)
        result = snapshot()
        transaction.set_rollback(True)
    return result


def snapshot():
    """Everything generated, by article id, without row ids of the tags."""
    articles = {}
    for a in Article.objects.order_by("pk"):
        articles[a.pk] = [a.headline, a.slug, a.standfirst, a.body, a.status, a.published_at,
                          a.source.name, a.dateline.name, a.content_hash,
                          [b.person.name for b in a.byline_set.order_by("position")]]
    for model in tag_models():
        for tag in model.objects.order_by("article_id", "pk"):
            fields = {f.name: getattr(tag, f.attname) for f in model._meta.concrete_fields
                      if f.name not in ("id", "article")}
            articles[tag.article_id].append(fields)
    return articles


@pytest.fixture(scope="module")
def world():
    return corpus.build_world(7)


class TestCommand:
    pytestmark = pytest.mark.django_db

    def test_adds_n_articles_and_reports_them(self):
        out, err = generate(40)
        assert Article.objects.count() == 40
        assert "Added 40 articles (ids 1–40" in out and "person tags" in out
        assert "New records:" in out and "5,150 people" in out
        assert "Generating" in err and "40/40" in err  # the progress bar, on stderr

    def test_the_same_seed_makes_the_same_corpus(self):
        first = generated(30)
        assert generated(30) == first
        assert generated(30, seed=8) != first

    def test_two_runs_make_the_corpus_one_run_makes(self):
        whole = generated(30)
        generate(12)
        generate(18, workers=1, batch_size=5)  # forked generators, several batches
        assert snapshot() == whole
        assert Person.objects.count() == 5150  # the world is stored once

    def test_tags_point_at_the_names_in_the_text(self):
        generate(25)
        tags = [*ArticlePerson.objects.select_related("article", "person"),
                *ArticleOrganisation.objects.select_related("article", "organisation"),
                *ArticlePlace.objects.select_related("article", "place"),
                *ArticleTopic.objects.select_related("article", "topic"),
                *DateMention.objects.select_related("article")]
        for tag in tags:
            tag.full_clean()  # evidence spans really cover their text
            assert tag.evidence, tag
            for span in tag.evidence:
                if isinstance(tag, ArticleTopic):
                    assert span["text"].lower() in tag.topic.keywords.lower()
                elif isinstance(tag, DateMention):
                    assert span["text"] == tag.text
                else:
                    record = getattr(tag, type(tag)._meta.model_name.removeprefix("article"))
                    assert span["text"] == record.name

    def test_articles_are_valid_and_hashed_as_save_would(self):
        generate(25)
        for article in Article.objects.all():
            article.full_clean(exclude=["slug"])
            assert article.content_hash == content_hash(article.headline, article.body)
            assert 2000 <= len(article.body) <= 5000
            assert clean_text(article.body).text == article.body
            assert article.slug.endswith(f"-{article.pk}")

    def test_every_article_has_three_to_ten_tags_and_some_dates(self):
        generate(25)
        for article in Article.objects.all():
            records = sum(model.objects.filter(article=article, state=TagState.ACCEPTED).count()
                          for model in (ArticlePerson, ArticleOrganisation, ArticlePlace,
                                        ArticleTopic))
            assert 3 <= records <= 10
            assert 2 <= article.date_mentions.count() <= 5
            assert Byline.objects.filter(article=article).exists()

    def test_topics_form_a_tree_with_paths(self):
        generate(1)
        for topic in Topic.objects.select_related("parent"):
            parent_path = topic.parent.path if topic.parent else "/"
            assert topic.path == f"{parent_path}{topic.pk}/"
        assert Topic.objects.count() > 200 and Topic.objects.filter(parent=None).count() == 16

    def test_search_finds_the_new_articles(self):
        generate(25)
        article = Article.objects.live().first()
        person = article.person_tags.first().person
        found = search_articles(Article.objects.live(), f'"{person.name}"')
        assert article in found
        assert found.count() == Article.objects.live().for_person(person).count()

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
    def test_the_search_index_is_one_segment(self):
        """FTS5 reads a word's articles from every segment of its index: the
        load merges them into one."""
        with connection.cursor() as cursor:
            # A segment whenever FTS5 holds 64 bytes (a megabyte unless told).
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', 64)")
            generate(25)
            cursor.execute(f"SELECT count(DISTINCT segid) FROM {FTS_TABLE}_idx")
            assert cursor.fetchone() == (1,)
        article = Article.objects.live().first()
        assert article in search_articles(Article.objects.live(), f'"{article.headline}"')

    def test_the_facet_index_holds_the_new_articles(self):
        from articles import facets

        generate(40)
        person = Article.objects.live().first().person_tags.first().person
        query = facets.Query().require(facets.record_token("person", person.pk))
        assert facets.FacetList(query, "api").ids(100) == list(
            Article.objects.live().for_person(person).order_by("-published_at", "-pk")
            .values_list("pk", flat=True))
        # And it follows changes again, its index or triggers restored.
        article = Article.objects.live().exclude(pk__in=facets.FacetList(query, "api").ids(100)).first()
        ArticlePerson.objects.create(article=article, person=person, state="accepted")
        assert article.pk in facets.FacetList(query, "api").ids(100)

    def test_the_coverage_tables_have_planner_statistics(self):
        """Counted after the load, they are analysed after it too: without
        statistics PostgreSQL reads the whole table where an index answers."""
        from django.db import connection

        from articles.models import ArticleCoverage

        generate(40)
        table = ArticleCoverage._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The row count alone is not enough: CREATE INDEX sets it too.
                cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s"
                               " AND attname IN ('live_from', 'position')", [table])
                assert cursor.fetchone()[0] == 2
            else:
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
                rows = cursor.fetchone()[0]
                assert int(rows.split()[0]) == ArticleCoverage.objects.count() > 0

    @pytest.mark.django_db(transaction=True)
    def test_outside_a_transaction_postgresql_vacuums_the_posting_lists(self):
        """The visibility map set, a posting list is an index-only scan in
        order; without it PostgreSQL reads it by a bitmap and sorts it."""
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("VACUUM and the visibility map are PostgreSQL's")
        from articles import facets

        generate(40)
        with connection.cursor() as cursor:
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s", [facets.POSTINGS])
            assert cursor.fetchone()[0] > 0

    def test_cached_pages_become_stale(self):
        before = cache.current_generation().number
        generate(1)
        assert cache.current_generation().number != before


@pytest.fixture(scope="module")
def articles(world):
    return [corpus.make_article(world, 7, i, END) for i in range(1, 2001)]


class TestArticles:
    """The pure part, over more articles than the database tests write."""

    def test_about_three_percent_are_not_live(self, articles):
        kinds = [article.kind for article in articles]
        share = sum(kind != "live" for kind in kinds) / len(kinds)
        assert 0.02 <= share <= 0.045
        assert set(kinds) == {"live", "draft", "review", "scheduled", "archived"}

    def test_publication_spans_twenty_years(self, articles):
        times = [a.published_at for a in articles if a.kind in ("live", "archived")]
        assert min(times) < END - datetime.timedelta(days=19 * 365)
        assert max(times) > END - datetime.timedelta(days=365)
        assert all(a.published_at > END for a in articles if a.kind == "scheduled")

    def test_popularity_is_zipf_like(self, articles):
        people = [tag[1] for a in articles for tag in a.tags
                  if tag[0] == "person" and tag[2] == TagState.ACCEPTED]
        top = people.count(0) / len(articles)
        assert 0.15 <= top <= 0.4  # the most popular person: in about a quarter
        assert people.count(100) < people.count(0) / 20
        assert len(set(people)) > 1000  # and a long tail

    def test_text_hash_equals_content_hash(self, articles):
        for article in articles[:300]:
            assert article.content_hash == content_hash(article.headline, article.body)

    def test_the_world_has_thousands_of_people_and_hundreds_of_the_rest(self, world):
        assert len(world.people) == 5000 and len(world.reporters) == 150
        assert len(world.organisations) == 600
        assert len(world.places) > 250 and len(world.topics) > 250
        assert len({p.key for p in world.people + world.reporters}) == 5150

    def test_a_smaller_world(self):
        world = corpus.build_world(3, SPEC)
        assert (len(world.people), len(world.organisations)) == (400, 80)
        article = corpus.make_article(world, 3, 1, END)
        assert article.tags
