"""
A record's page as prepared statements (articles/records.py): the same
records, articles, roles, bylines and topics as the ORM's own querysets give,
judged at the time asked.
"""

import datetime

import pytest
from django.utils import timezone

from articles import renditions
from articles.models import Article, Person, Role, TagState, Topic
from articles.records import PAGES, public_records
from articles.views import public_articles
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    DraftFactory,
    OrganisationFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceFactory,
    PlaceTagFactory,
    RoleFactory,
    TopicFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now()


def test_only_records_with_a_public_page_are_found_each_at_its_time(now):
    tagged, scheduled_only, draft_only, suggested_only, reporter, nobody = PersonFactory.create_batch(6)
    PersonTagFactory(person=tagged, article=ArticleFactory(published_at=now - HOUR))
    PersonTagFactory(person=scheduled_only, article=ArticleFactory(published_at=now + 2 * HOUR))
    PersonTagFactory(person=draft_only, article=DraftFactory())
    PersonTagFactory(person=suggested_only, state=TagState.SUGGESTED, article=ArticleFactory())
    BylineFactory(person=reporter, article=ArticleFactory(published_at=now - HOUR))
    page = PAGES[Person]
    found = {person.pk for person in Person.objects.all() if page.get(person.slug, now)}
    assert found == {tagged.pk, reporter.pk} == set(public_records(Person).values_list("pk", flat=True))
    assert page.get(scheduled_only.slug, now + 3 * HOUR) == scheduled_only
    assert page.get(nobody.slug, now) is None and page.get("no-such-person", now) is None
    record = page.get(tagged.slug, now)
    assert (record.name, record.slug, record.sort_name) == (tagged.name, tagged.slug, tagged.sort_name)


@pytest.mark.parametrize("factory,tag", [(OrganisationFactory, OrganisationTagFactory),
                                         (PlaceFactory, PlaceTagFactory)])
def test_organisations_and_places_have_a_page_with_live_coverage(now, factory, tag):
    shown, hidden = factory.create_batch(2)
    field = shown._meta.model_name
    tag(article=ArticleFactory(published_at=now - HOUR), **{field: shown})
    tag(article=DraftFactory(), **{field: hidden})
    page = PAGES[type(shown)]
    assert page.get(shown.slug, now) == shown and page.get(hidden.slug, now) is None


def test_a_records_articles_are_the_orms_newest_first(now):
    person = PersonFactory()
    articles = [ArticleFactory(published_at=now - n * HOUR) for n in range(1, 8)]
    for article in articles:
        PersonTagFactory(person=person, article=article)
    PersonTagFactory(person=person, article=ArticleFactory(published_at=now + HOUR))
    renditions.build([a.pk for a in articles[:4]])
    listed = PAGES[Person].articles(person, public_articles, now)
    items = listed[0:5] + listed[5:10]
    expected = list(Article.objects.live().for_person(person).values_list("pk", flat=True))
    assert len(items) == len(expected) == 7
    # Stored cards for the rendered, the articles themselves for the others.
    assert all(isinstance(item, str) for item in items[:4])
    assert [item.pk for item in items[4:]] == expected[4:]
    for item, article in zip(items[:4], articles[:4]):
        assert article.slug in item
    assert listed.count_at_most(100) == 7 and listed.count_at_most(3) == 3


def test_a_topics_articles_include_its_subtopics(now):
    top = TopicFactory()
    child = TopicFactory(parent=top)
    grandchild = TopicFactory(parent=child)
    elsewhere = TopicFactory()
    for topic in (top, child, grandchild, elsewhere):
        TopicTagFactory(topic=topic, article=ArticleFactory(published_at=now - HOUR))
    items = PAGES[Topic].articles(child, public_articles, now)[0:10]
    assert {item.pk for item in items} == set(
        Article.objects.live().for_topic(child).values_list("pk", flat=True))
    assert len(items) == 2


def test_a_topics_ancestors_and_subtopics(now):
    top = TopicFactory(name="Defence")
    middle = TopicFactory(name="Peacekeeping", parent=top)
    bottom = TopicFactory(name="Demining", parent=middle)
    quiet = TopicFactory(name="Quiet", parent=middle)
    sibling = TopicFactory(name="Sibling", parent=top)
    TopicTagFactory(topic=bottom, article=ArticleFactory(published_at=now - HOUR))
    TopicTagFactory(topic=quiet, article=ArticleFactory(published_at=now + HOUR))
    TopicTagFactory(topic=sibling, article=ArticleFactory(published_at=now - HOUR))
    page = PAGES[Topic]
    assert page.ancestors_of(bottom) == [top, middle]
    assert [t.name for t in page.ancestors_of(bottom)] == ["Defence", "Peacekeeping"]
    assert page.ancestors_of(top) == []
    assert page.subtopics_of(middle, now) == [bottom]
    assert page.subtopics_of(middle, now + 2 * HOUR) == [bottom, quiet]
    assert page.subtopics_of(top, now) == list(Topic.objects.filter(parent=top).with_live_coverage())


def test_a_persons_roles_read_as_the_orms(now):
    person = PersonFactory()
    cambodia = PlaceFactory(name="Cambodia")
    senate = OrganisationFactory(name="Senate")
    RoleFactory(person=person, title="President", organisation=senate,
                start_date=datetime.date(2024, 4, 3))
    RoleFactory(person=person, title="Prime Minister", country=cambodia,
                start_date=datetime.date(1985, 1, 14), end_date=datetime.date(2023, 8, 22))
    RoleFactory(person=person, title="Adviser")
    RoleFactory(title="Someone else's")
    roles = PAGES[Person].roles_of(person)
    assert [str(role) for role in roles] == [
        "Adviser", "Prime Minister, Cambodia", "President, Senate"]
    assert [(r.start_date, r.end_date) for r in roles] == [
        (None, None), (datetime.date(1985, 1, 14), datetime.date(2023, 8, 22)),
        (datetime.date(2024, 4, 3), None)]
    assert all(isinstance(role, Role) for role in roles)


def test_a_persons_bylines_are_their_latest_live_articles(now):
    reporter = PersonFactory()
    written = [ArticleFactory(published_at=now - n * HOUR) for n in range(1, 14)]
    for article in written:
        BylineFactory(person=reporter, article=article)
    BylineFactory(person=reporter, article=DraftFactory())
    BylineFactory(person=reporter, article=ArticleFactory(published_at=now + HOUR))
    shown = PAGES[Person].written_by(reporter, now)
    assert [a.pk for a in shown] == [a.pk for a in written[:10]]
    assert [(a.headline, a.slug, a.published_at) for a in shown[:2]] == [
        (a.headline, a.slug, a.published_at) for a in written[:2]]
