from django.contrib import admin
from django.db.models import Count, Q

from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    DateMention,
    Organisation,
    OrganisationAlias,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Role,
    Source,
    TagState,
    Topic,
)

# --- Authority lists ---------------------------------------------------------


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1
    fields = ["name", "confirmed_by_editor"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organisation", "country"]


class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "wikidata_id", "tagged_articles"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            accepted_tags=Count("article_tags", filter=Q(article_tags__state=TagState.ACCEPTED))
        )

    @admin.display(description="Articles", ordering="accepted_tags")
    def tagged_articles(self, obj):
        return obj.accepted_tags


@admin.register(Person)
class PersonAdmin(AuthorityAdmin):
    list_display = ["name", "sort_name", "slug", "wikidata_id", "tagged_articles"]
    fields = ["name", "slug", "sort_name", "description", "wikidata_id", "created_at", "updated_at"]
    inlines = [PersonAliasInline, RoleInline]


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1
    fields = ["name", "confirmed_by_editor"]


@admin.register(Organisation)
class OrganisationAdmin(AuthorityAdmin):
    fields = ["name", "slug", "description", "wikidata_id", "created_at", "updated_at"]
    inlines = [OrganisationAliasInline]


class PlaceAliasInline(admin.TabularInline):
    model = PlaceAlias
    extra = 1
    fields = ["name", "confirmed_by_editor"]


@admin.register(Place)
class PlaceAdmin(AuthorityAdmin):
    list_display = ["name", "kind", "parent", "slug", "wikidata_id", "tagged_articles"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    fields = ["name", "slug", "kind", "parent", "description", "wikidata_id",
              "created_at", "updated_at"]
    autocomplete_fields = ["parent"]
    inlines = [PlaceAliasInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "homepage_url", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="Articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "slug", "parent", "iptc_uri", "tagged_articles"]
    list_select_related = ["parent"]
    search_fields = ["name", "keywords", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "description", "keywords", "iptc_uri"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            accepted_tags=Count("article_tags", filter=Q(article_tags__state=TagState.ACCEPTED))
        )

    @admin.display(description="Topic", ordering="path")
    def indented_name(self, obj):
        return f"{'— ' * obj.depth}{obj.name}"

    @admin.display(description="Articles", ordering="accepted_tags")
    def tagged_articles(self, obj):
        return obj.accepted_tags


# --- Articles and their tags -------------------------------------------------

TAG_FIELDS = ["state", "origin", "confidence", "evidence", "decided_by", "decided_at"]


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "position"]


class TagInline(admin.TabularInline):
    extra = 0
    readonly_fields = ["origin", "tagger_version", "decided_by", "decided_at"]
    classes = ["collapse"]


class PersonTagInline(TagInline):
    model = ArticlePerson
    autocomplete_fields = ["person"]
    fields = ["person", "relation", *TAG_FIELDS]


class OrganisationTagInline(TagInline):
    model = ArticleOrganisation
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "relation", *TAG_FIELDS]


class PlaceTagInline(TagInline):
    model = ArticlePlace
    autocomplete_fields = ["place"]
    fields = ["place", "relation", *TAG_FIELDS]


class TopicTagInline(TagInline):
    model = ArticleTopic
    autocomplete_fields = ["topic"]
    fields = ["topic", *TAG_FIELDS]


class DateMentionInline(TagInline):
    model = DateMention
    fields = ["text", "date_from", "date_to", "precision", "value", "mod", "label",
              *TAG_FIELDS]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "published_at", "source", "accepted_tags",
                    "pending_tags"]
    list_filter = ["status", "source", ("topics", admin.RelatedOnlyFieldListFilter),
                   ("people", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "dateline"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["content_hash", "version", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "captions"]}),
        ("Source", {"fields": ["source", "original_url", "dateline"]}),
        ("Publication", {"fields": ["status", "published_at", "embargo_until", "metadata_notes"]}),
        ("Record", {"classes": ["collapse"],
                    "fields": ["content_hash", "version", "created_by", "created_at",
                               "updated_at"]}),
    ]
    inlines = [BylineInline, PersonTagInline, OrganisationTagInline, PlaceTagInline,
               TopicTagInline, DateMentionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tag_counts()

    @admin.display(description="Accepted tags", ordering="n_accepted")
    def accepted_tags(self, obj):
        return obj.n_accepted

    @admin.display(description="Pending", ordering="n_pending")
    def pending_tags(self, obj):
        return obj.n_pending

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
