"""Data shared by the tests of the public site."""

import datetime

from django.utils import timezone

from articles import models
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    DateMentionFactory,
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

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def collection_of(articles, *, name="Top stories", featured=True):
    collection = models.Collection.objects.create(name=name, featured=featured)
    for position, article in enumerate(articles):
        models.CollectionItem.objects.create(collection=collection, article=article, position=position)
    return collection


def build_world(n: int, name: str = "Shared") -> dict:
    """`n` live articles sharing a person, an organisation, a place and a
    topic (through a sub-topic too), each with tags, dates, a byline and a
    correction of its own, all in the featured collection."""
    now = timezone.now()
    person = PersonFactory(name=f"{name} Person")
    RoleFactory(person=person, title="Prime Minister", start_date=datetime.date(2020, 1, 1))
    organisation = OrganisationFactory(name=f"{name} Organisation")
    place = PlaceFactory(name=f"{name} Place")
    topic = TopicFactory(name=f"{name} Topic")
    subtopic = TopicFactory(name=f"{name} Subtopic", parent=topic)
    reporter = PersonFactory(name=f"{name} Reporter")
    articles = []
    for i in range(n):
        article = ArticleFactory(
            headline=f"{name} article {i} about Cambodia", published_at=now - (i + 1) * DAY,
            original_url="https://example.org/original", dateline=place,
        )
        PersonTagFactory(article=article, person=person, relation="about")
        PersonTagFactory(article=article)
        PersonTagFactory(article=article, state=models.TagState.SUGGESTED)
        OrganisationTagFactory(article=article, organisation=organisation)
        OrganisationTagFactory(article=article)
        PlaceTagFactory(article=article, place=place)
        PlaceTagFactory(article=article)
        TopicTagFactory(article=article, topic=topic if i % 2 else subtopic)
        TopicTagFactory(article=article)
        DateMentionFactory(article=article)
        DateMentionFactory(article=article, text="2023", value="2023", precision="year",
                           date_from=datetime.date(2023, 1, 1), date_to=datetime.date(2023, 12, 31))
        BylineFactory(article=article, person=reporter)
        CorrectionFactory(article=article)
        articles.append(article)
    collection_of(articles, name=f"{name} collection")
    return {"articles": articles, "person": person, "organisation": organisation, "place": place,
            "topic": topic, "subtopic": subtopic, "reporter": reporter}
