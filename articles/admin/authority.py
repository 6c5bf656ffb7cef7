from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..curation import merge_people
from ..models import (
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
from ..workflow import WorkflowError


class AliasInline(admin.TabularInline):
    extra = 1
    fields = ["name", "confirmed_by_editor"]


class PersonAliasInline(AliasInline):
    model = PersonAlias


class OrganisationAliasInline(AliasInline):
    model = OrganisationAlias


class PlaceAliasInline(AliasInline):
    model = PlaceAlias


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organisation", "country"]


class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "wikidata_id", "tagged_articles"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["tagged_article_links", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            accepted_tags=Count("article_tags", filter=Q(article_tags__state=TagState.ACCEPTED))
        )

    @admin.display(description="Articles", ordering="accepted_tags")
    def tagged_articles(self, obj):
        return obj.accepted_tags

    @admin.display(description="Tagged in")
    def tagged_article_links(self, obj):
        tags = obj.article_tags.select_related("article").order_by("-article__published_at")
        if not tags:
            return "No articles yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", '<li><a href="{}">{}</a> — {} ({})</li>',
                ((reverse("admin:articles_article_change", args=[t.article_id]),
                  t.article.headline, t.article.get_status_display(), t.get_state_display())
                 for t in tags),
            ),
        )


@admin.register(Person)
class PersonAdmin(AuthorityAdmin):
    list_display = ["name", "sort_name", "slug", "wikidata_id", "tagged_articles"]
    fields = ["name", "slug", "sort_name", "description", "wikidata_id", "tagged_article_links",
              "created_at", "updated_at"]
    inlines = [PersonAliasInline, RoleInline]
    actions = ["merge_selected"]

    @admin.action(description="Merge two selected people", permissions=["change"])
    def merge_selected(self, request, queryset):
        people = list(queryset.order_by("pk")[:3])
        if len(people) != 2:
            self.message_user(request, "Select exactly two people to merge.", messages.ERROR)
            return None
        if "survivor" in request.POST:
            survivor = next((p for p in people if str(p.pk) == request.POST["survivor"]), None)
            if survivor is None:
                self.message_user(request, "Choose which record survives.", messages.ERROR)
                return None
            duplicate = people[1] if survivor is people[0] else people[0]
            try:
                merge_people(survivor=survivor, duplicate=duplicate, user=request.user)
            except (ValidationError, WorkflowError) as error:
                self.message_user(request, f"Not merged: {error}", messages.ERROR)
                return None
            self.message_user(request, f"Merged “{duplicate.name}” into “{survivor.name}”: "
                                       f"its tags, bylines, roles and aliases moved over.")
            return redirect("admin:articles_person_change", survivor.pk)
        return render(request, "admin/articles/person/merge.html", {
            **self.admin_site.each_context(request),
            "title": "Merge two people", "people": people, "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(Organisation)
class OrganisationAdmin(AuthorityAdmin):
    fields = ["name", "slug", "description", "wikidata_id", "tagged_article_links",
              "created_at", "updated_at"]
    inlines = [OrganisationAliasInline]


@admin.register(Place)
class PlaceAdmin(AuthorityAdmin):
    list_display = ["name", "kind", "parent", "slug", "wikidata_id", "tagged_articles"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    fields = ["name", "slug", "kind", "parent", "description", "wikidata_id",
              "tagged_article_links", "created_at", "updated_at"]
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
