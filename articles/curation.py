"""
Editorial operations other than state changes: edits under optimistic
locking, decisions on tag suggestions, hand-made tags, person merges.
The admin and the API both call these.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    DateMention,
    OrganisationAlias,
    Person,
    PersonAlias,
    PlaceAlias,
    Role,
    TagOrigin,
    TagState,
    name_key,
    tag_models,
)
from . import tagger
from .signals import public_content_changed
from .workflow import TransitionForbidden, can_edit, lock_for_edit

EDITABLE_FIELDS = {"headline", "slug", "standfirst", "body", "captions", "source", "original_url",
                   "dateline", "published_at", "embargo_until", "metadata_notes"}


def _notify_if_live(article):
    if article.is_live:
        transaction.on_commit(lambda: public_content_changed.send(sender=Article, article=article))


@transaction.atomic
def edit_article(*, article: Article, user, expected_version: int, changes: dict) -> Article:
    """Apply `changes` if nobody saved since `expected_version`; validates
    everything before writing anything."""
    current = lock_for_edit(article.pk, expected_version)
    if not can_edit(user, current):
        raise TransitionForbidden("You may not edit this article in its current state.")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: "This field cannot be edited here." for field in unknown})
    for field, value in changes.items():
        setattr(current, field, value)
    current.full_clean()
    current.version += 1
    current.last_edited_by = user
    current.save()
    _notify_if_live(current)
    tagger.tag_soon(current)
    return current


@transaction.atomic
def restore(*, article: Article, user, expected_version: int, values: dict, reason: str,
            bylines: list[tuple] | None = None) -> Article:
    """Bring back the content of an earlier revision (not its workflow state:
    status changes only through transitions), and its bylines when given as
    (person_id, role, position). The restore is a new revision."""
    current = lock_for_edit(article.pk, expected_version)
    if not can_edit(user, current):
        raise TransitionForbidden("You may not edit this article in its current state.")
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean()
    current.version += 1
    current.last_edited_by = user
    current._change_reason = reason
    current.save()
    if bylines is not None:
        # One by one, so that each removal and addition is a byline revision.
        for byline in Byline.objects.filter(article=current):
            byline._history_user = user
            byline.delete()
        existing = set(Person.objects.filter(pk__in=[b[0] for b in bylines]).values_list("pk", flat=True))
        for person_id, role, position in bylines:
            if person_id in existing:  # a person merged away since is not brought back
                byline = Byline(article=current, person_id=person_id, role=role, position=position)
                byline._history_user = user
                byline.save()
    _notify_if_live(current)
    return current


def bylines_as_of(article: Article, when) -> list[tuple] | None:
    """The article's bylines as (person_id, role, position) at `when`, or None
    if a current byline predates byline history (restoring would lose it)."""
    current = set(Byline.objects.filter(article=article).values_list("pk", flat=True))
    if current - set(Byline.history.filter(id__in=current).values_list("id", flat=True)):
        return None
    return [(b.person_id, b.role, b.position)
            for b in Byline.history.as_of(when).filter(article_id=article.pk)]


def record_tag_decision(article: Article, *, user) -> None:
    """A tag decision is an edit of the article (Article.objects.record_edit:
    a form opened before it, whose tag rows still show the old state, is
    refused on save); `article` is brought up to date."""
    Article.objects.filter(pk=article.pk).record_edit(user)
    article.version, article.updated_at = (
        Article.objects.values_list("version", "updated_at").get(pk=article.pk))
    article.last_edited_by = user


def can_curate(user) -> bool:
    """Editors (articles.curate_tags) decide on tags, add them by hand and run the tagger."""
    return user.is_active and (user.is_superuser or user.has_perm("articles.curate_tags"))


def require_curator(user):
    if not can_curate(user):
        raise TransitionForbidden("Only editors may decide on tags.")


@transaction.atomic
def decide(tag, *, user, accept: bool):
    """Accept or reject a tag (a suggestion, or reverse an earlier decision)."""
    require_curator(user)
    tag.state = TagState.ACCEPTED if accept else TagState.REJECTED
    tag.decided_by = user
    tag.decided_at = timezone.now()
    tag._history_user = user  # outside a request (the API's token auth) too
    tag.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    record_tag_decision(tag.article, user=user)
    _notify_if_live(tag.article)
    return tag


def accept(tag, *, user):
    return decide(tag, user=user, accept=True)


def reject(tag, *, user):
    return decide(tag, user=user, accept=False)


@transaction.atomic
def accept_all_pending(article: Article, *, user) -> int:
    """Accept every pending suggestion of the article; returns how many."""
    require_curator(user)
    now = timezone.now()
    count = 0
    for model in tag_models():
        # Not a queryset update: each accepted suggestion gets its revision,
        # as a one-click accept does (one INSERT per batch, not per tag).
        tags = list(model.objects.filter(article=article, state=TagState.SUGGESTED))
        for tag in tags:
            tag.state, tag.decided_by, tag.decided_at, tag.updated_at = (
                TagState.ACCEPTED, user, now, now)
        if tags:
            bulk_update_with_history(tags, model, ["state", "decided_by", "decided_at", "updated_at"],
                                     default_user=user, default_change_reason="Accepted all pending",
                                     default_date=now)
        count += len(tags)
    if count:
        record_tag_decision(article, user=user)
        _notify_if_live(article)
    return count


@transaction.atomic
def add_tag(model, *, article: Article, user, bump_version: bool = True, **fields):
    """A tag added by hand: accepted at once, its origin the editor. The forms
    of the name its evidence shows become confirmed aliases of the record.
    `bump_version=False` is for the admin's form save, which bumps the
    version once for the article and its inline rows together."""
    require_curator(user)
    tag = model(article=article, state=TagState.ACCEPTED, origin=TagOrigin.EDITOR,
                confidence=1.0, decided_by=user, decided_at=timezone.now(), **fields)
    tag.full_clean()
    tag._history_user = user
    tag.save()
    learn_aliases(tag)
    if bump_version:
        record_tag_decision(article, user=user)
    _notify_if_live(article)
    return tag


ALIAS_MODELS = {ArticlePerson: ("person", PersonAlias), ArticleOrganisation: ("organisation", OrganisationAlias),
                ArticlePlace: ("place", PlaceAlias)}


def learn_aliases(tag) -> list:
    """Add the evidence's forms of a name that the record does not know yet
    as aliases confirmed by an editor (two words or more: a lone surname is
    too ambiguous to be an alias; a form owned by another record is skipped)."""
    if type(tag) not in ALIAS_MODELS:
        return []
    field, alias_model = ALIAS_MODELS[type(tag)]
    record = getattr(tag, field)
    known = {name_key(n) for n in record.all_names}
    added = []
    for span in tag.evidence or []:
        form = " ".join(str(span.get("text", "")).split())
        if len(form.split()) < 2 or name_key(form) in known:
            continue
        alias = alias_model(record=record, name=form, confirmed_by_editor=True)
        try:
            alias.full_clean()
        except ValidationError:
            continue
        alias.save()
        known.add(alias.key)
        added.append(alias)
    return added


@transaction.atomic
def create_person_from_candidate(candidate, *, user) -> ArticlePerson:
    """One click: the candidate becomes a person record (its role as the
    description) and an accepted tag of the article, with its evidence."""
    require_curator(user)
    if candidate.state != TagState.SUGGESTED:
        raise ValidationError("This candidate was already decided.")
    person = Person.named(candidate.name)
    if person is None:
        person = Person(name=candidate.name, description=candidate.role)
        person.full_clean()
        person.save()
    tag, _ = ArticlePerson.objects.update_or_create(
        article=candidate.article, person=person,
        defaults={"state": TagState.ACCEPTED, "origin": TagOrigin.EDITOR, "confidence": candidate.confidence,
                  "evidence": candidate.evidence, "decided_by": user, "decided_at": timezone.now()},
    )
    candidate.state, candidate.person = TagState.ACCEPTED, person
    candidate.decided_by, candidate.decided_at = user, timezone.now()
    candidate.save()
    record_tag_decision(candidate.article, user=user)
    _notify_if_live(candidate.article)
    return tag


def reject_candidate(candidate, *, user):
    require_curator(user)
    candidate.state, candidate.decided_by, candidate.decided_at = TagState.REJECTED, user, timezone.now()
    candidate.save()
    return candidate


@transaction.atomic
def correct_date(mention: DateMention, *, user, **values) -> DateMention:
    """Correct a date mention's normalized value or range; the correction is
    an editor's decision, so the mention is accepted."""
    require_curator(user)
    allowed = {"date_from", "date_to", "precision", "value", "mod", "label"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({field: "This field cannot be corrected." for field in unknown})
    for field, value in values.items():
        setattr(mention, field, value)
    mention.state = TagState.ACCEPTED
    mention.decided_by = user
    mention.decided_at = timezone.now()
    mention.full_clean()
    mention._history_user = user
    mention.save()
    record_tag_decision(mention.article, user=user)
    _notify_if_live(mention.article)
    return mention


@transaction.atomic
def merge_people(*, survivor: Person, duplicate: Person, user) -> Person:
    """Fold `duplicate` into `survivor`: its tags, bylines, roles and aliases
    move over and its name becomes an alias; nothing is lost."""
    if not user.is_active or not (user.is_superuser or user.has_perm("articles.change_person")):
        raise TransitionForbidden("You may not merge people.")
    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different people to merge.")
    touched = set(ArticlePerson.objects.filter(person=duplicate).values_list("article_id", flat=True))
    touched |= set(Byline.objects.filter(person=duplicate).values_list("article_id", flat=True))
    for tag in ArticlePerson.objects.filter(person=duplicate).select_related("article"):
        existing = ArticlePerson.objects.filter(article=tag.article, person=survivor).first()
        if existing is None:
            tag.person = survivor
            tag.save(update_fields=["person", "updated_at"])
            continue
        # Both were tagged: keep one tag holding both evidences and the
        # strongest decision (accepted beats suggested beats rejected).
        rank = {TagState.ACCEPTED: 2, TagState.SUGGESTED: 1, TagState.REJECTED: 0}
        if rank[tag.state] > rank[existing.state]:
            existing.state, existing.decided_by, existing.decided_at = (
                tag.state, tag.decided_by, tag.decided_at)
        existing.evidence = existing.evidence + [e for e in tag.evidence if e not in existing.evidence]
        existing.save()
        tag.delete()
    for byline in Byline.objects.filter(person=duplicate):
        if Byline.objects.filter(article=byline.article, person=survivor, role=byline.role).exists():
            byline.delete()
        else:
            byline.person = survivor
            byline.save(update_fields=["person"])
    Role.objects.filter(person=duplicate).update(person=survivor)
    PersonAlias.objects.filter(record=duplicate).update(record=survivor)
    old_name = duplicate.name
    description = survivor.description or duplicate.description
    wikidata = survivor.wikidata_id or duplicate.wikidata_id
    duplicate.delete()
    PersonAlias.objects.create(record=survivor, name=old_name, confirmed_by_editor=True)
    survivor.description, survivor.wikidata_id = description, wikidata
    survivor.save()
    # Their tags and bylines changed under any form open on them: those
    # forms go stale instead of a save putting the old rows back.
    Article.objects.filter(pk__in=touched).record_edit(user)
    return survivor


TAG_MODEL_BY_KIND = {
    "people": ArticlePerson,
    "organisations": ArticleOrganisation,
    "places": ArticlePlace,
    "topics": ArticleTopic,
    "dates": DateMention,
}


def pending_articles():
    """Articles with at least one pending suggestion, for the desk."""
    condition = Q()
    for model in tag_models():
        condition |= Q(pk__in=model.objects.suggested().values("article_id"))
    return Article.objects.filter(condition)
