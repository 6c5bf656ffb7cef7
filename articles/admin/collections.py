from django import forms
from django.contrib import admin
from django.db.models import Count

from ..models import Collection, CollectionItem


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = "__all__"

    def _get_validation_exclusions(self):
        # Featuring this collection unfeatures the featured one when it is
        # saved (Collection.save): "one featured collection" holds then, so
        # it must not refuse the form beforehand.
        return {*super()._get_validation_exclusions(), "featured"}


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 1
    autocomplete_fields = ["article"]
    fields = ["position", "article"]
    ordering = ["position", "id"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    form = CollectionForm
    list_display = ["name", "featured", "size", "updated_at"]
    list_filter = ["featured"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CollectionItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description="Articles", ordering="n_items")
    def size(self, obj):
        return obj.n_items

    class Media:
        js = ["admin/js/newsroom-reorder.js"]
