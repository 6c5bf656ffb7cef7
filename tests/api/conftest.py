import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Relation, Role, TagState
from tests.factories import (
    ArticleFactory,
    DateMentionFactory,
    DraftFactory,
    OrganisationFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    SourceFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_cache_and_no_throttle(settings):
    """Each test starts with an empty page cache and no throttle (its own
    tests set a rate); the local-memory cache outlives the test database."""
    settings.API_ANON_RATE = None
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    """A client authenticated as a real API client is: with a token."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


@pytest.fixture
def reporter(db):
    return UserFactory(username="reporter", group="Reporter")


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", group="Editor")


@pytest.fixture
def publisher(db):
    return UserFactory(username="publisher", group="Publisher")


@pytest.fixture
def as_reporter(reporter):
    return client_for(reporter)


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.fixture
def as_publisher(publisher):
    return client_for(publisher)


class World:
    """A small newsroom: two live articles, a draft, an embargoed and a
    scheduled one, with tags of every kind and state."""

    def __init__(self):
        self.daily = SourceFactory(name="Phnom Penh Daily")
        self.wire = SourceFactory(name="Asia Wire")
        self.hun_sen = PersonFactory(name="Hun Sen", sort_name="Hun Sen")
        self.kamikawa = PersonFactory(name="Yoko Kamikawa", sort_name="Kamikawa, Yoko")
        self.secret = PersonFactory(name="Only In Drafts")
        self.reporter_person = PersonFactory(name="Sok Chea")
        self.asean = OrganisationFactory(name="ASEAN")
        self.cambodia = PlaceFactory(name="Cambodia", kind="country")
        self.phnom_penh = PlaceFactory(name="Phnom Penh", kind="city", parent=self.cambodia)
        self.politics = TopicFactory(name="Politics")
        self.diplomacy = TopicFactory(name="Diplomacy", parent=self.politics)
        self.economy = TopicFactory(name="Economy")
        Role.objects.create(person=self.hun_sen, title="Prime Minister", country=self.cambodia,
                            start_date=datetime.date(1985, 1, 14),
                            end_date=datetime.date(2023, 8, 22))
        Role.objects.create(person=self.hun_sen, title="President of the Senate",
                            start_date=datetime.date(2024, 4, 3))
        self.hun_sen.aliases.create(name="Samdech Techo Hun Sen")

        self.visit = ArticleFactory(
            headline="Kamikawa meets Hun Sen in Phnom Penh", source=self.daily,
            body="Japan's foreign minister met Hun Sen.\n\nThey spoke of trade.",
            captions="Kamikawa arrives. Photo: AP\nHun Sen greets her.",
            published_at=NOW - 2 * DAY, dateline=self.phnom_penh,
        )
        self.visit.byline_set.create(person=self.reporter_person)
        PersonTagFactory(article=self.visit, person=self.hun_sen, relation=Relation.ABOUT)
        PersonTagFactory(article=self.visit, person=self.kamikawa)
        self.visit.organisation_tags.create(organisation=self.asean, state=TagState.ACCEPTED)
        self.visit.place_tags.create(place=self.phnom_penh, state=TagState.ACCEPTED)
        TopicTagFactory(article=self.visit, topic=self.diplomacy)
        self.visit_date = DateMentionFactory(article=self.visit, label="The visit")
        self.suggested = PersonTagFactory(article=self.visit, person=self.secret,
                                          state=TagState.SUGGESTED, confidence=0.6)
        self.visit.corrections.create(text="An earlier version misspelt Kamikawa.")

        self.budget = ArticleFactory(
            headline="Budget passes the Senate", source=self.wire, published_at=NOW - 5 * DAY,
            body="The Senate passed the budget for 2025.",
        )
        PersonTagFactory(article=self.budget, person=self.hun_sen)
        TopicTagFactory(article=self.budget, topic=self.economy)
        self.budget_date = DateMentionFactory(
            article=self.budget, text="2025", date_from=datetime.date(2025, 1, 1),
            date_to=datetime.date(2025, 12, 31), precision="year", value="2025",
        )

        self.draft = DraftFactory(headline="Secret draft about Hun Sen", source=self.daily)
        PersonTagFactory(article=self.draft, person=self.secret)
        DateMentionFactory(article=self.draft, text="in 1990", date_from=datetime.date(1990, 1, 1),
                           date_to=datetime.date(1990, 12, 31), precision="year", value="1990")
        self.embargoed = ArticleFactory(headline="Embargoed results", embargo_until=NOW + DAY)
        self.scheduled = ArticleFactory(headline="Scheduled story", published_at=NOW + DAY)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def own_draft(reporter):
    """A draft the reporter wrote."""
    return DraftFactory(headline="A reporter's draft", created_by=reporter)
