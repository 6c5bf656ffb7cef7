import pytest
from django.contrib.auth.models import AnonymousUser

from articles.api import selectors
from articles.models import Person, Place, TagState
from tests.factories import ArticleFactory, PersonTagFactory, PlaceFactory

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()


def test_a_person_tagged_only_in_an_embargoed_article_is_not_public(world, editor):
    PersonTagFactory(article=world.embargoed, person=world.secret)
    assert world.secret not in selectors.records_for(Person, PUBLIC)
    assert world.secret in selectors.records_for(Person, editor)


def test_a_suggested_tag_does_not_make_a_record_public(world):
    assert world.secret not in selectors.records_for(Person, PUBLIC)
    world.suggested.state = TagState.ACCEPTED
    world.suggested.save()
    assert world.secret in selectors.records_for(Person, PUBLIC)


def test_bylines_and_datelines_of_live_articles_are_coverage(world):
    assert world.reporter_person in selectors.records_for(Person, PUBLIC)
    datelined = PlaceFactory(name="Siem Reap")
    ArticleFactory(dateline=datelined)
    assert datelined in selectors.records_for(Place, PUBLIC)


def test_live_article_counts_ignore_drafts_and_unaccepted_tags(world):
    PersonTagFactory(article=world.draft, person=world.hun_sen)
    PersonTagFactory(article=world.scheduled, person=world.kamikawa, state=TagState.REJECTED)
    counts = dict(selectors.people_for(PUBLIC).values_list("slug", "live_articles"))
    assert counts["hun-sen"] == 2 and counts["yoko-kamikawa"] == 1


def test_editors_see_every_article_and_the_public_live_ones(world, editor):
    assert selectors.articles_for(editor).count() == 5
    assert set(selectors.articles_for(PUBLIC)) == {world.visit, world.budget}
