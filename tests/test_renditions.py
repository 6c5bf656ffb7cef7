"""
Stored renditions (articles/renditions.py): a list shows from them exactly
what it renders without them, every change they depend on replaces them, and
one that is missing or of another format is never shown.
"""

import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from articles import curation, renditions, search
from articles.models import Article, ArticleRendition, ArticleTopic, TagState
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    DateMentionFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceTagFactory,
    SourceFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)
from tests.public_helpers import build_world

pytestmark = pytest.mark.django_db

LISTS = ["/", "/archive/", "/api/v1/articles/", "/api/v1/articles/?page_size=3&format=json",
         "/api/v1/articles/?pagination=cursor&page_size=2"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Every answer rendered, so that it shows what the lists read."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def saving(instance, **fields):
    """A change: `fields` set on `instance`, which is then saved."""
    def change():
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.save()
    return change


def build_all() -> int:
    return renditions.build(Article.objects.values_list("pk", flat=True))


def answers(client, urls=LISTS) -> dict:
    return {url: client.get(url).content for url in urls}


@pytest.fixture
def world():
    world = build_world(4, "Rendered")
    top = TopicFactory(name="Top")
    middle = TopicFactory(name="Middle", parent=top)
    for article in world["articles"]:
        TopicTagFactory(article=article, topic=TopicFactory(name=f"Leaf {article.pk}", parent=middle))
        TopicTagFactory(article=article, state=TagState.REJECTED)
        OrganisationTagFactory(article=article, state=TagState.SUGGESTED)
    world["top"] = top
    return world


@pytest.fixture
def curator():
    return UserFactory(username="curator", group="Editor")


def rendition_of(article) -> ArticleRendition | None:
    return ArticleRendition.objects.filter(article=article).first()


class TestWhatAListShows:
    def test_is_the_same_with_renditions_as_without(self, client, world):
        without = answers(client) | answers(APIClient())
        assert build_all() == 4
        assert ArticleRendition.objects.count() == 4
        assert answers(client) | answers(APIClient()) == without

    def test_a_page_of_rendered_articles_costs_one_query_for_them(self, client, world):
        def count(url):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        before = {url: count(url) for url in ("/", "/api/v1/articles/")}
        build_all()
        # Home: no bylines or topics, of the latest or the featured articles;
        # the API: the count and the page only (no prefetches, no topics' ancestors).
        assert count("/") == before["/"] - 5  # and not the articles after their page
        assert count("/api/v1/articles/") == 2 < before["/api/v1/articles/"]

    def test_search_shows_the_stored_cards_with_their_snippets_as_it_renders_them(self, client, world):
        ArticleFactory(headline="Ferry & <sons>", standfirst="", body="A ferry crossed the river.")
        ArticleFactory(headline="Standfirst only", standfirst="The ferry & <the> bus.", body="Nothing.")
        ArticleFactory(headline="Body", standfirst="Tom & Jerry", body="ferry " * 60)
        urls = ["/search/?q=ferry", "/search/?q=ferry&page=2", "/search/?q=river+ferry"]
        without = answers(client, urls)
        assert without[urls[0]].count(b'<p class="snippet">') == 3 and b"<mark>ferry</mark>" in without[urls[0]]
        renditions.build(Article.objects.filter(headline="Body").values_list("pk", flat=True))
        assert answers(client, urls) == without  # some rendered, some not
        build_all()
        assert answers(client, urls) == without

    def test_a_card_with_a_snippet_is_the_card_the_template_renders_with_it(self, world):
        from django.template.loader import render_to_string

        snippet = search.highlight(f"a {search.START}ferry{search.STOP} & more")
        for standfirst in ("", "Tom & <Jerry>"):
            article = ArticleFactory(standfirst=standfirst)
            build_all()
            card = rendition_of(article).card
            article.snippet = snippet
            assert renditions.card_with_snippet(card, snippet) == render_to_string(
                renditions.CARD_TEMPLATE, {"article": article, "level": 2}).strip()
            assert renditions.card_with_snippet(card, "") == card

    def test_a_rendition_of_another_format_is_not_shown(self, client, world):
        build_all()
        ArticleRendition.objects.update(format="old", api='{"slug": "stale"}',
                                        card='<article class="card">stale</article>')
        assert b"stale" not in client.get("/").content
        assert b"stale" not in client.get("/api/v1/articles/").content
        assert renditions.missing().count() == 4

    def test_some_rendered_some_not_keeps_the_order(self, client, world):
        without = answers(client)
        renditions.build([world["articles"][1].pk, world["articles"][3].pk])
        assert answers(client) == without

    def test_a_card_takes_the_level_of_its_list(self, client, world):
        build_all()
        article = world["articles"][0]
        card = rendition_of(article).card
        assert card.startswith('<article class="card">\n  <h2 class="card-title">')
        page = client.get("/").content.decode()  # the home page's cards are h3
        assert renditions.card_at(rendition_of(article).card, 3) in page
        assert card.count("<h2") == 1 and "<h3" not in card

    def test_a_rendition_never_decides_who_sees_an_article(self, client, world):
        draft = world["articles"][0]
        build_all()
        Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
        assert draft.headline.encode() not in client.get("/").content
        assert draft.slug.encode() not in client.get("/api/v1/articles/").content
        assert rendition_of(draft) is not None  # still there, never shown to the public


class TestEveryChangeRendersAgain:
    """Each change deletes the rendition in its transaction and renders the
    article again when the transaction commits."""

    @pytest.fixture(autouse=True)
    def rendered(self, world):
        build_all()

    def check(self, client, django_capture_on_commit_callbacks, change, article) -> dict:
        """Make the change; returns the renditions after it, by article id."""
        with django_capture_on_commit_callbacks(execute=True):
            change()
            assert rendition_of(article) is None  # gone inside the transaction
        rendered = answers(client)
        after = {r.article_id: r for r in ArticleRendition.objects.all()}
        assert article.pk in after
        ArticleRendition.objects.all().delete()
        assert answers(client) == rendered  # what was rendered is what a list renders
        return after

    def test_an_edit_of_the_article(self, client, world, django_capture_on_commit_callbacks):
        article = world["articles"][0]
        after = self.check(client, django_capture_on_commit_callbacks,
                           saving(article, headline="A new headline"), article)
        assert "A new headline" in after[article.pk].card

    def test_a_rejected_tag_goes(self, client, world, curator, django_capture_on_commit_callbacks):
        article = world["articles"][0]
        tag = article.person_tags.get(person=world["person"])
        after = self.check(client, django_capture_on_commit_callbacks,
                           lambda: curation.reject(tag, user=curator), article)
        assert world["person"].slug not in after[article.pk].api

    def test_accepting_all_pending(self, client, world, curator, django_capture_on_commit_callbacks):
        article = world["articles"][0]
        pending = article.organisation_tags.get(state=TagState.SUGGESTED).organisation
        after = self.check(client, django_capture_on_commit_callbacks,
                           lambda: curation.accept_all_pending(article, user=curator), article)
        assert pending.slug in after[article.pk].api

    def test_a_new_tag_byline_or_date(self, client, world, django_capture_on_commit_callbacks):
        article = world["articles"][1]
        for factory, field in [(PersonTagFactory, "person"), (PlaceTagFactory, "place"),
                               (BylineFactory, "person")]:
            record = PersonFactory() if field == "person" else None
            self.check(client, django_capture_on_commit_callbacks,
                       lambda: factory(article=article, **({field: record} if record else {})),
                       article)
        after = self.check(client, django_capture_on_commit_callbacks,
                           lambda: DateMentionFactory(article=article, text="in 1999", value="1999",
                                                      precision="year", label="Millennium eve"),
                           article)
        assert "Millennium eve" in after[article.pk].api
        after = self.check(client, django_capture_on_commit_callbacks,
                           lambda: article.date_mentions.get(label="Millennium eve").delete(), article)
        assert "Millennium eve" not in after[article.pk].api

    @pytest.mark.parametrize("record", ["person", "organisation", "place", "reporter"])
    def test_a_renamed_record(self, client, world, record, django_capture_on_commit_callbacks):
        after = self.check(client, django_capture_on_commit_callbacks,
                           saving(world[record], name=f"Renamed {record}"), world["articles"][2])
        assert len(after) == 4 and all(f"Renamed {record}" in r.api for r in after.values())

    def test_a_renamed_topic_high_above_the_tags(self, client, world,
                                                  django_capture_on_commit_callbacks):
        after = self.check(client, django_capture_on_commit_callbacks,
                           saving(world["top"], name="Renamed top"), world["articles"][0])
        assert len(after) == 4 and all("Renamed top" in r.api for r in after.values())

    def test_a_topic_moved_under_another(self, client, world, django_capture_on_commit_callbacks):
        middle, elsewhere = world["top"].children.get(), TopicFactory(name="Elsewhere")
        after = self.check(client, django_capture_on_commit_callbacks,
                           saving(middle, parent=elsewhere), world["articles"][0])
        assert len(after) == 4 and all('"name":"Elsewhere"' in r.api for r in after.values())

    def test_a_renamed_source(self, client, world, django_capture_on_commit_callbacks):
        article = world["articles"][0]
        after = self.check(client, django_capture_on_commit_callbacks,
                           saving(article.source, name="The Renamed Ledger"), article)
        assert "The Renamed Ledger" in after[article.pk].card

    def test_two_people_merged(self, client, world, curator, django_capture_on_commit_callbacks):
        article = world["articles"][0]
        duplicate = PersonFactory(name="Duplicate Person")
        PersonTagFactory(article=article, person=duplicate)
        renditions.build([article.pk])
        after = self.check(client, django_capture_on_commit_callbacks,
                           lambda: curation.merge_people(survivor=world["person"],
                                                         duplicate=duplicate, user=curator),
                           article)
        assert "Duplicate Person" not in after[article.pk].api

    def test_a_save_that_changes_nothing_shown_keeps_the_renditions(self, world):
        world["person"].description = "Only on the person's page."
        world["person"].save()
        assert ArticleRendition.objects.count() == 4

    def test_many_changes_in_one_transaction_render_once(self, world, monkeypatch,
                                                         django_capture_on_commit_callbacks):
        built = []
        monkeypatch.setattr(renditions, "build", lambda ids, **kw: built.append(sorted(ids)))
        article = world["articles"][0]
        renditions.discard_pending()  # the world's, never committed
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(5):
                PersonTagFactory(article=article, state=TagState.SUGGESTED)
            article.save()
        assert built == [[article.pk]]

    def test_a_rolled_back_change_keeps_the_rendition(self, world):
        from django.db import transaction

        article = world["articles"][0]
        with pytest.raises(RuntimeError), transaction.atomic():
            PersonTagFactory(article=article)
            raise RuntimeError
        assert rendition_of(article) is not None

    def test_a_record_on_too_many_articles_is_left_to_the_command(
            self, client, world, monkeypatch, caplog, django_capture_on_commit_callbacks):
        monkeypatch.setattr(renditions, "REBUILD_AT_ONCE", 2)
        with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
            world["organisation"].name = "Renamed widely"
            world["organisation"].save()
        assert "build_renditions --missing" in caplog.text
        assert ArticleRendition.objects.count() == 0  # none stale, none rebuilt
        assert b"Renamed widely" in client.get("/api/v1/articles/").content
        call_command("build_renditions", "--missing", stdout=open("/dev/null", "w"))
        assert renditions.missing().count() == 0


def test_the_command_renders_all_or_the_missing(world, capsys):
    call_command("build_renditions")
    assert "Rendered 4 article(s)" in capsys.readouterr().out
    ArticleRendition.objects.filter(article=world["articles"][0]).delete()
    call_command("build_renditions", "--missing")
    assert "Rendered 1 article(s)" in capsys.readouterr().out
    assert renditions.missing().count() == 0


def test_the_format_follows_the_card_template_and_settings(settings):
    before = renditions.current_format()
    renditions.current_format.cache_clear()
    settings.TIME_ZONE = "Asia/Phnom_Penh"
    try:
        assert renditions.current_format() != before
    finally:
        renditions.current_format.cache_clear()


def test_hostile_names_stay_escaped_in_the_card(client):
    article = ArticleFactory(headline='<h2 class="card-title">x</h2><script>', source=SourceFactory())
    TopicTagFactory(article=article, topic=TopicFactory(name="</h2><b>"))
    build_all()
    page = client.get("/").content.decode()
    assert "<script>" not in page and "</h2><b>" not in page
    assert renditions.card_at(rendition_of(article).card, 3).count('<h3 class="card-title">') == 1


def test_an_article_deleted_takes_its_rendition(world, django_capture_on_commit_callbacks):
    build_all()
    article = world["articles"][0]
    with django_capture_on_commit_callbacks(execute=True):
        ArticleTopic.objects.filter(article=article).delete()
        article.delete()
    assert ArticleRendition.objects.count() == 3
