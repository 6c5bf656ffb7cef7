import datetime

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from ..curation import pending_articles
from ..models import Article, Person, Topic


class QueueFilter(admin.SimpleListFilter):
    """The desk's queues, so each count on the desk links to its list."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("scheduled", "Scheduled"),
            ("embargoed", "Under embargo"),
            ("recent", "Published in the last 7 days"),
            ("pending", "With pending suggestions"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        if self.value() == "scheduled":
            return queryset.filter(published, published_at__gt=now)
        if self.value() == "embargoed":
            return queryset.filter(embargo_until__gt=now)
        if self.value() == "recent":
            return queryset.filter(published, published_at__lte=now,
                                   published_at__gte=now - datetime.timedelta(days=7))
        if self.value() == "pending":
            return queryset.filter(pk__in=pending_articles().values("pk"))
        return queryset


class InputFilter(admin.SimpleListFilter):
    """A free-text filter (a slug), for lists too long for links."""

    template = "admin/articles/input_filter.html"

    def lookups(self, request, model_admin):
        return [("", "")]  # the template draws an input; Django needs one lookup to show it

    def choices(self, changelist):
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "other_params": {k: v for k, v in changelist.get_filters_params().items()
                             if k != self.parameter_name},
        }


class PersonFilter(InputFilter):
    title = "person (slug)"
    parameter_name = "person"

    def queryset(self, request, queryset):
        if self.value():
            person = Person.objects.filter(slug=self.value()).first()
            return queryset.for_person(person) if person else queryset.none()
        return queryset


class TopicFilter(InputFilter):
    title = "topic (slug, with sub-topics)"
    parameter_name = "topic"

    def queryset(self, request, queryset):
        if self.value():
            topic = Topic.objects.filter(slug=self.value()).first()
            return queryset.for_topic(topic) if topic else queryset.none()
        return queryset


class MentionedDateFilter(admin.ListFilter):
    """Articles mentioning a date in a range (accepted mentions, overlapping)."""

    title = "mentioned dates"
    template = "admin/articles/date_range_filter.html"
    params = ("mentioned_from", "mentioned_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.params:
            if name in params:
                value = params.pop(name)
                value = value[-1] if isinstance(value, list) else value
                self.values[name] = value
        self.used_parameters = dict(self.values)

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.params)

    def choices(self, changelist):
        yield {"values": self.values, "other_params": {
            k: v for k, v in changelist.get_filters_params().items() if k not in self.params}}

    def queryset(self, request, queryset):
        def parse(name, default):
            raw = self.values.get(name)
            if not raw:
                return default
            try:
                return datetime.date.fromisoformat(raw)
            except ValueError:
                from django.contrib.admin.options import IncorrectLookupParameters

                raise IncorrectLookupParameters(f"{name} must be a date like 2024-07-05")

        if not any(self.values.values()):
            return queryset
        return queryset.mentioning_dates(parse("mentioned_from", datetime.date.min),
                                         parse("mentioned_to", datetime.date.max))
