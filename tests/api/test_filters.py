import datetime
import random

import pytest

from articles.models import Article, TagState
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    DraftFactory,
    OrganisationFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    PlaceTagFactory,
    SourceFactory,
    TopicFactory,
    TopicTagFactory,
)

from .conftest import NOW

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.json()
    return [item["slug"] for item in response.json()["results"]]



def source_of(article, source):
    article.source = source
    article.save()
    return source

class TestTagFilters:
    def test_person(self, api, world):
        assert slugs(api.get("/api/v1/articles/?person=yoko-kamikawa")) == [world.visit.slug]

    def test_repeated_people_means_all_of_them(self, api, world):
        both = api.get("/api/v1/articles/?person=hun-sen&person=yoko-kamikawa")
        assert slugs(both) == [world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?person=hun-sen")) == [world.visit.slug,
                                                                     world.budget.slug]

    def test_only_accepted_tags_count(self, api, world):
        PersonTagFactory(article=world.budget, person=world.kamikawa, state=TagState.REJECTED)
        assert slugs(api.get("/api/v1/articles/?person=yoko-kamikawa")) == [world.visit.slug]

    def test_topic_includes_sub_topics(self, api, world):
        assert slugs(api.get("/api/v1/articles/?topic=politics")) == [world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?topic=diplomacy")) == [world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?topic=economy")) == [world.budget.slug]

    def test_organisation_place_and_source(self, api, world):
        assert slugs(api.get("/api/v1/articles/?organisation=asean")) == [world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?place=phnom-penh")) == [world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?source=asia-wire")) == [world.budget.slug]

    def test_filters_combine(self, api, world):
        assert slugs(api.get("/api/v1/articles/?person=hun-sen&topic=economy")) == [
            world.budget.slug]
        assert slugs(api.get("/api/v1/articles/?person=hun-sen&source=asia-wire"
                             "&topic=politics")) == []

    @pytest.mark.parametrize("parameter, kind", [
        ("person", "person"), ("topic", "topic"), ("organisation", "organisation"),
        ("place", "place"), ("source", "source"),
    ])
    def test_an_unknown_slug_is_named(self, api, world, parameter, kind):
        response = api.get(f"/api/v1/articles/?{parameter}=nobody")
        assert response.status_code == 400
        assert response.json() == {parameter: [f"Unknown {kind}: 'nobody'."]}

    @pytest.mark.parametrize("parameter, listing, make", [
        ("person", "people", lambda draft: PersonTagFactory(
            article=draft, person=PersonFactory(name="Draft Person")).person),
        ("topic", "topics", lambda draft: TopicTagFactory(
            article=draft, topic=TopicFactory(name="Draft Topic")).topic),
        ("organisation", "organisations", lambda draft: OrganisationTagFactory(
            article=draft, organisation=OrganisationFactory(name="Draft Org")).organisation),
        ("place", "places", lambda draft: PlaceTagFactory(
            article=draft, place=PlaceFactory(name="Draft Place")).place),
        ("source", "sources", lambda draft: source_of(draft, SourceFactory(name="Draft Source"))),
    ])
    def test_a_filter_knows_exactly_the_records_the_public_lists(self, api, as_editor, world,
                                                                 parameter, listing, make):
        """A slug the public lists may be filtered on; one it does not list
        answers as a nonexistent one does, so the 400/200 difference cannot
        reveal a record known only from unpublished coverage."""
        record = make(DraftFactory(headline="Unpublished coverage"))
        listed = api.get(f"/api/v1/{listing}/?page_size=100").json()["results"]
        is_public = record.slug in {item["slug"] for item in listed}
        response = api.get(f"/api/v1/articles/?{parameter}={record.slug}")
        nonexistent = api.get(f"/api/v1/articles/?{parameter}=no-such-slug")
        assert nonexistent.status_code == 400
        if is_public:
            assert slugs(response) == []
        else:
            assert response.status_code == 400
            assert response.json()[parameter] == [
                nonexistent.json()[parameter][0].replace("no-such-slug", record.slug)]
            assert slugs(as_editor.get(f"/api/v1/articles/?{parameter}={record.slug}")) == []
        assert not is_public

    def test_a_topic_without_live_coverage_is_unknown_on_the_timeline(self, api, as_editor, world):
        hidden = TopicTagFactory(article=world.draft, topic=TopicFactory(name="Hidden")).topic
        assert api.get(f"/api/v1/dates/?topic={hidden.slug}").json() == {
            "topic": [f"Unknown topic: '{hidden.slug}'."]}
        assert as_editor.get(f"/api/v1/dates/?topic={hidden.slug}").status_code == 200

    def test_a_record_seen_only_in_drafts_is_unknown_to_the_public(self, api, as_editor, world):
        assert api.get("/api/v1/articles/?person=only-in-drafts").status_code == 400
        assert slugs(as_editor.get("/api/v1/articles/?person=only-in-drafts")) == []

    def test_who_asks_is_not_kept_between_requests(self, api, as_editor, world):
        """The filters' form class is built once (articles.api.filters.FilterSet):
        an editor's request must not leave its user on it for the next."""
        for _ in range(2):
            assert slugs(as_editor.get("/api/v1/articles/?person=only-in-drafts")) == []
            assert api.get("/api/v1/articles/?person=only-in-drafts").status_code == 400
            assert as_editor.get("/api/v1/dates/?person=only-in-drafts").status_code == 200
            assert api.get("/api/v1/dates/?person=only-in-drafts").status_code == 400

    def test_the_filters_of_a_request_are_its_own(self, rf, world):
        from articles.api.filters import ArticleFilter

        request = rf.get("/")
        first, second = (ArticleFilter({}, request=request) for _ in range(2))
        assert first.filters["person"] is not second.filters["person"]
        assert first.filters["person"].parent is first
        assert first.filters["person"].filter.f is first.filters["person"]  # the method's
        assert first.form.fields["person"] is not second.form.fields["person"]

    def test_a_forms_fields_are_copied_one_level_deep(self, rf, world):
        """Each form's fields are its own (its user is set on them), their
        widgets and messages the class's: a deep copy of every field cost a
        quarter of a millisecond a request."""
        from articles.api.filters import ArticleFilter

        form_class = ArticleFilter.form_class()
        first, second = (ArticleFilter({}, request=rf.get("/")).form for _ in range(2))
        for name, field in form_class.base_fields.items():
            assert first.fields[name] is not field and first.fields[name] is not second.fields[name]
            assert first.fields[name].widget is field.widget
            assert first.fields[name].error_messages is field.error_messages
        assert form_class.base_fields["person"].user is None


class TestDateFilters:
    def test_published_range_is_inclusive(self, api, world):
        two_days_ago = (NOW - datetime.timedelta(days=2)).date().isoformat()
        assert slugs(api.get(f"/api/v1/articles/?published_after={two_days_ago}")) == [
            world.visit.slug]
        assert slugs(api.get(f"/api/v1/articles/?published_before={two_days_ago}")) == [
            world.visit.slug, world.budget.slug]
        assert slugs(api.get(f"/api/v1/articles/?published_after={two_days_ago}"
                             f"&published_before={two_days_ago}")) == [world.visit.slug]

    def test_mentioned_dates_overlap_the_range(self, api, world):
        assert slugs(api.get("/api/v1/articles/?mentioned_after=2024-07-06")) == [
            world.visit.slug, world.budget.slug]
        assert slugs(api.get("/api/v1/articles/?mentioned_after=2024-07-07")) == [
            world.budget.slug]
        assert slugs(api.get("/api/v1/articles/?mentioned_before=2024-07-05")) == [
            world.visit.slug]
        assert slugs(api.get("/api/v1/articles/?mentioned_after=2025-06-01"
                             "&mentioned_before=2025-06-30")) == [world.budget.slug]

    def test_one_mention_must_overlap_the_whole_range(self, api, world):
        # Mentions of 1990 and of 2030 do not make an article about 2000.
        article = ArticleFactory()
        DateMentionFactory(article=article, date_from=datetime.date(1990, 1, 1),
                           date_to=datetime.date(1990, 12, 31), value="1990", precision="year")
        DateMentionFactory(article=article, date_from=datetime.date(2030, 1, 1),
                           date_to=datetime.date(2030, 12, 31), value="2030", precision="year")
        assert slugs(api.get("/api/v1/articles/?mentioned_after=2000-01-01"
                             "&mentioned_before=2000-12-31")) == []

    def test_only_accepted_mentions_count(self, api, world):
        DateMentionFactory(article=world.visit, date_from=datetime.date(1950, 1, 1),
                           date_to=datetime.date(1950, 1, 1), state=TagState.SUGGESTED)
        assert slugs(api.get("/api/v1/articles/?mentioned_before=1960-01-01")) == []

    @pytest.mark.parametrize("parameter", ["published_after", "published_before",
                                           "mentioned_after", "mentioned_before"])
    def test_a_malformed_date_is_named(self, api, world, parameter):
        response = api.get(f"/api/v1/articles/?{parameter}=2024-02-30")
        assert response.status_code == 400
        assert response.json() == {parameter: ["Enter a valid date."]}

    def test_a_range_that_ends_before_it_starts(self, api, world):
        response = api.get("/api/v1/articles/?mentioned_after=2025-01-01"
                           "&mentioned_before=2024-01-01")
        assert response.json() == {
            "mentioned_before": ["The range ends before it starts (mentioned_after is later)."]}

    def test_the_ends_of_the_calendar_do_not_overflow(self, api, world):
        assert api.get("/api/v1/articles/?published_before=9999-12-31"
                       "&published_after=0001-01-01").status_code == 200
        assert api.get("/api/v1/articles/?mentioned_before=9999-12-31"
                       "&mentioned_after=0001-01-01").status_code == 200


class TestSearchAndOrdering:
    def test_q_searches_through_the_search_module(self, api, world):
        assert slugs(api.get("/api/v1/articles/?q=senate")) == [world.budget.slug]

    def test_q_finds_live_articles_only(self, api, world):
        assert slugs(api.get("/api/v1/articles/?q=secret")) == []

    def test_with_q_the_default_order_is_relevance(self, api, world):
        ArticleFactory(headline="Trade trade trade", body="Trade.", published_at=NOW
                       - datetime.timedelta(days=9))
        assert slugs(api.get("/api/v1/articles/?q=trade"))[0] == "trade-trade-trade"
        assert slugs(api.get("/api/v1/articles/?q=trade&ordering=-published_at"))[0] == (
            world.visit.slug)

    @pytest.mark.parametrize("ordering, expected", [
        ("-published_at", ["visit", "budget"]),
        ("published_at", ["budget", "visit"]),
        ("headline", ["budget", "visit"]),
        ("-headline", ["visit", "budget"]),
    ])
    def test_orderings(self, api, world, ordering, expected):
        assert slugs(api.get(f"/api/v1/articles/?ordering={ordering}")) == [
            getattr(world, name).slug for name in expected]

    def test_relevance_needs_q(self, api, world):
        response = api.get("/api/v1/articles/?ordering=relevance")
        assert response.json() == {"ordering": ["Ordering by relevance needs a search: add q=."]}

    def test_an_unknown_ordering(self, api, world):
        response = api.get("/api/v1/articles/?ordering=popularity")
        assert response.status_code == 400
        assert list(response.json()) == ["ordering"]


class TestStatusFilter:
    def test_editors_list_other_states(self, as_editor, world):
        assert slugs(as_editor.get("/api/v1/articles/?status=draft")) == [world.draft.slug]
        both = as_editor.get("/api/v1/articles/?status=draft&status=published")
        assert set(slugs(both)) == {world.draft.slug, world.visit.slug, world.budget.slug,
                                    world.embargoed.slug, world.scheduled.slug}

    def test_without_status_editors_see_the_public_list(self, as_editor, world):
        assert slugs(as_editor.get("/api/v1/articles/")) == [world.visit.slug, world.budget.slug]

    def test_status_combines_with_the_other_filters(self, as_editor, world):
        assert slugs(as_editor.get("/api/v1/articles/?status=draft&person=hun-sen")) == []
        assert slugs(as_editor.get("/api/v1/articles/?status=draft"
                                   "&mentioned_before=1991-01-01")) == [world.draft.slug]

    def test_drafts_without_a_publication_time_sort_last_on_every_database(self, as_editor, world):
        Article.objects.filter(pk=world.visit.pk).update(status=Article.Status.DRAFT)
        assert slugs(as_editor.get("/api/v1/articles/?status=draft")) == [world.visit.slug,
                                                                           world.draft.slug]

    def test_the_public_may_not_filter_by_status(self, api, world):
        response = api.get("/api/v1/articles/?status=draft")
        assert response.status_code == 400
        assert response.json() == {"status": ["Only editors may list articles by status."]}

    def test_an_unknown_status(self, as_editor, world):
        response = as_editor.get("/api/v1/articles/?status=lost")
        assert response.status_code == 400
        assert list(response.json()) == ["status"]


class TestTimelineFilters:
    def texts(self, response):
        assert response.status_code == 200, response.json()
        return [entry["text"] for entry in response.json()["results"]]

    def test_from_and_to_select_overlapping_dates(self, api, world):
        assert self.texts(api.get("/api/v1/dates/?from=2024-07-06")) == ["July 5-6", "2025"]
        assert self.texts(api.get("/api/v1/dates/?from=2024-07-07")) == ["2025"]
        assert self.texts(api.get("/api/v1/dates/?to=2024-12-31")) == ["July 5-6"]
        assert self.texts(api.get("/api/v1/dates/?from=2025-03-01&to=2025-03-02")) == ["2025"]

    def test_person_and_topic(self, api, world):
        assert self.texts(api.get("/api/v1/dates/?person=yoko-kamikawa")) == ["July 5-6"]
        assert self.texts(api.get("/api/v1/dates/?topic=politics")) == ["July 5-6"]
        TopicTagFactory(article=world.budget, topic=world.diplomacy)
        assert self.texts(api.get("/api/v1/dates/?topic=politics")) == ["July 5-6", "2025"]

    def test_drafts_and_suggestions_stay_off_the_timeline(self, api, world):
        DateMentionFactory(article=world.visit, text="someday", state=TagState.SUGGESTED)
        assert "in 1990" not in self.texts(api.get("/api/v1/dates/"))
        assert "someday" not in self.texts(api.get("/api/v1/dates/"))

    def test_bad_values_are_named(self, api, world):
        assert api.get("/api/v1/dates/?from=July").json() == {"from": ["Enter a valid date."]}
        assert api.get("/api/v1/dates/?from=2025-01-02&to=2025-01-01").json() == {
            "to": ["The range ends before it starts (from is later)."]}
        assert api.get("/api/v1/dates/?person=nobody").json() == {
            "person": ["Unknown person: 'nobody'."]}


class TestFacetIndex:
    """The filtered list read from the facet index (articles.facets) is the
    list the ORM's definitions give, byte for byte: every filter, both
    orders, numbered pages and the cursor both ways."""

    @pytest.fixture
    def random_world(self, db):
        from articles import renditions

        rng = random.Random(5)
        people = [PersonFactory(name=f"Person {i}") for i in range(4)]
        root = TopicFactory(name="Root")
        topics = [root, TopicFactory(name="Child", parent=root), TopicFactory(name="Other")]
        sources = [SourceFactory(name=f"Source {i}") for i in range(2)]
        moment = NOW - datetime.timedelta(days=2)
        for i in range(45):
            # Some share their publication second, as a bulk publish makes them.
            if i % 4:
                moment -= datetime.timedelta(days=rng.randrange(0, 90), seconds=rng.randrange(86400))
            status = rng.choice([Article.Status.PUBLISHED] * 5 + [Article.Status.DRAFT])
            article = ArticleFactory(published_at=moment if status == Article.Status.PUBLISHED else None,
                                     status=status, source=rng.choice(sources))
            for person in rng.sample(people, rng.randrange(1, 3)):
                PersonTagFactory(article=article, person=person,
                                 state=rng.choice([TagState.ACCEPTED] * 3 + [TagState.SUGGESTED]))
            TopicTagFactory(article=article, topic=rng.choice(topics))
            for _ in range(rng.randrange(0, 3)):
                start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 700))
                DateMentionFactory(article=article, date_from=start,
                                   date_to=start + datetime.timedelta(days=rng.choice([0, 1, 20, 200])),
                                   state=rng.choice([TagState.ACCEPTED] * 3 + [TagState.REJECTED]))
        embargoed = ArticleFactory(embargo_until=NOW + datetime.timedelta(days=1), source=sources[0])
        PersonTagFactory(article=embargoed, person=people[0])
        renditions.build(Article.objects.filter(pk__lt=embargoed.pk).values_list("pk", flat=True)[:30])
        return people, topics, sources

    def urls(self, people, topics, sources):
        a, b = people[0].slug, people[1].slug
        filters = [
            f"person={a}", f"person={a}&person={b}", f"topic={topics[0].slug}",
            f"topic={topics[1].slug}&person={b}", f"source={sources[1].slug}",
            f"person={a}&published_after={(NOW - datetime.timedelta(days=400)).date()}",
            f"published_before={(NOW - datetime.timedelta(days=200)).date()}&topic={topics[2].slug}",
            "mentioned_after=2024-03-01&mentioned_before=2024-03-31",
            "mentioned_after=2024-05-10&mentioned_before=2024-05-12",
            f"mentioned_after=2025-01-01&person={a}", "mentioned_before=2024-02-01",
            "mentioned_after=2024-01-01&mentioned_before=2025-12-31",
            f"person={b}&topic={topics[0].slug}&mentioned_after=2024-02-01&mentioned_before=2024-12-31",
        ]
        urls = []
        for query in filters:
            for extra in ("", "&ordering=published_at", "&page=2&page_size=5", "&page_size=3"):
                urls.append(f"/api/v1/articles/?{query}{extra}")
        return urls

    def walk_cursor(self, api, url, backwards_from_end=True):
        pages, seen = [], 0
        while url and seen < 30:
            data = api.get(url).json()
            pages.append(data)
            url, seen = data["next"], seen + 1
        if backwards_from_end:
            url = pages[-1]["previous"]
            while url and seen < 60:
                data = api.get(url).json()
                pages.append(data)
                url, seen = data["previous"], seen + 1
        return pages

    def test_every_filter_gives_the_orms_list(self, api, random_world, monkeypatch, settings):
        from articles.api.filters import ArticleFilter

        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        urls = self.urls(*random_world)
        cursors = [f"/api/v1/articles/?person={random_world[0][0].slug}&pagination=cursor&page_size=4",
                   "/api/v1/articles/?mentioned_after=2024-01-01&pagination=cursor&page_size=3"]
        indexed = {url: api.get(url).json() for url in urls}
        walked = {url: self.walk_cursor(api, url) for url in cursors}
        assert any(len(data["results"]) > 2 for data in indexed.values())
        monkeypatch.setattr(ArticleFilter, "facet_query", lambda self: None)
        assert {url: api.get(url).json() for url in urls} == indexed
        assert {url: self.walk_cursor(api, url) for url in cursors} == walked

    def test_a_list_the_index_serves_builds_no_queryset_of_the_visible_articles(
            self, api, random_world, monkeypatch, settings):
        from articles.api import selectors

        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        built, articles_for = [], selectors.articles_for
        monkeypatch.setattr(selectors, "articles_for", lambda user: built.append(user) or articles_for(user))
        person = random_world[0][0].slug
        assert slugs(api.get(f"/api/v1/articles/?person={person}")) and built == []
        assert slugs(api.get(f"/api/v1/articles/?person={person}&ordering=headline"))  # the ORM's
        assert len(built) == 1
        assert api.get("/api/v1/articles/?person=nobody").status_code == 400
