"""
Query filters of the article list and the timeline. Every value is
validated: a malformed date, an unknown slug or an impossible combination is
a 400 naming the parameter, e.g. {"person": ["Unknown person: 'nobody'."]}.
"""

import copy
import datetime

from django import forms
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters

from articles import facets, timeline
from articles.models import Article, DateMention, Organisation, Person, Place, Source, Topic
from articles.search import RANKED, by_relevance, search_articles

from .pagination import NEWEST_FIRST
from .permissions import sees_unpublished
from .selectors import facet_list, record_named, with_renditions

ORDERINGS = {
    "-published_at": NEWEST_FIRST,
    "published_at": (F("published_at").asc(nulls_last=True), "id"),
    "headline": ("headline", "id"),
    "-headline": ("-headline", "-id"),
    "relevance": ("-rank", *NEWEST_FIRST),
}
# The orderings the facet index gives: its own, both ways.
FACET_ORDERINGS = ("-published_at", "published_at")


class RecordField(forms.Field):
    """A record of `model` named by its slug, among those `user` may see
    (selectors.record_named(): for the public, one prepared statement). The
    form's fields are its own copies: FilterSet.form sets `user` on them."""

    user = None

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        record = record_named(self.model, str(value), self.user)
        if record is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value})
        return record


class RecordsField(RecordField):
    """Several, each named by its own parameter (?person=a&person=b)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [super(RecordsField, self).to_python(slug) for slug in value or () if slug]


class RecordFilter(filters.Filter):
    """A record by its slug."""

    field_class = RecordField

    def __init__(self, model, *, kind: str, **kwargs):
        # `self.model` is the FilterSet's, set by it; the field's is the record's.
        super().__init__(error_messages=unknown(kind), model=model, **kwargs)


class RecordsFilter(RecordFilter, filters.MultipleChoiceFilter):
    """Repeatable; an array in the schema."""

    field_class = RecordsField


class ShallowFields(dict):
    """A form class's fields, which each form copies (Django deep-copies
    them, widgets, validators and messages included: a quarter of a
    millisecond a request for these forms): copied one level deep. The form
    only validates; what it changes on a field is the record fields' user."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet without its cost per request: it deep-copies
    every filter and builds a form class of new fields for each (0.7 ms, a
    sixth of a filtered API list). Here the form class is built once per
    FilterSet class, each form copies its fields shallowly (ShallowFields)
    and the filters are copied shallowly (what a request changes on them is
    their parent); the form's record fields are told who asks."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = self.filters[name] = copy.copy(base)
            filter_.method = base.method  # rebinds the method to this copy
            filter_.model = queryset.model
            filter_.parent = self

    @classmethod
    def form_class(cls) -> type[forms.Form]:
        if "_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            cls._form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            cls._form_class.base_fields = ShallowFields(cls._form_class.base_fields)
        return cls._form_class

    def get_form_class(self):
        return self.form_class()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = getattr(self.request, "user", None)
            for field in form.fields.values():
                if isinstance(field, RecordField):
                    field.user = user
        return self._form


def unknown(kind: str) -> dict:
    return {"invalid_choice": f"Unknown {kind}: '%(value)s'."}


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the newsroom's time zone (the first and
    last days of the calendar are moved in by one, to stay convertible to UTC)."""
    day = min(max(day, datetime.date(1, 1, 2)), datetime.date(9999, 12, 30))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1) if day < datetime.date.max else day


def check_range(data: dict, first: str, last: str, form) -> None:
    if data.get(first) and data.get(last) and data[first] > data[last]:
        form.add_error(last, f"The range ends before it starts ({first} is later).")


class ArticleFilterForm(forms.Form):
    """Checks that concern more than one parameter."""

    def clean(self):
        data = super().clean()
        check_range(data, "published_after", "published_before", self)
        check_range(data, "mentioned_after", "mentioned_before", self)
        if data.get("ordering") == "relevance" and not data.get("q"):
            self.add_error("ordering", "Ordering by relevance needs a search: add q=.")
        return data


class TimelineFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        check_range(data, "from", "to", self)
        return data


class ArticleFilter(FilterSet):
    person = RecordsFilter(
        Person, kind="person", method="filter_people",
        help_text="A person's slug; repeat for articles tagged with all of them.",
    )
    topic = RecordFilter(
        Topic, kind="topic", method="filter_topic", help_text="A topic's slug; includes its sub-topics.",
    )
    organisation = RecordFilter(
        Organisation, kind="organisation", method="filter_organisation",
        help_text="An organisation's slug.",
    )
    place = RecordFilter(Place, kind="place", method="filter_place", help_text="A place's slug.")
    source = RecordFilter(Source, kind="source", method="filter_source", help_text="A source's slug.")
    published_after = filters.DateFilter(
        method="filter_published_after", help_text="Published on or after this day (YYYY-MM-DD).",
    )
    published_before = filters.DateFilter(
        method="filter_published_before", help_text="Published on or before this day (YYYY-MM-DD).",
    )
    mentioned_after = filters.DateFilter(
        method="filter_mentioned",
        help_text="Mentioning a date that ends on or after this day: with mentioned_before, "
                  "one mention overlapping the whole range.",
    )
    mentioned_before = filters.DateFilter(
        method="filter_mentioned", help_text="Mentioning a date that starts on or before this day.",
    )
    q = filters.CharFilter(
        method="filter_q", max_length=200,
        help_text="Full-text search of headline, standfirst and body; words and \"phrases\", "
                  "all required.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Article.Status.choices, method="filter_status",
        help_text="Editors only (articles.view_article): articles in these states, "
                  "repeatable, instead of the live ones.",
    )
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS], method="filter_ordering", empty_label=None,
        help_text="-published_at (the default), published_at, headline, -headline, or "
                  f"relevance (the default with q; only with q; with more than {RANKED:,} "
                  f"results, ranked among the {RANKED:,} most recently added).",
    )

    class Meta:
        model = Article
        fields = []
        form = ArticleFilterForm

    def is_valid(self):
        if "status" in self.data and not sees_unpublished(getattr(self.request, "user", None)):
            self.form.add_error("status", "Only editors may list articles by status.")
        return super().is_valid()

    @classmethod
    def unfiltered(cls, queryset):
        """The list when no parameter filters it: what the public sees (editors
        too, unless they ask for states by name), newest first. Without the
        form: building it costs more than the list's queries."""
        return with_renditions(queryset.live().order_by(*ORDERINGS["-published_at"]))

    @property
    def qs(self):
        """The facet index's list when these filters are a query of it
        (facet_query()): it holds the live articles, its items are stored
        renditions, and the articles the user may see (the FilterSet's
        queryset, selectors.VisibleArticles) are not even built. The ORM's
        list otherwise (filter_queryset())."""
        if not hasattr(self, "_qs") and self.is_bound and not self.errors:  # validated once
            query = self.facet_query()
            if query is not None:
                oldest_first = self.form.cleaned_data.get("ordering") == "published_at"
                self._qs = facet_list(query, oldest_first=oldest_first)
        return super().qs

    def filter_queryset(self, queryset):
        """`queryset`: the articles the user may see, from which the ORM's
        list is built."""
        queryset = with_renditions(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.live()
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            ordering = "relevance" if self.form.cleaned_data.get("q") else "-published_at"
            queryset = self.filter_ordering(queryset, "ordering", ordering)
        return queryset

    def facet_query(self) -> facets.Query | None:
        """These filters as a query of the facet index (articles.facets),
        which holds the live articles in publication order; None when they
        ask for something else (states by name, a search, an order by
        headline)."""
        data = self.form.cleaned_data
        if data.get("status") or data.get("q") or data.get("ordering") not in (None, "", *FACET_ORDERINGS):
            return None
        query = facets.Query()
        for person in data.get("person") or ():
            query.require(facets.record_token("person", person.pk))
        for kind in ("topic", "organisation", "place"):
            if data.get(kind) is not None:
                query.require(facets.record_token(kind, data[kind].pk))
        if data.get("source") is not None:
            query.require(facets.source_token(data["source"].pk))
        if data.get("published_after"):
            query.published_from(start_of(data["published_after"]))
        if data.get("published_before"):
            query.published_before(start_of(day_after(data["published_before"])))
        after, before = data.get("mentioned_after"), data.get("mentioned_before")
        if after or before:
            query.mentioning(after or datetime.date.min, before or datetime.date.max)
        return query

    # The filter methods' `value: <model>` hints tell the schema that the
    # parameter is a string (the slug), as for any non-basic type.

    def filter_people(self, queryset, name, value: Person):
        for person in value:
            queryset = queryset.for_person(person)
        return queryset

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.for_topic(value)

    def filter_organisation(self, queryset, name, value: Organisation):
        return queryset.for_organisation(value)

    def filter_place(self, queryset, name, value: Place):
        return queryset.for_place(value)

    def filter_source(self, queryset, name, value: Source):
        return queryset.filter(source=value)

    def filter_published_after(self, queryset, name, value):
        return queryset.filter(published_at__gte=start_of(value))

    def filter_published_before(self, queryset, name, value):
        return queryset.filter(published_at__lt=start_of(day_after(value)))

    def filter_mentioned(self, queryset, name, value):
        # Both bounds constrain the same mention, so the pair is applied once.
        after = self.form.cleaned_data.get("mentioned_after")
        before = self.form.cleaned_data.get("mentioned_before")
        if name == "mentioned_before" and after:
            return queryset
        return queryset.mentioning_dates(after or datetime.date.min, before or datetime.date.max)

    def filter_q(self, queryset, name, value):
        return search_articles(queryset, value)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value)

    def filter_ordering(self, queryset, name, value):
        if value == "relevance":  # after every other filter: ranked among the newest matches
            return by_relevance(queryset)
        return queryset.order_by(*ORDERINGS[value])


class TimelineFilter(FilterSet):
    person = RecordFilter(
        Person, kind="person", method="filter_person",
        help_text="Mentions in articles tagged with this person.",
    )
    topic = RecordFilter(
        Topic, kind="topic", method="filter_topic",
        help_text="Mentions in articles of this topic or its sub-topics.",
    )

    class Meta:
        model = DateMention
        fields = []
        form = TimelineFilterForm

    def filter_person(self, queryset, name, value: Person):
        return timeline.of_record(queryset, value, timezone.now())

    def filter_topic(self, queryset, name, value: Topic):
        return timeline.of_record(queryset, value, timezone.now())


# `from` is a Python keyword, so these two cannot be declared as attributes.
TimelineFilter.base_filters["from"] = filters.DateFilter(
    field_name="date_to", lookup_expr="gte",
    help_text="Dates that end on or after this day (ranges overlapping).",
)
TimelineFilter.base_filters["to"] = filters.DateFilter(
    field_name="date_from", lookup_expr="lte",
    help_text="Dates that start on or before this day (ranges overlapping).",
)
