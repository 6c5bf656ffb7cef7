import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("pw")

    @factory.post_generation
    def group(self, create, name, **kwargs):
        if create and name:
            if not Group.objects.filter(name=name).exists():
                # A transactional test flushed the groups the migration made.
                from django.apps import apps

                from articles.roles import sync_groups

                sync_groups(apps)
            self.groups.add(Group.objects.get(name=name))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"The Daily {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Person Number{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Place

    name = factory.Sequence(lambda n: f"Place {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Topic

    name = factory.Sequence(lambda n: f"Topic {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    headline = factory.Sequence(lambda n: f"Headline number {n}")
    standfirst = "A short summary."
    body = "First paragraph about Cambodia and Japan.\n\nSecond paragraph."
    source = factory.SubFactory(SourceFactory)
    status = models.Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))


class DraftFactory(ArticleFactory):
    status = models.Article.Status.DRAFT
    published_at = None


class PersonTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArticlePerson

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)
    state = models.TagState.ACCEPTED


class TopicTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArticleTopic

    article = factory.SubFactory(ArticleFactory)
    topic = factory.SubFactory(TopicFactory)
    state = models.TagState.ACCEPTED


class DateMentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DateMention

    article = factory.SubFactory(ArticleFactory)
    text = "July 5-6"
    date_from = datetime.date(2024, 7, 5)
    date_to = datetime.date(2024, 7, 6)
    precision = models.DateMention.Precision.DAY
    value = "2024-07-05"
    state = models.TagState.ACCEPTED


class OrganisationTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArticleOrganisation

    article = factory.SubFactory(ArticleFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    state = models.TagState.ACCEPTED


class PlaceTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArticlePlace

    article = factory.SubFactory(ArticleFactory)
    place = factory.SubFactory(PlaceFactory)
    state = models.TagState.ACCEPTED


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Byline

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Correction

    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version misspelled a name."


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Role

    person = factory.SubFactory(PersonFactory)
    title = "Minister"
