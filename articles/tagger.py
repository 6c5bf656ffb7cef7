"""
The tagger's database side: build the pure Tagger from the authority lists
(once per process), learn from editors' decisions, and store suggestions.

Learning from editors:
- a tag an editor rejected is never suggested again for that article;
- the rejection rate of each alias or keyword (tagger suggestions rejected /
  decided) lowers the confidence of later suggestions made through it;
- accepted topics of articles about the same people, organisations and
  places give a topic a prior;
- an alias an editor confirms by hand is added to the record (curation).
"""

import datetime
import hashlib
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    DateMention,
    Organisation,
    OrganisationAlias,
    Person,
    PersonAlias,
    PersonCandidate,
    Place,
    PlaceAlias,
    TagOrigin,
    TagState,
    Topic,
)
from .tagging.entities import Record
from .tagging.pipeline import TAGGER_VERSION, Tagger
from .tagging.topics import TopicRecord

ENTITY_KINDS = {
    # kind: (record model, alias model, tag model, tag field, contract key)
    "person": (Person, PersonAlias, ArticlePerson, "person", "people"),
    "organisation": (Organisation, OrganisationAlias, ArticleOrganisation, "organisation",
                     "organisations"),
    "place": (Place, PlaceAlias, ArticlePlace, "place", "places"),
}
CACHE_SECONDS = 300
_cache = {"tagger": None, "fingerprint": None, "decisions": None, "built": 0.0}
_lock = threading.Lock()


def _rate(rejected: int, decided: int) -> float:
    # Smoothed, so one early rejection does not silence a name for good.
    return rejected / (decided + 2)


def _form_rates(tag_model, field, exclude_articles=()):
    """{record_id: {form as written: rejection rate}} from decided tagger suggestions."""
    counts = defaultdict(lambda: defaultdict(Counter))
    decided = (tag_model.objects.filter(origin=TagOrigin.TAGGER)
               .exclude(state=TagState.SUGGESTED).exclude(article_id__in=exclude_articles)
               .values_list(f"{field}_id", "state", "evidence"))
    for record_id, state, evidence in decided:
        for form in {span.get("text") for span in evidence or [] if isinstance(span, dict)}:
            if form:
                counts[record_id][form][state] += 1
    return {
        record_id: {form: _rate(c[TagState.REJECTED], c[TagState.REJECTED] + c[TagState.ACCEPTED])
                    for form, c in forms.items() if c[TagState.REJECTED]}
        for record_id, forms in counts.items()
    }


def authority_records(exclude_articles=()) -> list[Record]:
    records = []
    for kind, (model, alias_model, tag_model, field, _) in ENTITY_KINDS.items():
        aliases = defaultdict(list)
        for record_id, name in alias_model.objects.values_list("record_id", "name"):
            aliases[record_id].append(name)
        rates = _form_rates(tag_model, field, exclude_articles)
        for pk, slug, name in model.objects.values_list("pk", "slug", "name").iterator(chunk_size=5000):
            records.append(Record(kind=kind, key=slug, name=name, aliases=tuple(aliases[pk]),
                                  rejection_rates=rates.get(pk, {})))
    return records


def topic_records(exclude_articles=()) -> list[TopicRecord]:
    """Topics with their keywords, keyword rejection rates, and priors learnt
    from accepted tags (excluding `exclude_articles`, for honest evaluation)."""
    keyword_rates = {
        topic_id: {form.lower(): rate for form, rate in forms.items()}
        for topic_id, forms in _form_rates(ArticleTopic, "topic", exclude_articles).items()
    }
    accepted_topics = defaultdict(set)
    for article_id, topic_id in (ArticleTopic.objects.accepted().exclude(article_id__in=exclude_articles)
                                 .values_list("article_id", "topic_id")):
        accepted_topics[article_id].add(topic_id)
    entity_articles = defaultdict(set)
    for kind, (model, _, tag_model, field, _) in ENTITY_KINDS.items():
        slugs = dict(model.objects.values_list("pk", "slug"))
        for article_id, record_id in (tag_model.objects.accepted()
                                      .filter(article_id__in=list(accepted_topics))
                                      .values_list("article_id", f"{field}_id")):
            entity_articles[f"{kind}:{slugs[record_id]}"].add(article_id)
    priors = defaultdict(dict)
    for entity, article_ids in entity_articles.items():
        if len(article_ids) < 2:
            continue  # one article says nothing about a tendency
        topic_counts = Counter(t for a in article_ids for t in accepted_topics[a])
        for topic_id, n in topic_counts.items():
            priors[topic_id][entity] = n / (len(article_ids) + 1)
    topics = list(Topic.objects.select_related("parent"))
    return [
        TopicRecord(key=t.slug, name=t.name, keywords=tuple(t.keyword_list),
                    parent=t.parent.slug if t.parent else None,
                    keyword_rejection=keyword_rates.get(t.pk, {}), prior=dict(priors.get(t.pk, {})))
        for t in topics
    ]


def build_tagger(exclude_articles=()) -> Tagger:
    return Tagger(authority_records(exclude_articles), topic_records(exclude_articles))


def _fingerprint():
    """Cheap signature of the authority lists and topic tree (counts and last
    change): when it is unchanged, the built tagger is still right."""
    parts = []
    for model in (Person, Organisation, Place, Topic):
        parts.append(tuple(model.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()))
    for model in (PersonAlias, OrganisationAlias, PlaceAlias):
        parts.append(tuple(model.objects.aggregate(n=Count("pk"), last=Max("pk")).values()))
    return tuple(parts)


def _decisions_fingerprint():
    """Editors' latest decisions (they move rejection rates and topic priors)."""
    return tuple(
        tuple(model.objects.exclude(decided_at=None).aggregate(n=Count("pk"), last=Max("decided_at")).values())
        for model in (ArticlePerson, ArticleOrganisation, ArticlePlace, ArticleTopic)
    )


def get_tagger() -> Tagger:
    """The process's tagger. Building it takes seconds at 100k names, so it is
    rebuilt only when the authority lists change; editors' decisions (which
    only move confidences) are taken in at most every CACHE_SECONDS, and only
    when there are new ones."""
    fingerprint = _fingerprint()
    with _lock:
        if _cache["tagger"] is not None and _cache["fingerprint"] == fingerprint:
            if time.monotonic() - _cache["built"] < CACHE_SECONDS:
                return _cache["tagger"]
            decisions = _decisions_fingerprint()
            if decisions == _cache["decisions"]:
                _cache["built"] = time.monotonic()  # checked: nothing new for another while
                return _cache["tagger"]
        else:
            decisions = _decisions_fingerprint()
        _cache["tagger"] = build_tagger()
        _cache["fingerprint"] = fingerprint
        _cache["decisions"] = decisions
        _cache["built"] = time.monotonic()
        return _cache["tagger"]


def reset_cache():
    with _lock:
        _cache.update(tagger=None, fingerprint=None, decisions=None, built=0.0)


@dataclass
class TagResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    candidates: int = 0


def publication_date(article) -> datetime.date:
    moment = article.published_at or article.created_at or timezone.now()
    return timezone.localtime(moment).date()


def _spans(mentions, alternatives=()):
    """Evidence spans: each names its field; an ambiguous mention keeps the
    slugs of every person it may stand for under "candidates", and the
    records the whole suggestion may be instead of its own (a place "Abe"
    beside a person Abe) go on its first span as "alternatives", for the
    admin to show beside it."""
    spans = []
    for m in mentions:
        span = {"start": m["span"][0], "end": m["span"][1], "text": m["text"],
                "field": m.get("field", "body")}
        if m.get("candidates"):
            span["candidates"] = list(m["candidates"])
        spans.append(span)
    if spans and alternatives:
        spans[0]["alternatives"] = list(alternatives)
    return spans


@transaction.atomic
def tag_article(article: Article, *, tagger: Tagger | None = None) -> TagResult:
    """Store the tagger's suggestions for the article. Accepted and rejected
    tags are left as editors decided; stale suggestions are removed."""
    tagger = tagger or get_tagger()
    suggestions = tagger.suggest(article.body, published=publication_date(article),
                                 headline=article.headline, standfirst=article.standfirst)
    result = TagResult()
    base = {"origin": TagOrigin.TAGGER, "tagger_version": tagger.version, "state": TagState.SUGGESTED}

    for kind, (model, _, tag_model, field, key) in ENTITY_KINDS.items():
        found = [s for s in suggestions[key] if s["record"]]
        records = {r.slug: r for r in model.objects.filter(slug__in=[s["record"] for s in found])}
        existing = {getattr(t, f"{field}_id"): t for t in tag_model.objects.filter(article=article)}
        keep = set()
        for item in found:
            record = records.get(item["record"])
            if record is None:
                continue
            keep.add(record.pk)
            values = {"relation": item["relation"], "confidence": item["confidence"],
                      "evidence": _spans(item["mentions"], item.get("alternatives", ()))}
            tag = existing.get(record.pk)
            if tag is None:
                tag_model.objects.create(article=article, **{field: record}, **base, **values)
                result.created += 1
            elif tag.state == TagState.SUGGESTED and tag.origin == TagOrigin.TAGGER:
                for name, value in values.items():
                    setattr(tag, name, value)
                tag.tagger_version = tagger.version
                tag.save()
                result.updated += 1
        stale = [t.pk for rid, t in existing.items() if rid not in keep
                 and t.state == TagState.SUGGESTED and t.origin == TagOrigin.TAGGER]
        result.removed += tag_model.objects.filter(pk__in=stale).delete()[0]

    # Topics
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=[s["topic"] for s in suggestions["topics"]])}
    existing = {t.topic_id: t for t in ArticleTopic.objects.filter(article=article)}
    keep = set()
    for item in suggestions["topics"]:
        topic = topics.get(item["topic"])
        if topic is None:
            continue
        keep.add(topic.pk)
        values = {"confidence": item["confidence"], "evidence": _spans(item["mentions"])}
        tag = existing.get(topic.pk)
        if tag is None:
            ArticleTopic.objects.create(article=article, topic=topic, **base, **values)
            result.created += 1
        elif tag.state == TagState.SUGGESTED and tag.origin == TagOrigin.TAGGER:
            tag.confidence, tag.evidence = values["confidence"], values["evidence"]
            tag.save()
            result.updated += 1
    stale = [t.pk for tid, t in existing.items() if tid not in keep
             and t.state == TagState.SUGGESTED and t.origin == TagOrigin.TAGGER]
    result.removed += ArticleTopic.objects.filter(pk__in=stale).delete()[0]

    # Dates: one mention per normalized value; every occurrence is evidence.
    grouped = {}
    for item in suggestions["dates"]:
        ident = (item["value"], item["date_from"], item["date_to"], item["mod"] or "")
        grouped.setdefault(ident, {"item": item, "spans": []})["spans"].append(
            _spans([item])[0])
    existing = {}
    for mention in DateMention.objects.filter(article=article):
        ident = (mention.value, mention.date_from.isoformat(), mention.date_to.isoformat(), mention.mod)
        existing[ident] = mention
    for ident, group in grouped.items():
        item = group["item"]
        mention = existing.get(ident)
        if mention is None:
            DateMention.objects.create(
                article=article, text=item["text"][:200], value=item["value"],
                date_from=item["date_from"], date_to=item["date_to"], precision=item["precision"],
                mod=item["mod"] or "", evidence=group["spans"], confidence=0.9, **base)
            result.created += 1
        elif mention.state == TagState.SUGGESTED and mention.origin == TagOrigin.TAGGER:
            mention.evidence, mention.text = group["spans"], item["text"][:200]
            mention.save()
            result.updated += 1
    stale = [m.pk for ident, m in existing.items() if ident not in grouped
             and m.state == TagState.SUGGESTED and m.origin == TagOrigin.TAGGER]
    result.removed += DateMention.objects.filter(pk__in=stale).delete()[0]

    # New people, for an editor to create in one click.
    wanted = {s["name"]: s for s in suggestions["people"] if not s["record"]}
    known = {c.name: c for c in PersonCandidate.objects.filter(article=article)}
    for name, item in wanted.items():
        candidate = known.get(name)
        values = {"role": item.get("role", "")[:300], "confidence": item["confidence"],
                  "evidence": _spans(item["mentions"]), "tagger_version": tagger.version}
        if candidate is None:
            PersonCandidate.objects.create(article=article, name=name[:200], **values)
            result.candidates += 1
        elif candidate.state == TagState.SUGGESTED:
            for field_name, value in values.items():
                setattr(candidate, field_name, value)
            candidate.save()
    PersonCandidate.objects.filter(article=article, state=TagState.SUGGESTED).exclude(
        name__in=list(wanted)).delete()

    Article.objects.filter(pk=article.pk).update(tagged_hash=tagged_hash(article, tagger))
    return result


def tagged_hash(article, tagger=None) -> str:
    # The standfirst is tagged too, but is not in the content hash.
    standfirst = hashlib.sha256((article.standfirst or "").encode()).hexdigest()[:8]
    return f"{(tagger.version if tagger else TAGGER_VERSION)}:{standfirst}:{article.content_hash}"[:80]


def needs_tagging(article) -> bool:
    return article.tagged_hash != tagged_hash(article)


def tag_soon(article):
    """Tag after the current transaction commits, when the text changed; a
    failure is logged, never blocks the save."""
    if not needs_tagging(article):
        return

    def run():
        import logging

        try:
            tag_article(Article.objects.get(pk=article.pk))
        except Exception:  # the save has happened; a tagging failure must not undo it
            logging.getLogger(__name__).exception("Tagging article %s failed", article.pk)

    transaction.on_commit(run)
