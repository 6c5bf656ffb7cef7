"""
What a record's public page reads (a person, an organisation, a place or a
topic): which records have a page, and the page's statements, prepared once
per process (articles.statements).

A record's page asks the same questions on every request: the record by its
slug, its articles a page at a time as stored cards (articles.renditions),
and, by kind, a person's roles and bylines or a topic's place in the tree.
Built and compiled by the ORM per request, those querysets were most of the
page's time; here they are built once, from the same definitions as
everywhere (live_q(), in_live_coverage(), the kept counts), and each request
only binds its time, its record and its page.
"""

from django.db import router
from django.db.models import F, Q, Subquery
from django.db.models.functions import Coalesce

from . import coverage, facets
from .models import (
    Article,
    Byline,
    Organisation,
    Person,
    Place,
    Role,
    Topic,
    has_live_byline,
    in_live_coverage,
)
from .renditions import rendered
from .statements import Statement

WRITTEN = 10  # a person's latest bylines shown on their page
RECORD = {"record": int}


def public_records(model, now=None):
    """The records of `model` with a public page (now, or at `now`): live
    coverage, the kept counts say for a topic (its subtree's); for a person,
    live coverage or a byline on a live article."""
    if model is Topic:
        return Topic.objects.with_live_coverage(now)
    if model is Person:
        return Person.objects.filter(Q(in_live_coverage(Person, now)) | Q(has_live_byline(now)))
    return model.objects.filter(in_live_coverage(model, now))


def attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


class RecordPage:
    """The statements of one kind of record's page."""

    def __init__(self, model):
        self.model = model
        self.record = Statement(lambda slug: model.objects.filter(slug=slug).values_list(*attnames(model)),
                                params={"slug": str})

    def get(self, slug: str, now):
        """The record with a public page at `now` (public_records()), or
        None; with `monthly`, its live articles by month (coverage.monthly()),
        which show whether it has a page without asking again (an EXISTS
        through the tags to the articles, which PostgreSQL planned afresh on
        every request)."""
        found = self.record.instances(None, slug=slug)
        if not found:
            return None
        record = found[0]
        self.read(record, now)
        return record if self.is_public(record) else None

    def read(self, record, now) -> None:
        """Set on `record` what its page reads of it at `now` and what says
        whether it has one: `monthly`."""
        record.monthly = coverage.monthly(record, now)

    def is_public(self, record) -> bool:
        return bool(record.monthly)

    def articles(self, record, unrendered, now=None):
        """The record's live articles newest first, a page at a time, from
        the facet index (articles.facets: its token's posting list, read
        from the page's position on, whether the record is on a few
        articles or on a quarter of the archive), as stored cards (or,
        without a current one, articles from `unrendered()`). Counted by
        the caller, from the kept counts."""
        token = facets.record_token(coverage.KIND[self.model], record.pk)
        return rendered(facets.FacetList(facets.Query().require(token), "card", now=now), unrendered)


class PersonPage(RecordPage):
    def __init__(self):
        super().__init__(Person)
        self.roles = Statement(
            lambda record: Role.objects.filter(person=record)
            .order_by(F("start_date").asc(nulls_first=True), "pk")
            .values_list(*attnames(Role), "organisation__name", "country__name"),
            params=RECORD)
        # Ordered by an expression no index gives, so that the person's few
        # bylines lead: PostgreSQL would otherwise walk the archive newest
        # first looking for them, through every article for a person with none.
        newest = Coalesce(F("published_at"), F("published_at")).desc()
        self.written = Statement(
            lambda now, record: Article.objects.live(now=now)
            .filter(pk__in=Byline.objects.filter(person=record).values("article_id"))
            .order_by(newest, "-pk").values_list("id", "slug", "headline", "published_at")[:WRITTEN],
            params=RECORD)

    def read(self, person, now) -> None:
        """`monthly`, and `written`: the person's latest live bylines."""
        super().read(person, now)
        person.written = self.written_by(person, now)

    def is_public(self, person) -> bool:
        """Live coverage, or a live byline."""
        return bool(person.monthly or person.written)

    def roles_of(self, person) -> list[Role]:
        """The person's roles, earliest first, with their organisation's
        and country's names (what a role reads as)."""
        names, using = attnames(Role), router.db_for_read(Role)
        width = len(names)
        roles = []
        for row in self.roles.rows(None, record=person.pk):
            role = Role.from_db(using, names, row[:width])
            organisation, country = row[width:]
            if role.organisation_id:
                role.organisation = Organisation(pk=role.organisation_id, name=organisation)
            if role.country_id:
                role.country = Place(pk=role.country_id, name=country)
            roles.append(role)
        return roles

    def written_by(self, person, now) -> list[Article]:
        """The person's latest live articles as a byline, newest first."""
        return self.written.instances(now, record=person.pk)


class TopicPage(RecordPage):
    def __init__(self):
        super().__init__(Topic)
        fields = ("id", "name", "slug", "path", "parent_id")
        # The topics whose path begins the record's, above it: its ancestors.
        self.ancestors = Statement(
            lambda record: Topic.objects.alias(
                below=Subquery(Topic.objects.filter(pk=record).values("path")))
            .filter(below__startswith=F("path")).exclude(pk=record)
            .order_by("path").values_list(*fields),
            params=RECORD)
        self.subtopics = Statement(
            lambda now, record: Topic.objects.filter(parent=record).with_live_coverage(now)
            .values_list(*fields),
            params=RECORD)

    def ancestors_of(self, topic) -> list[Topic]:
        return self.ancestors.instances(None, record=topic.pk)

    def subtopics_of(self, topic, now) -> list[Topic]:
        """The topic's children with live coverage (in their subtrees)."""
        return self.subtopics.instances(now, record=topic.pk)


PAGES = {Person: PersonPage(), Organisation: RecordPage(Organisation), Place: RecordPage(Place),
         Topic: TopicPage()}
