"""Tags, roles and the transition log across articles: lists for the desk
("every pending date mention", "what did the tagger suggest for Hun Sen").
Tags are decided here only through articles.curation (the list's actions);
they are added and edited on the article page, so these are read-mostly."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from .. import curation
from ..models import (
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    DateMention,
    Role,
    TransitionLog,
)
from ..workflow import WorkflowError


@admin.display(description="Article", ordering="article__headline")
def article_link(model_admin, obj):
    return format_html('<a href="{}">{}</a>',
                       reverse("admin:articles_article_change", args=[obj.article_id]),
                       obj.article.headline)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and viewed; changed only where the fields say so."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class TagAdmin(ReadOnlyAdmin):
    record = None  # the tagged record's field: person, organisation, place, topic
    list_filter = ["state", "origin", "article__status", "article__source"]
    search_fields = ["article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"
    actions = ["accept_selected", "reject_selected"]

    def get_list_display(self, request):
        return [self.record, "article_link", "state", "origin", "confidence", "decided_by",
                "decided_at"]

    def get_list_select_related(self, request):
        return ["article", self.record, "decided_by"]

    article_link = article_link

    def has_curate_permission(self, request):
        return curation.can_curate(request.user)

    def _decide(self, request, queryset, accept):
        done, failed = 0, []
        for tag in queryset.select_related("article"):
            try:
                curation.decide(tag, user=request.user, accept=accept)
                done += 1
            except WorkflowError as error:
                failed.append(f"{tag}: {error}")
        self.message_user(request, f"{'Accepted' if accept else 'Rejected'} {done} tag"
                                   f"{'s' if done != 1 else ''}.")
        for failure in failed:
            self.message_user(request, f"Not decided: {failure}", messages.ERROR)

    @admin.action(description="Accept selected tags", permissions=["curate"])
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject selected tags", permissions=["curate"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, accept=False)


class EntityTagAdmin(TagAdmin):
    list_filter = ["state", "origin", "relation", "article__status", "article__source"]

    def get_list_display(self, request):
        display = super().get_list_display(request)
        return [display[0], "relation", *display[1:]]


@admin.register(ArticlePerson)
class PersonTagAdmin(EntityTagAdmin):
    record = "person"
    search_fields = ["person__name", "article__headline"]
    autocomplete_fields = ["article", "person"]


@admin.register(ArticleOrganisation)
class OrganisationTagAdmin(EntityTagAdmin):
    record = "organisation"
    search_fields = ["organisation__name", "article__headline"]
    autocomplete_fields = ["article", "organisation"]


@admin.register(ArticlePlace)
class PlaceTagAdmin(EntityTagAdmin):
    record = "place"
    search_fields = ["place__name", "article__headline"]
    autocomplete_fields = ["article", "place"]


@admin.register(ArticleTopic)
class TopicTagAdmin(TagAdmin):
    record = "topic"
    search_fields = ["topic__name", "article__headline"]
    autocomplete_fields = ["article", "topic"]


@admin.register(DateMention)
class DateMentionAdmin(TagAdmin):
    list_filter = ["state", "precision", "origin", "article__status", "article__source"]
    search_fields = ["text", "value", "label", "article__headline"]
    ordering = ["date_from", "date_to", "id"]

    def get_list_display(self, request):
        return ["text", "value", "date_from", "date_to", "precision", "mod", "article_link",
                "state", "origin", "decided_by"]

    def get_list_select_related(self, request):
        return ["article", "decided_by"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Roles are also edited on the person's page; here they are listed
    across people (who held which office when)."""

    list_display = ["person", "title", "organisation", "country", "start_date", "end_date"]
    list_select_related = ["person", "organisation", "country"]
    list_filter = ["organisation", "country"]
    search_fields = ["title", "person__name", "organisation__name", "country__name"]
    autocomplete_fields = ["person", "organisation", "country"]
    date_hierarchy = "start_date"


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    """The workflow's own record: never edited."""

    list_display = ["created_at", "article_link", "transition", "from_status", "to_status", "user",
                    "comment"]
    list_select_related = ["article", "user"]
    list_filter = ["transition", "to_status", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["article__headline", "comment"]
    date_hierarchy = "created_at"

    article_link = article_link
