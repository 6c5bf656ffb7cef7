import difflib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from .. import curation, tagger, workflow
from ..models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    Correction,
    DateMention,
    EditorialNote,
    Organisation,
    Person,
    PersonCandidate,
    Place,
    TagState,
    TransitionLog,
)
from . import desk, presence
from .filters import MentionedDateFilter, PersonFilter, QueueFilter, TopicFilter
from .forms import ArticleForm, TransitionForm

# --- Inlines -----------------------------------------------------------------

TAG_FIELDS = ["state", "confidence", "evidence_snippets", "origin", "decided_by", "decided_at"]
# What curation.add_tag decides itself for a tag added by hand.
HAND_TAG_SET_BY_SERVICE = {"id", "article", "DELETE", "state", "confidence", "origin", "decided_by",
                           "decided_at"}


def evidence_snippet(article, span, width=50):
    """The evidence span in its context, the span highlighted; all escaped."""
    text = article.text_of(span.get("field", "body"))
    start, end = span.get("start", 0), span.get("end", 0)
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return format_html("…{}<mark>{}</mark>{}…", before, text[start:end], after)


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "position"]


class TagInline(admin.TabularInline):
    extra = 0
    readonly_fields = ["evidence_snippets", "origin", "decided_by", "decided_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "state":
            field.initial = TagState.ACCEPTED  # a tag added by hand is an editor's decision
        return field

    @admin.display(description="Evidence")
    def evidence_snippets(self, obj):
        if not obj.pk or not obj.evidence:
            return "—"
        return mark_safe("<br>".join(evidence_snippet(obj.article, s) for s in obj.evidence[:3]))


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
    fields = ["text", "date_from", "date_to", "precision", "value", "mod", "label", *TAG_FIELDS]


class CorrectionInline(admin.TabularInline):
    """Corrections are appended through the workflow panel and never edited."""

    model = Correction
    extra = 0
    fields = ["created_at", "text", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EditorialNoteInline(admin.StackedInline):
    """Internal notes between editors: added, never edited, never public."""

    model = EditorialNote
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    verbose_name_plural = "editorial notes (internal, never public)"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionLogInline(admin.TabularInline):
    model = TransitionLog
    extra = 0
    fields = ["created_at", "transition", "from_status", "to_status", "user", "comment"]
    readonly_fields = fields
    verbose_name_plural = "workflow history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The article admin -------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["headline", "status_label", "published_at", "source", "accepted_tags",
                    "pending_tags", "last_edited_by"]
    list_filter = ["status", QueueFilter, "source", TopicFilter, PersonFilter, MentionedDateFilter,
                   ("last_edited_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source", "last_edited_by"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "dateline"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["status", "kill_notice", "content_hash", "version", "created_by",
                       "last_edited_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "captions", "expected_version"]}),
        ("Source", {"fields": ["source", "original_url", "dateline"]}),
        ("Publication", {"fields": ["status", "published_at", "embargo_until", "kill_notice",
                                    "metadata_notes"]}),
        ("Record", {"classes": ["collapse"],
                    "fields": ["content_hash", "version", "created_by", "last_edited_by",
                               "created_at", "updated_at"]}),
    ]
    inlines = [BylineInline, PersonTagInline, OrganisationTagInline, PlaceTagInline,
               TopicTagInline, DateMentionInline, CorrectionInline, EditorialNoteInline,
               TransitionLogInline]
    actions = ["submit_selected", "approve_selected", "publish_selected", "unpublish_selected",
               "archive_selected", "accept_pending_selected", "tag_selected"]
    history_list_display = ["status"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tag_counts()

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        now = timezone.now()
        if obj.embargo_until and obj.embargo_until > now:
            return format_html("{} <strong>· embargoed until {}</strong>", obj.get_status_display(),
                               timezone.localtime(obj.embargo_until).strftime("%d %b %H:%M"))
        if obj.status == Article.Status.PUBLISHED and obj.published_at and obj.published_at > now:
            return format_html("Scheduled for {}",
                               timezone.localtime(obj.published_at).strftime("%d %b %Y %H:%M"))
        return obj.get_status_display()

    @admin.display(description="Accepted tags", ordering="n_accepted")
    def accepted_tags(self, obj):
        return obj.n_accepted

    @admin.display(description="Pending", ordering="n_pending")
    def pending_tags(self, obj):
        return obj.n_pending

    # Object-level permission: the workflow decides who edits what.
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        else:
            obj.version = form.cleaned_data["expected_version"] + 1
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)
        tagger.tag_soon(obj)
        if obj.is_live:
            transaction.on_commit(lambda: workflow.public_content_changed.send(
                sender=Article, article=obj))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        now = timezone.now()
        for instance in instances:
            if isinstance(instance, EditorialNote) and instance.author_id is None:
                instance.author = request.user
            if hasattr(instance, "decided_by_id") and (
                instance.pk is None or "state" in self._form_of(formset, instance).changed_data
            ):
                if not curation.can_curate(request.user):
                    raise PermissionDenied
                if instance.pk is None and instance.state == TagState.ACCEPTED:
                    # A tag added by hand here is one added by hand anywhere:
                    # the same service as the API's, so it is validated,
                    # attributed and teaches the aliases its evidence shows.
                    # The form's save already bumped the version, once.
                    fields = {name: value for name, value in
                              self._form_of(formset, instance).cleaned_data.items()
                              if name not in HAND_TAG_SET_BY_SERVICE}
                    curation.add_tag(type(instance), article=form.instance, user=request.user,
                                     bump_version=False, **fields)
                    continue
                instance.decided_by, instance.decided_at = request.user, now
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @staticmethod
    def _form_of(formset, instance):
        return next(f for f in formset.forms if f.instance is instance)

    # --- Bulk actions, each through the guarded operations --------------------

    def _bulk(self, request, queryset, name):
        done, failed = 0, []
        for article in queryset:
            try:
                workflow.perform(article, name, user=request.user)
                done += 1
            except workflow.WorkflowError as error:
                failed.append(f"“{article.headline}”: {error}")
        label = workflow.TRANSITIONS[name].label.lower()
        if done:
            self.message_user(request, f"{label.capitalize()}: {done} article{'s' if done != 1 else ''}.")
        for failure in failed:
            self.message_user(request, f"Could not {label} {failure}", messages.ERROR)

    @admin.action(description="Submit selected for review")
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description="Approve selected")
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, "approve")

    @admin.action(description="Publish selected")
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish selected")
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    @admin.action(description="Archive selected")
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "archive")

    @admin.action(description="Accept all pending suggestions of selected")
    def accept_pending_selected(self, request, queryset):
        total, failed = 0, []
        for article in queryset:
            try:
                total += curation.accept_all_pending(article, user=request.user)
            except workflow.WorkflowError as error:
                failed.append(f"“{article.headline}”: {error}")
        self.message_user(request, f"Accepted {total} suggestion{'s' if total != 1 else ''}.")
        for failure in failed:
            self.message_user(request, f"Could not accept suggestions of {failure}", messages.ERROR)

    @admin.action(description="Suggest tags for selected (run the tagger)")
    def tag_selected(self, request, queryset):
        if not curation.can_curate(request.user):
            self.message_user(request, "Only editors may run the tagger.", messages.ERROR)
            return
        the_tagger = tagger.get_tagger()
        totals = [tagger.tag_article(article, tagger=the_tagger) for article in queryset]
        self.message_user(request, f"Tagged {len(totals)} article(s): "
                                   f"{sum(t.created for t in totals)} new suggestions, "
                                   f"{sum(t.candidates for t in totals)} new-person candidates.")

    # --- Extra views ----------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(desk.desk_view(self)), name="articles_article_desk"),
            path("calendar/", view(desk.calendar_view(self)), name="articles_article_calendar"),
            path("<int:pk>/transition/", view(self.transition_view),
                 name="articles_article_transition"),
            path("<int:pk>/presence/", view(self.presence_view), name="articles_article_presence"),
            path("<int:pk>/tags/<str:kind>/<int:tag_id>/<str:decision>/", view(self.decide_view),
                 name="articles_article_decide"),
            path("<int:pk>/candidates/<int:candidate_id>/<str:decision>/", view(self.candidate_view),
                 name="articles_article_candidate"),
            path("<int:pk>/history/compare/", view(self.compare_view),
                 name="articles_article_compare"),
            path("<int:pk>/history/<int:history_id>/restore/", view(self.restore_view),
                 name="articles_article_restore"),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _back(self, article):
        return redirect("admin:articles_article_change", article.pk)

    def transition_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, f"Not done: {form.errors.as_text()}", messages.ERROR)
            return self._back(article)
        name = form.cleaned_data["transition"]
        comment = form.cleaned_data["workflow_comment"]
        at = form.cleaned_data["workflow_at"]
        try:
            if name == "correct":
                workflow.correct(article, user=request.user, text=comment)
                self.message_user(request, "Correction appended and shown with the article.")
            elif name == "schedule":
                if at is None:
                    raise workflow.GuardFailed(["Give the time to publish at."])
                workflow.schedule(article, user=request.user, at=at, comment=comment)
                self.message_user(request, f"Scheduled: live from {at:%d %b %Y %H:%M}.")
            else:
                workflow.perform(article, name, user=request.user, comment=comment)
                self.message_user(request, f"{workflow.TRANSITIONS[name].label}: done. The "
                                           f"article is now {article.get_status_display().lower()}.")
        except workflow.WorkflowError as error:
            self.message_user(request, f"Not done: {error}", messages.ERROR)
        return self._back(article)

    def presence_view(self, request, pk):
        """What the edit page's banner polls; `?version=` is the version the
        page was opened at, so the warnings are decided here, not in JS."""
        article = self._article_or_404(request, pk)
        opened = request.GET.get("version")
        if opened is not None:
            try:
                opened = int(opened)
            except ValueError:
                return JsonResponse({"version": ["Give the version number the page was opened at."]},
                                    status=400)
        presence.mark_present(article, request.user)
        others = presence.others_present(article, request.user)
        return JsonResponse({
            "version": article.version,
            "saved_since": presence.saved_since(article, opened),
            "last_edited_by": article.last_edited_by.get_username() if article.last_edited_by else None,
            "updated_at": article.updated_at.isoformat(),
            "others": others,
            "warnings": presence.warnings(article, opened, others),
        })

    def decide_view(self, request, pk, kind, tag_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, pk)
        model = curation.TAG_MODEL_BY_KIND.get(kind)
        if model is None or decision not in {"accept", "reject"}:
            raise Http404
        tag = get_object_or_404(model, pk=tag_id, article=article)
        try:
            curation.decide(tag, user=request.user, accept=decision == "accept")
            self.message_user(request, f"{decision.capitalize()}ed: {tag}.")
        except workflow.WorkflowError as error:
            self.message_user(request, f"Not done: {error}", messages.ERROR)
        return self._back(article)

    def candidate_view(self, request, pk, candidate_id, decision):
        """One click on a new-person candidate: create the record and tag it, or reject."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, pk)
        candidate = get_object_or_404(PersonCandidate, pk=candidate_id, article=article)
        try:
            if decision == "create":
                tag = curation.create_person_from_candidate(candidate, user=request.user)
                self.message_user(request, f"{tag.person.name} is now in the people list and tagged.")
            elif decision == "reject":
                curation.reject_candidate(candidate, user=request.user)
                self.message_user(request, f"Rejected the candidate {candidate.name}.")
            else:
                raise Http404
        except (workflow.WorkflowError, ValidationError) as error:
            self.message_user(request, f"Not done: {error}", messages.ERROR)
        return self._back(article)

    def compare_view(self, request, pk):
        article = self._article_or_404(request, pk)
        records = article.history.order_by("-history_date")
        if not records.exists():
            # Loaded from a fixture (or before history was kept): nothing to compare yet.
            return render(request, "admin/articles/article/compare.html", {
                **self.admin_site.each_context(request),
                "opts": self.model._meta, "original": article, "no_revisions": True,
                "title": f"Compare revisions of “{article}”",
            })
        try:
            newer = records.get(history_id=request.GET["b"]) if "b" in request.GET else records[0]
            older = records.get(history_id=request.GET["a"]) if "a" in request.GET else (
                newer.prev_record or newer)
        except (ValueError, IndexError, article.history.model.DoesNotExist):
            raise Http404("No such revision.") from None
        changes = []
        for change in newer.diff_against(older).changes:
            diff = difflib.HtmlDiff(wrapcolumn=80).make_table(
                str(change.old or "").splitlines(), str(change.new or "").splitlines(),
                "Revision of " + older.history_date.strftime("%d %b %Y %H:%M"),
                "Revision of " + newer.history_date.strftime("%d %b %Y %H:%M"),
            )
            changes.append({"field": change.field, "diff": mark_safe(diff)})
        return render(request, "admin/articles/article/compare.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": article, "title": f"Compare revisions of “{article}”",
            "older": older, "newer": newer, "changes": changes, "records": records[:50],
            "tag_changes": self.tag_changes(article, older.history_date, self._until(records, newer)),
            "can_restore": workflow.can_edit(request.user, article),
        })

    @staticmethod
    def _until(records, newer):
        """Inline rows are saved just after their article's revision: the
        newer revision's tag changes run until the revision after it."""
        after = records.filter(history_date__gt=newer.history_date).order_by("history_date").first()
        return after.history_date if after else None

    def tag_changes(self, article, since, until):
        """Every revision of the article's tags and bylines after one article
        revision and before `until` (None: up to now): who added, accepted,
        rejected or removed which, when."""
        rows = []
        for kind, model in [*curation.TAG_MODEL_BY_KIND.items(), ("bylines", Byline)]:
            history = model.history.filter(article_id=article.pk, history_date__gt=since)
            if until is not None:
                history = history.filter(history_date__lt=until)
            history = history.select_related("history_user").order_by("history_date")
            for record in history:
                rows.append({"when": record.history_date, "kind": kind,
                             "who": record.history_user, "action": record.get_history_type_display(),
                             "tag": record.instance,
                             "state": record.get_state_display() if model is not Byline else
                             record.get_role_display()})
        return sorted(rows, key=lambda row: row["when"])

    def restore_view(self, request, pk, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, pk)
        record = get_object_or_404(article.history.model, history_id=history_id, id=article.pk)
        attnames = [Article._meta.get_field(name).attname for name in curation.EDITABLE_FIELDS]
        changes = {attname: getattr(record, attname) for attname in attnames}
        # The revision's inline rows are saved just after it: its bylines are
        # those from just before the next revision.
        until = self._until(article.history.all(), record) or timezone.now()
        try:
            curation.restore(article=article, user=request.user,
                             expected_version=int(request.POST.get("expected_version", -1)),
                             values=changes, bylines=curation.bylines_as_of(article, until),
                             reason=f"Restored revision of {record.history_date:%d %b %Y %H:%M}")
            self.message_user(request, "Revision restored (the restore is itself a new revision).")
        except (workflow.WorkflowError, ValidationError, ValueError) as error:
            self.message_user(request, f"Not restored: {error}", messages.ERROR)
        return self._back(article)

    # --- The change page ------------------------------------------------------

    def pending_suggestions(self, article):
        groups = []
        for kind, model in curation.TAG_MODEL_BY_KIND.items():
            related = {"people": "person", "organisations": "organisation", "places": "place",
                       "topics": "topic"}.get(kind)
            qs = model.objects.filter(article=article, state=TagState.SUGGESTED)
            if related:
                qs = qs.select_related(related)
            items = [{"tag": tag, "kind": kind, "record": getattr(tag, related) if related else None,
                      "snippets": [evidence_snippet(article, s) for s in tag.evidence[:3]]}
                     for tag in qs]
            if items:
                groups.append({"kind": kind, "items": items})
        self.add_ambiguity(groups)
        return groups

    @staticmethod
    def add_ambiguity(groups):
        """Beside each suggestion, the other records its mentions may stand for
        (a surname two people named in the article share; a name that is also
        a place), found by the tagger and kept in the evidence: the editor
        decides. One query per kind of record, whatever the number of tags."""
        items = [item for group in groups for item in group["items"] if item["record"]]
        wanted = {item["tag"].pk: {slug for span in item["tag"].evidence
                                   for slug in [*span.get("candidates", ()),
                                                *span.get("alternatives", ())]}
                                  - {item["record"].slug} for item in items}
        slugs = set().union(*wanted.values()) if wanted else set()
        names = {}
        if slugs:
            for model in (Person, Organisation, Place):
                names.update(model.objects.filter(slug__in=slugs).values_list("slug", "name"))
        for item in items:
            item["also"] = sorted(names[slug] for slug in wanted[item["tag"].pk] if slug in names)

    def pending_candidates(self, article):
        return [{"candidate": c, "snippets": [evidence_snippet(article, s) for s in c.evidence[:2]]}
                for c in article.person_candidates.filter(state=TagState.SUGGESTED)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if article is not None:
            presence.mark_present(article, request.user)
            preview_url = reverse("articles:article_preview", kwargs={"slug": article.slug})
            now = timezone.now()
            extra.update({
                # What the panel offers is what the workflow allows, decided here.
                "transitions": workflow.available_transitions(article, request.user),
                "can_schedule": workflow.can_schedule(article, request.user),
                "can_correct": workflow.can_correct(article, request.user),
                "can_curate": curation.can_curate(request.user),
                "pending_groups": self.pending_suggestions(article),
                "pending_candidates": self.pending_candidates(article),
                "others_present": presence.others_present(article, request.user),
                "preview_url": preview_url,
                "embargoed": bool(article.embargo_until and article.embargo_until > now),
                "scheduled": bool(article.status == Article.Status.PUBLISHED and article.published_at
                                  and article.published_at > now),
                "is_live": article.is_live,
            })
        return super().change_view(request, object_id, form_url, extra_context=extra)
