from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    DateMention,
    Organisation,
    Person,
    Place,
    Topic,
)


def public_articles():
    """Live articles with everything a listing shows, in a fixed number of queries."""
    return (
        Article.objects.live()
        .select_related("source", "dateline")
        .prefetch_related(
            Prefetch("byline_set", queryset=Byline.objects.select_related("person")),
        )
    )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return public_articles().prefetch_related(
            Prefetch("person_tags", queryset=ArticlePerson.objects.accepted()
                     .select_related("person").order_by("person__sort_name")),
            Prefetch("organisation_tags", queryset=ArticleOrganisation.objects.accepted()
                     .select_related("organisation").order_by("organisation__name")),
            Prefetch("place_tags", queryset=ArticlePlace.objects.accepted()
                     .select_related("place").order_by("place__name")),
            Prefetch("topic_tags", queryset=ArticleTopic.objects.accepted()
                     .select_related("topic").order_by("topic__path")),
            Prefetch("date_mentions", queryset=DateMention.objects.accepted()
                     .order_by("date_from", "date_to")),
        )


class TaggedArticlesView(ListView):
    """Live articles tagged with one record (person, topic, organisation, place)."""

    record_model = None
    template_name = "articles/tagged_list.html"
    paginate_by = 20
    context_object_name = "articles"

    def get_record(self):
        return get_object_or_404(self.record_model, slug=self.kwargs["slug"])

    def filter_articles(self, articles, record):
        raise NotImplementedError

    def get_queryset(self):
        self.record = self.get_record()
        return self.filter_articles(public_articles(), self.record)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=self.record, kind=self.record_model._meta.verbose_name, **kwargs
        )


class PersonDetailView(TaggedArticlesView):
    record_model = Person

    def get_record(self):
        return get_object_or_404(
            Person.objects.prefetch_related("roles__organisation", "roles__country", "aliases"),
            slug=self.kwargs["slug"],
        )

    def filter_articles(self, articles, record):
        return articles.for_person(record)


class TopicDetailView(TaggedArticlesView):
    record_model = Topic

    def filter_articles(self, articles, record):
        return articles.for_topic(record)


class OrganisationDetailView(TaggedArticlesView):
    record_model = Organisation

    def filter_articles(self, articles, record):
        return articles.for_organisation(record)


class PlaceDetailView(TaggedArticlesView):
    record_model = Place

    def filter_articles(self, articles, record):
        return articles.for_place(record)
