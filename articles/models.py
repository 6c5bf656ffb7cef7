"""
The editorial data model.

Articles are tagged through one through-model per kind of tag (people,
organisations, places, topics, date mentions). Every tag row carries its
provenance: state (suggested, accepted, rejected), origin (an editor or the
tagger and its version), confidence, the evidence spans in the article text,
and who decided when. Only accepted tags of live articles are public; "live" is
defined once, in live_q(), which ArticleQuerySet.live() applies to articles and
TagQuerySet.public() (and the other record selectors) across the relation.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, IsNull, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .tagging.cleaning import content_hash

wikidata_validator = RegexValidator(r"^Q[1-9][0-9]*$", "Enter a Wikidata id such as Q312506.")

# The publication times the archive holds (the facet index orders articles
# by their second within them: articles.facets.position).
PUBLICATION_YEARS = (1000, 2999)


def validate_publication_time(value) -> None:
    if value is not None and not PUBLICATION_YEARS[0] <= value.year <= PUBLICATION_YEARS[1]:
        raise ValidationError(
            f"Give a publication time between the years {PUBLICATION_YEARS[0]} and "
            f"{PUBLICATION_YEARS[1]}.", code="publication_year")


def name_key(name: str) -> str:
    """The form under which names and aliases must be unique: case, accents,
    apostrophes, dashes and spacing do not make two names different."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u2018\u2019'`\u00b4.]", "", text)
    text = re.sub(r"[\s\-\u2010-\u2015]+", " ", text)
    return text.strip().casefold()


def unique_slug(model, value: str, *, instance=None, max_length: int = 200) -> str:
    base = slugify(value)[: max_length - 8].strip("-") or model._meta.model_name
    slug, n = base, 2
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    while others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Source(TimeStamped):
    """A publication articles come from."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    homepage_url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.name, instance=self)
        super().save(*args, **kwargs)


# --- Authority lists: people, organisations, places --------------------------


class AuthorityRecord(TimeStamped):
    """Common shape of the authority lists: a name, a slug, aliases, Wikidata."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    key = models.CharField(max_length=200, unique=True, editable=False)
    description = models.TextField(blank=True)
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[wikidata_validator]
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.key = name_key(self.name)
        if not self.key:
            raise ValidationError({"name": "A name is required."})
        clash = self.name_clash(self.key)
        if clash:
            raise ValidationError({"name": clash})

    def name_clash(self, key: str) -> str | None:
        """Why `key` cannot name this record, or None: a name or alias maps to
        one record only."""
        model = type(self)
        alias_model = self.aliases.model
        others = model._default_manager.filter(key=key)
        if self.pk:
            others = others.exclude(pk=self.pk)
        other = others.first()
        if other:
            return f"“{other.name}” already has this name."
        alias = alias_model._default_manager.filter(key=key).exclude(record_id=self.pk).first()
        if alias:
            return f"“{alias.name}” is already an alias of {alias.record.name}."
        return None

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, instance=self)
        super().save(*args, **kwargs)

    @classmethod
    def named(cls, name: str):
        """The record with this name or alias, or None."""
        key = name_key(name)
        return cls._default_manager.filter(Q(key=key) | Q(aliases__key=key)).first()

    @property
    def all_names(self) -> list[str]:
        return [self.name, *(a.name for a in self.aliases.all())]


class Alias(models.Model):
    """Another form of a record's name seen in text."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)
    confirmed_by_editor = models.BooleanField(
        default=False, help_text="Added when an editor confirmed this form by hand."
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.key = name_key(self.name)
        if not self.key:
            raise ValidationError({"name": "An alias cannot be empty."})
        record_model = self._meta.get_field("record").related_model
        owner = record_model._default_manager.filter(key=self.key).first()
        if owner and owner.pk != self.record_id:
            raise ValidationError({"name": f"“{self.name}” is the name of {owner.name}."})
        if owner and owner.pk == self.record_id:
            raise ValidationError({"name": "An alias must differ from the record's own name."})
        others = type(self)._default_manager.filter(key=self.key)
        if self.pk:
            others = others.exclude(pk=self.pk)
        other = others.select_related("record").first()
        if other:
            raise ValidationError(
                {"name": f"“{self.name}” is already an alias of {other.record.name}."}
            )

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class Person(AuthorityRecord):
    """A person in the authority list: the subjects of coverage and the reporters."""

    sort_name = models.CharField(
        max_length=200, blank=True, help_text="How the name sorts, e.g. “Kamikawa, Yoko”."
    )

    class Meta(AuthorityRecord.Meta):
        verbose_name_plural = "people"
        ordering = ["sort_name", "name"]
        indexes = [models.Index(fields=["sort_name", "name"], name="person_order_idx")]

    def save(self, *args, **kwargs):
        if not self.sort_name:
            self.sort_name = self.name
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:person", kwargs={"slug": self.slug})


class PersonAlias(Alias):
    record = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = "alias"
        verbose_name_plural = "aliases"


class Organisation(AuthorityRecord):
    def get_absolute_url(self):
        return reverse("articles:organisation", kwargs={"slug": self.slug})


class OrganisationAlias(Alias):
    record = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = "alias"
        verbose_name_plural = "aliases"


class Place(AuthorityRecord):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region or province"
        CITY = "city", "City or town"
        SITE = "site", "Site or facility"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text="The place this one lies in, e.g. Cambodia for Phnom Penh.",
    )

    def get_absolute_url(self):
        return reverse("articles:place", kwargs={"slug": self.slug})


class PlaceAlias(Alias):
    record = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name = "alias"
        verbose_name_plural = "aliases"


class Role(models.Model):
    """A position a person held over a period: Hun Sen, Prime Minister of
    Cambodia until August 2023, President of the Senate from April 2024."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="roles"
    )
    country = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="roles"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Empty while in office.")

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="role_ends_after_start",
            )
        ]

    def __str__(self):
        where = self.organisation or self.country
        return f"{self.title}, {where}" if where else self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A role cannot end before it starts."})

    def held_on(self, day) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )


# --- Topics ------------------------------------------------------------------


class CountRows(models.Func):
    """COUNT(*) over a subquery's rows, without GROUP BY."""

    template = "COUNT(*)"
    output_field = IntegerField()


class TopicQuerySet(models.QuerySet):
    def descendants_of(self, topic, *, include_self=True):
        qs = self.filter(path__startswith=topic.path)
        return qs if include_self else qs.exclude(pk=topic.pk)

    def annotate_live_articles(self):
        """n_articles: the live articles of each topic and its sub-topics,
        each counted once (accepted tags only). A count per topic: for lists
        that show the counts; to know which topics are public, use
        with_live_coverage(), which stops at the first live article."""
        return self.annotate(n_articles=kept_live_count("topic"))

    def with_live_coverage(self, now=None):
        """The topics the public sees (now, or at `now`): those whose subtree
        has live coverage, as the kept counts give it (articles.coverage: two
        index lookups a topic, where an EXISTS would join the subtree's tags
        to the articles)."""
        return (self.alias(live_articles_kept=kept_live_count("topic", now))
                .filter(live_articles_kept__gt=0))

    def with_live_counts(self):
        """The topics of with_live_coverage(), annotated with n_articles."""
        return self.annotate_live_articles().filter(n_articles__gt=0)


class Topic(TimeStamped):
    """A node of the topic hierarchy. `path` ("/3/17/") is derived on save so
    that a topic and all its sub-topics are one indexed prefix query."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, editable=False, db_index=True, default="")
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True, help_text="One keyword or phrase per line; used to suggest this topic."
    )
    iptc_uri = models.URLField(
        "IPTC Media Topic URI", blank=True,
        help_text="e.g. http://cv.iptc.org/newscodes/mediatopic/20000638",
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_per_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.splitlines() if k.strip()]

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A topic cannot be its own ancestor."})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, self.name, instance=self)
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.pk}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in Topic.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = self.path + child.path[len(old_path):]
                child.save(update_fields=["path"])

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


# --- Articles ----------------------------------------------------------------


class Unindexed(models.Func):
    """The column as it is; on SQLite written `+column`, which SQLite may not
    answer from an index (its documented way to steer the planner)."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def live_q(prefix: str = "", now=None) -> Q:
    """The one definition of what the public may see: published, its
    publication time reached, its embargo (if any) lifted.

    `prefix` applies it across a relation ("article__"): a join, checked on
    each article reached from the other side's index (a tag's record, a
    byline's person). There, SQLite would rather start from the articles'
    (status, published_at) index and read every live article to find the
    few tagged with a rare record: its conditions are kept off that index.

    On the articles themselves the publication-time bound is kept off the
    index too: SQLite ranges an index scan by one upper bound only, the first
    it meets, and with this one first a cursor's or an archive's tighter
    bound (published before 2010) would scan down from today through every
    later article. The (status, published_at) index still serves the status
    and the newest-first order; the cost is skipping the few articles
    scheduled for later.

    `now` is the time to judge by, the current time unless given (a
    prepared statement, articles.statements, re-binds it per request)."""
    now = now or timezone.now()
    if not prefix:
        return (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)) & Q(
            Q(status=Article.Status.PUBLISHED), Q(LessThanOrEqual(Unindexed(F("published_at")), now)))

    def column(name):
        return Unindexed(F(f"{prefix}{name}"))

    return (
        (Q(IsNull(column("embargo_until"), True)) | Q(LessThanOrEqual(column("embargo_until"), now)))
        & Q(Exact(column("status"), Article.Status.PUBLISHED))
        & Q(LessThanOrEqual(column("published_at"), now))
    )


# What no list shows of an article: its long texts.
LONG_FIELDS = ("body", "captions", "metadata_notes", "kill_notice")


class ArticleQuerySet(models.QuerySet):
    # with_renditions(): prefetch only for the articles without a current rendition.
    _prefetch_unrendered_only = False
    # live() already applied: a second application (the API's visibility, then
    # its filters) would only make the same query costlier to build.
    _live = False

    def live(self, now=None):
        """Articles the public may see (live_q), now or at `now`."""
        if self._live:
            return self._chain()
        clone = self.filter(live_q(now=now))
        clone._live = True
        return clone

    def __or__(self, other):  # a union may hold more than live articles
        combined = super().__or__(other)
        combined._live = False
        return combined

    def __xor__(self, other):
        combined = super().__xor__(other)
        combined._live = False
        return combined

    def with_renditions(self, part: str):
        """For lists: the articles with their stored renditions
        (articles.renditions), of which `part` ("api" or "card") is read.
        This queryset's prefetches, what the list shows of an article, then
        run for the articles without a current rendition only: a page of
        rendered articles costs one query, and one without costs what it did."""
        unread = {"api": "card", "card": "api"}[part]
        clone = self.select_related("rendition").defer(f"rendition__{unread}", *LONG_FIELDS)
        clone._prefetch_unrendered_only = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._prefetch_unrendered_only = self._prefetch_unrendered_only
        clone._live = self._live
        return clone

    def _prefetch_related_objects(self):
        if not self._prefetch_unrendered_only:
            return super()._prefetch_related_objects()
        from .renditions import fresh

        unrendered = [article for article in self._result_cache if fresh(article) is None]
        models.prefetch_related_objects(unrendered, *self._prefetch_related_lookups)
        self._prefetch_done = True

    def record_edit(self, user) -> int:
        """Count a change made beside the article form (a tag decision, a
        correction, a merge of people) as an edit of these articles: their
        version moves, so that a form opened before it is refused on save
        instead of undoing it, and the presence banner names who did it. One
        UPDATE with F(): the row lock it takes is the one optimistic locking
        waits for, so concurrent edits are serialized."""
        from . import coverage, renditions

        renditions.invalidate(self.values_list("pk", flat=True))
        coverage.refresh(self.values_list("pk", flat=True))
        return self.update(version=F("version") + 1, last_edited_by=user, updated_at=timezone.now())

    # Tag filters are subqueries rather than joins, so they combine (person A
    # and person B) without duplicating rows or needing DISTINCT. (A record's
    # page and the API's filters read the facet index, articles.facets.)
    def _tagged(self, tags):
        return self.filter(pk__in=tags.values("article_id"))

    def for_person(self, person):
        return self._tagged(ArticlePerson.objects.accepted().filter(person=person))

    def for_organisation(self, organisation):
        return self._tagged(ArticleOrganisation.objects.accepted().filter(organisation=organisation))

    def for_place(self, place):
        return self._tagged(ArticlePlace.objects.accepted().filter(place=place))

    def for_topic(self, topic):
        """Articles of the topic and of all its sub-topics; `topic` a Topic,
        or its id (its path then read by the query: a prepared statement's
        parameter, articles.statements)."""
        path = (topic.path if isinstance(topic, Topic)
                else Subquery(Topic.objects.filter(pk=topic).values("path")))
        subtree = Topic.objects.filter(path__startswith=path).values("pk")
        return self._tagged(ArticleTopic.objects.accepted().filter(topic__in=subtree))

    def for_record(self, record, *, model=None):
        """for_person(), for_organisation(), for_place() or for_topic(), as
        `record` is one (or, given `model`, the id of one)."""
        method = {Person: self.for_person, Organisation: self.for_organisation, Place: self.for_place,
                  Topic: self.for_topic}[model or type(record)]
        return method(record)

    def with_tag_counts(self):
        """Annotate n_accepted and n_pending: tags of every kind, counted by
        correlated subqueries (joining five tag tables would multiply rows)."""
        def count(state):
            total = Value(0)
            for model in tag_models():
                sub = (
                    model.objects.filter(article=OuterRef("pk"), state=state)
                    .order_by().values("article").annotate(n=Count("pk")).values("n")
                )
                total = total + Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))
            return total

        return self.annotate(n_accepted=count(TagState.ACCEPTED), n_pending=count(TagState.SUGGESTED))

    def mentioning_dates(self, date_from, date_to):
        """Articles with an accepted date mention overlapping [date_from, date_to]."""
        return self.filter(
            pk__in=DateMention.objects.accepted()
            .filter(date_from__lte=date_to, date_to__gte=date_from).values("article_id")
        )


class Article(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        ARCHIVED = "archived", "Archived"
        KILLED = "killed", "Killed"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    standfirst = models.TextField(blank=True, help_text="The summary under the headline.")
    body = models.TextField(
        blank=True, help_text="Plain text; paragraphs separated by a blank line."
    )
    captions = models.TextField(
        blank=True, help_text="Photo captions and credits, one per line, kept apart from the body."
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    original_url = models.URLField(max_length=500, blank=True)
    dateline = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="datelined_articles"
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Publication time; in the future, the article is scheduled.",
        validators=[validate_publication_time],
    )
    embargo_until = models.DateTimeField(
        null=True, blank=True,
        help_text="The article cannot go live before this time, whatever else happens.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    metadata_notes = models.TextField(
        blank=True,
        help_text="How metadata was established, e.g. a publication date inferred from the text.",
    )
    content_hash = models.CharField(max_length=64, editable=False, db_index=True, default="")
    tagged_hash = models.CharField(
        max_length=80, editable=False, blank=True, default="",
        help_text="Tagger version and content hash at the last tagging; differs when re-tagging is due.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    bylines = models.ManyToManyField(
        Person, through="Byline", related_name="bylined_articles", blank=True
    )
    people = models.ManyToManyField(
        Person, through="ArticlePerson", related_name="articles", blank=True
    )
    organisations = models.ManyToManyField(
        Organisation, through="ArticleOrganisation", related_name="articles", blank=True
    )
    places = models.ManyToManyField(
        Place, through="ArticlePlace", related_name="articles", blank=True
    )
    topics = models.ManyToManyField(
        Topic, through="ArticleTopic", related_name="articles", blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    kill_notice = models.TextField(
        blank=True, editable=False,
        help_text="The public notice shown at the URL of a killed article.",
    )

    history = HistoricalRecords(excluded_fields=["content_hash", "tagged_hash"])
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Covering what live() reads, so a bounded count reads the index alone.
            models.Index(fields=["status", "published_at", "embargo_until"], name="article_live_idx"),
            models.Index(fields=["-published_at", "-id"], name="article_pub_desc_idx"),
            models.Index(fields=["source", "published_at"], name="article_source_pub_idx"),
        ]
        permissions = [
            ("review_article", "Can approve articles or send them back with changes requested"),
            ("publish_article", "Can publish, schedule, unpublish, archive, kill and correct articles"),
            ("curate_tags", "Can accept and reject tag suggestions"),
        ]

    def __str__(self):
        return self.headline

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    def text_of(self, field: str) -> str:
        if field not in EVIDENCE_FIELDS:
            raise ValueError(f"Unknown evidence field {field!r}")
        return getattr(self, field)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.headline, instance=self)
        if self.published_at is not None and self.published_at.microsecond:
            # Publication times are kept to the second: the newest-first
            # order is then the facet index's order (articles.facets.position).
            self.published_at = self.published_at.replace(microsecond=0)
        self.content_hash = content_hash(self.headline, self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "content_hash" not in update_fields:
            kwargs["update_fields"] = {*update_fields, "content_hash"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:article", kwargs={"slug": self.slug})


class ArticleRendition(models.Model):
    """An article as every list shows it, rendered once (articles.renditions):
    its API list item (JSON, with relative URLs) and its HTML card. Derived
    data, kept with the article: deleted in the transaction of any change it
    depends on and rebuilt when that transaction commits, so a list never
    shows one that is stale; a list finding none renders the article itself.
    `format` names the code and settings it was rendered with."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE,
                                   related_name="rendition")
    format = models.CharField(max_length=16)
    api = models.TextField()
    card = models.TextField()

    def __str__(self):
        return f"Rendition of article {self.article_id}"


class Coverage(models.Model):
    """How many published articles a record has each month: people,
    organisations, places, topics (an article counted once in each topic of
    its tags' subtrees) and, as kind "all", the archive itself. Derived
    data, kept by articles.coverage in the transaction of every change, so
    that a record's page charts and counts its coverage without reading its
    articles. Published articles whose time has not come (a later
    publication time, an embargo) are counted here, listed in
    PendingCoverage, and taken off by the readers until then."""

    class Kind(models.TextChoices):
        ALL = "all", "The archive"
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"
        PLACE = "place", "Place"
        TOPIC = "topic", "Topic"

    # The month of each record's row of all months: its total, read by one
    # lookup where the months would be summed.
    TOTAL = datetime.date(1, 1, 1)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    record_id = models.BigIntegerField()
    month = models.DateField()
    articles = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id", "month"], name="coverage_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.record_id}, {self.month:%Y-%m}: {self.articles}"


class ArticleCoverage(models.Model):
    """What one published article adds to Coverage, as of its last change:
    its month, its records ("all:0 person:12 topic:3") and the time it is
    live from, so that the next change takes off exactly what it added.
    Also its row of the facet index (articles.facets): its tokens and its
    position in the newest-first order."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE,
                                   related_name="coverage")
    month = models.DateField()
    keys = models.TextField()
    live_from = models.DateTimeField()
    position = models.BigIntegerField(unique=True)
    facets = models.TextField()

    class Meta:
        # The published articles not live yet, by position (the facet index
        # leaves them out): a range of the index alone.
        indexes = [models.Index(fields=["live_from", "position"], name="article_coverage_live_idx")]

    def __str__(self):
        return f"Coverage of article {self.article_id}"


class PendingCoverage(models.Model):
    """A published article counted in Coverage before it is live (published
    for later, or under embargo): one row per record it counts for, which
    readers take off the counts until `live_from`. Rows whose time has come
    are ignored, and replaced at the article's next change."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Coverage.Kind.choices)
    record_id = models.BigIntegerField()
    month = models.DateField()
    live_from = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "record_id", "live_from"], name="pending_coverage_idx")]

    def __str__(self):
        return f"{self.kind} {self.record_id}: article {self.article_id} from {self.live_from}"


class Byline(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        CONTRIBUTOR = "contributor", "Contributor"
        PHOTOGRAPHER = "photographer", "Photographer"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="byline_set")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="byline_set")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "role"], name="byline_unique_person_role"
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


# --- Tags with provenance ----------------------------------------------------

EVIDENCE_FIELDS = ("headline", "standfirst", "body")


class TagState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class TagOrigin(models.TextChoices):
    EDITOR = "editor", "Editor"
    TAGGER = "tagger", "Automatic tagger"


class Relation(models.TextChoices):
    """schema.org: the article is `about` its subjects and `mentions` others."""

    ABOUT = "about", "About"
    MENTIONS = "mentions", "Mentions"


class TagQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(state=TagState.ACCEPTED)

    def suggested(self):
        return self.filter(state=TagState.SUGGESTED)

    def accepted_of_articles(self):
        """accepted(), to fetch the tags of a few given articles (prefetches):
        the state is kept off the indexes, so that the (article, state) index
        leads. Otherwise SQLite may walk an index whose order matches the
        ORDER BY (date mentions by date) through every accepted tag."""
        return self.filter(Exact(Unindexed(F("state")), TagState.ACCEPTED))

    def public(self, now=None):
        """Accepted tags of live articles: what readers and API clients see."""
        return self.accepted().filter(live_q("article__", now))


def validate_evidence(evidence) -> None:
    """Evidence is a list of spans: {"start": int, "end": int, "text": str},
    with an optional "field" (headline, standfirst or body; body by default)."""
    if not isinstance(evidence, list):
        raise ValidationError("Evidence must be a list of spans.")
    for span in evidence:
        if not isinstance(span, dict):
            raise ValidationError("Each evidence span must be an object.")
        start, end = span.get("start"), span.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            raise ValidationError(f"Span {span!r} needs integer offsets with 0 <= start < end.")
        if not isinstance(span.get("text"), str):
            raise ValidationError(f"Span {span!r} needs the text it covers.")
        if span.get("field", "body") not in EVIDENCE_FIELDS:
            raise ValidationError(f"Span {span!r} names an unknown field.")


class Tag(TimeStamped):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    state = models.CharField(max_length=20, choices=TagState.choices, default=TagState.SUGGESTED)
    origin = models.CharField(max_length=20, choices=TagOrigin.choices, default=TagOrigin.EDITOR)
    tagger_version = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=list, blank=True, validators=[validate_evidence])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(inherit=True)
    objects = TagQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.confidence is not None and not 0 <= self.confidence <= 1:
            raise ValidationError({"confidence": "Confidence is between 0 and 1."})
        if self.article_id and isinstance(self.evidence, list):
            for span in self.evidence:
                if not isinstance(span, dict):
                    continue
                text = self.article.text_of(span.get("field", "body"))
                if text[span.get("start", 0):span.get("end", 0)] != span.get("text"):
                    raise ValidationError(
                        {"evidence": f"“{span.get('text')}” is not at {span.get('start')}–"
                                     f"{span.get('end')} of the article's {span.get('field', 'body')}."}
                    )

    @property
    def is_public(self) -> bool:
        return self.state == TagState.ACCEPTED and self.article.is_live


def tag_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
            name=f"{prefix}_confidence_range",
        ),
        models.CheckConstraint(
            condition=Q(state__in=TagState.values), name=f"{prefix}_state_valid"
        ),
    ]


class EntityTag(Tag):
    relation = models.CharField(max_length=10, choices=Relation.choices, default=Relation.MENTIONS)

    class Meta(Tag.Meta):
        abstract = True


class ArticlePerson(EntityTag):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="person_tags")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="article_tags")

    class Meta:
        verbose_name = "person tag"
        constraints = [
            models.UniqueConstraint(fields=["article", "person"], name="person_tag_unique"),
            *tag_constraints("person_tag"),
        ]
        indexes = [
            models.Index(fields=["person", "state", "article"], name="person_tag_lookup_idx"),
            models.Index(fields=["article", "state"], name="person_tag_article_idx"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_state_display()})"


class ArticleOrganisation(EntityTag):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="organisation_tags"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="article_tags"
    )

    class Meta:
        verbose_name = "organisation tag"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "organisation"], name="organisation_tag_unique"
            ),
            *tag_constraints("organisation_tag"),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "state", "article"], name="organisation_tag_lookup_idx"
            ),
            models.Index(fields=["article", "state"], name="organisation_tag_article_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_state_display()})"


class ArticlePlace(EntityTag):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="place_tags")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="article_tags")

    class Meta:
        verbose_name = "place tag"
        constraints = [
            models.UniqueConstraint(fields=["article", "place"], name="place_tag_unique"),
            *tag_constraints("place_tag"),
        ]
        indexes = [
            models.Index(fields=["place", "state", "article"], name="place_tag_lookup_idx"),
            models.Index(fields=["article", "state"], name="place_tag_article_idx"),
        ]

    def __str__(self):
        return f"{self.place} ({self.get_state_display()})"


class ArticleTopic(Tag):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topic_tags")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="article_tags")

    class Meta:
        verbose_name = "topic tag"
        constraints = [
            models.UniqueConstraint(fields=["article", "topic"], name="topic_tag_unique"),
            *tag_constraints("topic_tag"),
        ]
        indexes = [
            models.Index(fields=["topic", "state", "article"], name="topic_tag_lookup_idx"),
            models.Index(fields=["article", "state"], name="topic_tag_article_idx"),
        ]

    def __str__(self):
        return f"{self.topic} ({self.get_state_display()})"


class DateMention(Tag):
    """A date the article mentions, as written and normalized.

    `value` is the TimeML TIMEX3 value ("2024-07-05", "2024-07", "2024", "199"
    for the 1990s, "2024-W27", "2024-Q1"); date_from and date_to are the first
    and last day covered (equal for a single day).
    """

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        HALF = "half", "Half-year"
        SEASON = "season", "Season"
        YEAR = "year", "Year"
        DECADE = "decade", "Decade"

    class Mod(models.TextChoices):
        START = "START", "Start of"
        MID = "MID", "Middle of"
        END = "END", "End of"
        APPROX = "APPROX", "About"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="date_mentions")
    text = models.CharField(max_length=200, help_text="The expression as written: “July 5-6”.")
    date_from = models.DateField()
    date_to = models.DateField()
    precision = models.CharField(max_length=10, choices=Precision.choices)
    value = models.CharField("TIMEX3 value", max_length=20)
    mod = models.CharField(max_length=10, choices=Mod.choices, blank=True)
    label = models.CharField(
        max_length=200, blank=True, help_text="The event, e.g. “Kamikawa's official visit to Cambodia”."
    )

    class Meta:
        ordering = ["date_from", "date_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="date_mention_range_order"
            ),
            *tag_constraints("date_mention"),
        ]
        indexes = [
            # In the timeline's whole order: the mentions of one date (an
            # anniversary in thousands of articles) need no sorting by id.
            models.Index(fields=["state", "date_from", "date_to", "id"], name="date_mention_range_idx"),
            # Covering: the facet index checks a candidate's mentions here alone.
            models.Index(fields=["article", "state", "date_from", "date_to"], name="date_mention_article_idx"),
        ]

    def __str__(self):
        return f"{self.text} → {self.value}"

    def clean(self):
        super().clean()
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError({"date_to": "The last day cannot precede the first."})
        if not re.fullmatch(r"\d{3,4}(-(\d{2}(-\d{2})?|W\d{2}|Q[1-4]|H[12]|SP|SU|FA|WI))?", self.value or ""):
            raise ValidationError({"value": "Not a TIMEX3 date value (e.g. 2024-07-05, 2024-07, 2024, 199)."})


def tag_models():
    """Every through-model that tags an article, in display order."""
    return (ArticlePerson, ArticleOrganisation, ArticlePlace, ArticleTopic, DateMention)


def in_live_coverage(model, now=None) -> Exists:
    """Filter for people, organisations or places with an accepted tag on a
    live article. An EXISTS per record: it stops at the first such article
    and uses the tag table's (record, state, article) index, so checking one
    record costs the same at a thousand articles as at a million."""
    tag_model = {Person: ArticlePerson, Organisation: ArticleOrganisation, Place: ArticlePlace}[model]
    return Exists(tag_model.objects.public(now).filter(**{model._meta.model_name: OuterRef("pk")}))


def live_article_count(model):
    """Annotation for people, organisations or places: how many live
    articles carry an accepted tag of the record (kept_live_count)."""
    return kept_live_count(model._meta.model_name)


def kept_live_count(kind: str, now=None):
    """Annotation for records of `kind` (a Coverage.Kind): their live
    articles, from the counts kept by articles.coverage: the published
    articles counted, less those not live yet (two index lookups a record)."""
    kept = Coverage.objects.filter(kind=kind, record_id=OuterRef("pk"), month=Coverage.TOTAL).values("articles")
    waiting = (PendingCoverage.objects.filter(kind=kind, record_id=OuterRef("pk"),
                                              live_from__gt=now or timezone.now())
               .order_by().annotate(n=CountRows()).values("n")[:1])
    return (Coalesce(Subquery(kept, output_field=IntegerField()), Value(0))
            - Subquery(waiting, output_field=IntegerField()))


def has_live_byline(now=None) -> Exists:
    """Filter for people who signed a live article."""
    return Exists(Byline.objects.filter(live_q("article__", now), person=OuterRef("pk")))


# --- Workflow and curation ---------------------------------------------------


class TransitionLog(models.Model):
    """One workflow transition: who moved the article from which state to which."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at"], name="transition_article_idx")]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Correction(models.Model):
    """A dated correction note appended to a published article; shown publicly
    with it. Corrections are never edited away: history is kept."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Correction of {self.created_at:%d %b %Y}"


class EditorialNote(models.Model):
    """An internal comment between editors; never public."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editorial_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class Collection(TimeStamped):
    """A named, ordered list of articles curated by editors."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    description = models.TextField(blank=True)
    featured = models.BooleanField(
        default=False, help_text="Shown on the home page. Only one collection is featured."
    )
    articles = models.ManyToManyField(Article, through="CollectionItem", related_name="collections")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["featured"], condition=Q(featured=True), name="one_featured_collection"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Collection, self.name, instance=self)
        if self.featured:
            Collection.objects.filter(featured=True).exclude(pk=self.pk).update(featured=False)
        super().save(*args, **kwargs)


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "article"], name="collection_item_unique")
        ]

    def __str__(self):
        return f"{self.position}. {self.article}"


class PersonCandidate(TimeStamped):
    """A person the tagger found in an article who is not in the authority
    list yet, with the role the text gives them; an editor creates the record
    in one click (or rejects the candidate)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="person_candidates")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=20, choices=TagState.choices, default=TagState.SUGGESTED)
    confidence = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=list, blank=True, validators=[validate_evidence])
    tagger_version = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The record created from this candidate.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "name"], name="person_candidate_unique"),
        ]
        indexes = [models.Index(fields=["state", "article"], name="person_candidate_state_idx")]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class ArticlePresence(models.Model):
    """Who has an article's edit page open, as of their last poll. In the
    database, not the cache: the default cache is per process (and may be
    off), and every worker must see every editor. One row per editor and
    article, upserted on each poll."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_presence_unique")
        ]
