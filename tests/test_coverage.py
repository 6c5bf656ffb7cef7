"""
Coverage counts (articles/coverage.py): whatever happens to articles, tags
and topics, the kept counts are what counting the live articles gives.
"""

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import coverage, curation
from articles.charts import monthly_counts
from articles.models import Article, ArticleCoverage, ArticlePerson, Coverage, TagState
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    OrganisationTagFactory,
    PersonFactory,
    PersonTagFactory,
    PlaceTagFactory,
    TopicFactory,
    TopicTagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def live_of(record):
    articles = Article.objects.live()
    tagged = {"person": articles.for_person, "organisation": articles.for_organisation,
              "place": articles.for_place, "topic": articles.for_topic}
    return tagged[coverage.KIND[type(record)]](record)


def assert_counts_right(*records):
    assert coverage.monthly() == monthly_counts(Article.objects.live())
    for record in records:
        assert coverage.monthly(record) == monthly_counts(live_of(record)), record


@pytest.fixture
def world():
    now = timezone.now()
    people = PersonFactory.create_batch(3)
    parent = TopicFactory(name="Defence")
    child = TopicFactory(name="Peacekeeping", parent=parent)
    other = TopicFactory(name="Trade")
    articles = [ArticleFactory(published_at=now - (40 * i + 1) * DAY) for i in range(6)]
    for i, article in enumerate(articles):
        PersonTagFactory(article=article, person=people[i % 3])
        TopicTagFactory(article=article, topic=child if i % 2 else parent)
    # One article in both a topic and its sub-topic: counted once in the parent.
    TopicTagFactory(article=articles[1], topic=parent)
    return {"people": people, "topics": [parent, child, other], "articles": articles}


def records(world):
    return [*world["people"], *world["topics"]]


def test_counts_follow_every_kind_of_change(world):
    people, (parent, child, other), articles = world["people"], world["topics"], world["articles"]
    user = UserFactory(is_superuser=True)
    assert_counts_right(*records(world))
    assert sum(coverage.monthly(parent).values()) == 6

    # Tags accepted, rejected, deleted, suggested, added by hand.
    tag = PersonTagFactory(article=articles[0], person=people[1], state=TagState.SUGGESTED)
    assert_counts_right(*records(world))
    curation.accept(tag, user=user)
    assert_counts_right(*records(world))
    curation.reject(tag, user=user)
    assert_counts_right(*records(world))
    ArticlePerson.objects.filter(article=articles[2]).delete()
    assert_counts_right(*records(world))

    # Withdrawn, republished at another time, scheduled, embargoed, a draft.
    articles[3].status = Article.Status.ARCHIVED
    articles[3].save()
    assert_counts_right(*records(world))
    articles[3].status, articles[3].published_at = Article.Status.PUBLISHED, timezone.now() - 400 * DAY
    articles[3].save()
    assert_counts_right(*records(world))
    articles[4].published_at = timezone.now() + 3 * DAY
    articles[4].save()
    articles[5].embargo_until = timezone.now() + DAY
    articles[5].save()
    assert_counts_right(*records(world))
    draft = DraftFactory()
    PersonTagFactory(article=draft, person=people[0])
    assert_counts_right(*records(world))

    # A topic moved under another: its articles count there now.
    child.parent = other
    child.save()
    assert_counts_right(*records(world))

    # People merged; an article deleted.
    curation.merge_people(survivor=people[0], duplicate=people[1], user=user)
    assert_counts_right(people[0], people[2], parent, child, other)
    articles[0].delete()
    assert_counts_right(people[0], people[2], parent, child, other)
    assert not Coverage.objects.filter(articles__lt=0).exists()


def test_counts_stay_right_under_random_changes(world):
    rng = random.Random(7)
    people, topics, articles = world["people"], world["topics"], world["articles"]
    for _ in range(60):
        article = rng.choice(articles)
        action = rng.randrange(5)
        if action == 0:
            article.status = rng.choice([Article.Status.PUBLISHED, Article.Status.ARCHIVED,
                                         Article.Status.DRAFT])
            article.published_at = timezone.now() - rng.randrange(-3, 900) * DAY
            article.save()
        elif action == 1:
            PersonTagFactory(article=article, person=rng.choice(people),
                             state=rng.choice(list(TagState))) if not ArticlePerson.objects.filter(
                article=article).exists() else ArticlePerson.objects.filter(article=article).delete()
        elif action == 2:
            for tag in ArticlePerson.objects.filter(article=article):
                tag.state = rng.choice(list(TagState))
                tag.save()
        elif action == 3:
            OrganisationTagFactory(article=article)
            PlaceTagFactory(article=article, state=TagState.SUGGESTED)
        else:
            TopicTagFactory(article=article, topic=TopicFactory(parent=rng.choice(topics)))
    assert_counts_right(*records(world))


def test_a_suggestion_on_a_published_article_recounts_nothing(world):
    article = world["articles"][0]
    with CaptureQueriesContext(connection) as queries:
        PersonTagFactory(article=article, person=world["people"][2], state=TagState.SUGGESTED)
    counting = [q for q in queries if "articlecoverage" in q["sql"].lower()]
    assert len(counting) == 1  # the one look at what the article adds; no recount


def test_rebuild_and_check(world, capsys):
    kept = {r.pk: coverage.monthly(r) for r in records(world)}
    Coverage.objects.update(articles=0)
    with pytest.raises(CommandError, match="wrong for .* month"):
        call_command("build_coverage", "--check")
    call_command("build_coverage")
    assert "Counted 6 published article(s) of 6." in capsys.readouterr().out
    assert {r.pk: coverage.monthly(r) for r in records(world)} == kept
    call_command("build_coverage", "--check")
    assert "The kept counts are right: 6 live articles" in capsys.readouterr().out


def test_what_an_article_adds_is_stored(world):
    parent, child, _ = world["topics"]
    stored = ArticleCoverage.objects.get(article=world["articles"][1])
    keys = set(stored.keys.split())
    assert {coverage.ARCHIVE, f"topic:{parent.pk}", f"topic:{child.pk}",
            f"person:{world['people'][1].pk}"} == keys
    assert stored.month == coverage.month_of(world["articles"][1].published_at)
    assert not ArticleCoverage.objects.filter(article__status=Article.Status.DRAFT).exists()


def test_an_accepted_tag_turned_down_is_taken_off(world):
    person = world["people"][0]
    tag = ArticlePerson.objects.filter(person=person).first()
    tag.state = TagState.REJECTED
    tag.save()  # alone: not through curation, which records an edit too
    assert_counts_right(person)
    tag.state = TagState.SUGGESTED
    tag.save()
    tag.delete()
    assert_counts_right(person)
